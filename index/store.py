"""Read the index directory: the live generation's manifest, FAISS vectors and SQLite rows.

The folder's layout is in `index.layout`. A published generation never changes, so readers
open SQLite immutable and need no lock. Opening checks the manifest against the data and
against the expected model, and what can be checked in bounded time: every file is there, the
SQLite header and size, the schema, row counts against the manifest and the vector files, the
chunk id range against FAISS's. A damaged generation raises `IndexDamagedError` naming the
file and the fix; damage only a full scan finds (`index.verify`) surfaces as the same error
when a query reads it. Writing lives in `index.builder`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from index.errors import (
    REBUILD,
    IndexChangingError,
    IndexDamagedError,
    IndexMismatchError,
    KnowledgeBaseError,
    NoIndexError,
    storage_reason,
)
from index.keyword import family_term, family_word
from index.layout import DATABASE, MANIFEST, UNIT_IDS, UNIT_VECTORS, VECTORS, current_problem, read_current
from index.manifest import FORMAT_NAME, FORMAT_VERSION, Manifest, incompatibility
from index.vector_index import for_search, search_within
from ingest.document import Chunk, Document, Page, Section, embedding_input

_WORDS = re.compile(r"\w+")
SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    collection TEXT NOT NULL,
    text TEXT NOT NULL,
    sections TEXT NOT NULL,
    pages TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- also the FAISS vector id
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    position INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    section TEXT NOT NULL,
    page INTEGER,
    context TEXT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (doc_id, position)
);
CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- also the row id in unit_ids.npy / units.f16.npy
    chunk_id INTEGER NOT NULL REFERENCES chunks(id),
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL
);
CREATE INDEX units_by_chunk ON units (chunk_id);
CREATE TABLE sentence_keys (  -- how many documents hold each sentence unit, titles masked (index.templates)
    hash INTEGER PRIMARY KEY,
    documents INTEGER NOT NULL
);
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    context, text, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document's metadata, without its text."""

    doc_id: str
    title: str
    source: str
    format: str
    collection: str
    content_hash: str
    indexed_at: str
    chunks: int


@dataclass(frozen=True)
class StoredChunk:
    """A chunk row joined with its document's citation fields."""

    id: int
    doc_id: str
    position: int
    char_start: int
    char_end: int
    section: str
    page: int | None
    text: str
    title: str
    source: str
    collection: str


@dataclass
class Snapshot:
    """One published generation, opened read-only; safe to share between threads."""

    kb_dir: Path
    name: str
    manifest: Manifest
    vectors: faiss.Index
    unit_ids: np.ndarray  # ascending unit ids, aligned with unit_vectors
    unit_vectors: np.ndarray  # float16, one row per sentence unit (memory-mapped)
    _db: sqlite3.Connection = field(repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def close(self) -> None:
        """Release the database handle."""
        self._db.close()

    def _rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            # Damage the checks at opening could not see (they are bounded): say so, never a traceback.
            raise IndexDamagedError(f"the index generation {self.name} is damaged ({DATABASE}: {error})") from None

    def units_of(self, chunk_ids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
        """(unit id, char_start, char_end) of each chunk's sentence units, in reading order."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._rows(
            f"SELECT chunk_id, id, char_start, char_end FROM units WHERE chunk_id IN ({marks}) ORDER BY chunk_id, id",
            list(chunk_ids),
        )
        found: dict[int, list[tuple[int, int, int]]] = {}
        for chunk_id, unit_id, start, end in rows:
            found.setdefault(chunk_id, []).append((unit_id, start, end))
        return found

    def template_hashes(self, hashes: list[int], at_least: int) -> set[int]:
        """Those of the sentence key hashes that `at_least` documents of this generation hold."""
        if not hashes:
            return set()
        marks = ",".join("?" * len(hashes))
        rows = self._rows(
            f"SELECT hash FROM sentence_keys WHERE hash IN ({marks}) AND documents >= ?", [*hashes, at_least]
        )
        return {row[0] for row in rows}

    def unit_similarities(self, unit_ids: list[int], query: np.ndarray) -> np.ndarray:
        """Cosine of the question with each unit (stored vectors are unit length, in float16)."""
        if not unit_ids:
            return np.zeros(0, dtype=np.float32)
        rows = np.searchsorted(self.unit_ids, np.asarray(unit_ids, dtype=np.int64))
        return np.asarray(self.unit_vectors[rows], dtype=np.float32) @ query.astype(np.float32)

    def unit_vectors_by_input(self, doc_id: str) -> dict[str, np.ndarray]:
        """A document's stored unit vectors keyed by the text they were computed from (for reuse)."""
        found: dict[str, np.ndarray] = {}
        text = self.document_text(doc_id)
        stored = self.stored_chunks(doc_id)
        units = self.units_of([chunk_id for chunk_id, _ in stored])  # one query for the whole document
        for chunk_id, chunk in stored:
            for unit_id, start, end in units.get(chunk_id, []):
                row = int(np.searchsorted(self.unit_ids, unit_id))
                found[embedding_input(chunk.context, text[start:end])] = np.asarray(self.unit_vectors[row], np.float32)
        return found

    def content_hashes(self) -> dict[str, str]:
        """doc_id → content hash of every stored document."""
        return dict(self._rows("SELECT doc_id, content_hash FROM documents"))

    def documents(self) -> list[DocumentInfo]:
        """Every stored document with its chunk count, by collection then title."""
        rows = self._rows(
            "SELECT d.doc_id, d.title, d.source, d.format, d.collection, d.content_hash, d.indexed_at,"
            " (SELECT count(*) FROM chunks c WHERE c.doc_id = d.doc_id)"
            " FROM documents d ORDER BY d.collection, d.title COLLATE NOCASE, d.doc_id"
        )
        return [DocumentInfo(*row) for row in rows]

    def document(self, doc_id: str) -> Document | None:
        """The stored document (text, sections, pages) or None."""
        rows = self._rows(
            "SELECT doc_id, title, source, text, sections, pages, format, collection FROM documents WHERE doc_id = ?",
            (doc_id,),
        )
        if not rows:
            return None
        doc_id, title, source, text, sections, pages, fmt, collection = rows[0]
        return Document(
            doc_id=doc_id,
            title=title,
            source=source,
            text=text,
            sections=tuple(Section(**s) for s in json.loads(sections)),
            pages=tuple(Page(**p) for p in json.loads(pages)),
            format=fmt,
            collection=collection,
        )

    def chunks(self, ids: list[int]) -> dict[int, StoredChunk]:
        """Chunk rows by id, with title, source and collection of their documents."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._rows(
            "SELECT c.id, c.doc_id, c.position, c.char_start, c.char_end, c.section, c.page, c.text,"
            " d.title, d.source, d.collection FROM chunks c JOIN documents d USING (doc_id)"
            f" WHERE c.id IN ({marks})",
            list(ids),
        )
        return {row[0]: StoredChunk(*row) for row in rows}

    def chunk_titles(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        """(doc_id, title) of each chunk's document, by chunk id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._rows(
            f"SELECT c.id, c.doc_id, d.title FROM chunks c JOIN documents d USING (doc_id) WHERE c.id IN ({marks})",
            list(ids),
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    def chunks_of(self, doc_id: str) -> list[StoredChunk]:
        """All chunks of one document in reading order."""
        rows = self._rows(
            "SELECT c.id, c.doc_id, c.position, c.char_start, c.char_end, c.section, c.page, c.text,"
            " d.title, d.source, d.collection FROM chunks c JOIN documents d USING (doc_id)"
            " WHERE c.doc_id = ? ORDER BY c.position",
            (doc_id,),
        )
        return [StoredChunk(*row) for row in rows]

    def document_text(self, doc_id: str) -> str:
        """The extracted text a document's offsets index into ("" if unknown)."""
        rows = self._rows("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
        return rows[0][0] if rows else ""

    def document_texts(self, doc_ids: list[str]) -> dict[str, str]:
        """`document_text` of several documents in one query (unknown ids are left out)."""
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        return dict(self._rows(f"SELECT doc_id, text FROM documents WHERE doc_id IN ({marks})", list(doc_ids)))

    def chunk_ids_where(self, collections: list[str], doc_ids: list[str]) -> set[int]:
        """Ids of chunks whose document passes both filters: in one of the collections AND one of the
        doc_ids (the intersection); an empty list does not filter. Both empty: every chunk."""
        conditions, params = [], []
        if collections:
            conditions.append(f"d.collection IN ({','.join('?' * len(collections))})")
            params.extend(collections)
        if doc_ids:
            conditions.append(f"d.doc_id IN ({','.join('?' * len(doc_ids))})")
            params.extend(doc_ids)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._rows(f"SELECT c.id FROM chunks c JOIN documents d USING (doc_id){where}", params)
        return {row[0] for row in rows}

    def chunk_frequencies(self, terms: list[str], cap: int | None = None) -> dict[str, int]:
        """In how many chunks each (plain, lower-case) term occurs, through the keyword index; with
        `cap`, counting stops there (a common word costs at most `cap` rows, not the whole table)."""
        return {term: self._match_count(f'"{term}"', cap) for term in terms}

    def family_frequencies(self, words: list[str], cap: int | None = None) -> dict[str, int]:
        """In how many chunks each word's family occurs (`keyword.family_term`: its stem as a prefix,
        "treated" → treat…), counted up to `cap`, as `chunk_frequencies` counts a word."""
        return {w: self._match_count(family_term(w), cap) if family_word(w) else 0 for w in words}

    def _match_count(self, expression: str, cap: int | None) -> int:
        """Chunks matching an FTS5 expression, counted up to `cap` (None: all)."""
        sql = "SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)"
        return self._rows(sql, (expression, -1 if cap is None else cap))[0][0]  # a negative LIMIT is no limit

    def stored_chunks(self, doc_id: str) -> list[tuple[int, Chunk]]:
        """A document's chunks as built (context included), in order, each with its vector id."""
        rows = self._rows(
            "SELECT id, position, char_start, char_end, section, page, context, text FROM chunks"
            " WHERE doc_id = ? ORDER BY position",
            (doc_id,),
        )
        return [
            (i, Chunk(doc_id, pos, text, start, end, section, page, context))
            for i, pos, start, end, section, page, context, text in rows
        ]

    def vectors_by_input(self, doc_id: str) -> dict[str, np.ndarray]:
        """A document's stored vectors keyed by the text they were computed from (for reuse)."""
        return {chunk.embed_text: np.asarray(self.vectors.reconstruct(i)) for i, chunk in self.stored_chunks(doc_id)}

    def chunk_owners(self) -> list[tuple[int, str]]:
        """(chunk id, doc_id) of every chunk."""
        return self._rows("SELECT id, doc_id FROM chunks")

    def titles(self, sample: int | None = None) -> list[str]:
        """Every stored document's title, or with `sample` about that many, evenly spread over the
        documents in the order they were stored (every n-th row id, each looked up by its key, so a
        million-document table is not walked): the same ones on every call."""
        if not sample or self.manifest.documents < 2 * sample:
            return [r[0] for r in self._rows("SELECT title FROM documents")]
        last = self._rows("SELECT max(rowid) FROM documents")[0][0] or 0
        ids = list(range(1, last + 1, max(1, last // sample)))
        marks = ",".join("?" * len(ids))
        return [r[0] for r in self._rows(f"SELECT title FROM documents WHERE rowid IN ({marks})", ids)]

    def collections(self) -> list[str]:
        """Distinct collection names, sorted."""
        return [r[0] for r in self._rows("SELECT DISTINCT collection FROM documents ORDER BY 1")]

    def dense_search(self, query: np.ndarray, k: int, within: set[int] | None = None) -> list[tuple[int, float]]:
        """(chunk id, cosine) of the k nearest chunks, best first; only among `within` when given."""
        if within is not None:
            allowed = np.fromiter(within, dtype=np.int64, count=len(within))
            scores, ids = search_within(self.vectors, query, np.sort(allowed), k)
            return [(int(i), float(s)) for i, s in zip(ids, scores)]
        k = min(k, self.vectors.ntotal)
        if k <= 0:
            return []
        scores, ids = self.vectors.search(query.reshape(1, -1).astype(np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def phrase_occurs(self, words: list[str]) -> bool:
        """True when some chunk (its text or its title/section line) holds these words in a row."""
        if not words:
            return False
        return self._matches(phrase_match(words))

    def phrase_texts(self, words: list[str], rows: int) -> list[tuple[str, str]]:
        """(title/section line, text) of up to `rows` chunks holding these words in a row (one query)."""
        if not words:
            return []
        sql = "SELECT context, text FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?"
        return [(str(context), str(text)) for context, text in self._rows(sql, (phrase_match(words), rows))]

    def prefix_occurs(self, start: str) -> bool:
        """True when some chunk holds a word (as the keyword index stems it) beginning with `start`."""
        if not start.isalnum():
            return False
        return self._matches(f'"{start}" *')

    def any_word_occurs(self, words: list[str]) -> bool:
        """True when some chunk holds at least one of these (plain, lower-case) words."""
        plain = [w for w in words if w.isalnum()]
        return bool(plain) and self._matches(" OR ".join(f'"{w}"' for w in plain))

    def words_held(self, words: list[str], rows: int = 50) -> set[str]:
        """Which of these plain lower-case words chunks hold as written: looked for in the text of up
        to `rows` chunks that match any of them (one query; the keyword index matches stems, so a
        chunk matching "spasm" may only say "spasms")."""
        plain = [w for w in words if w.isalnum()]
        if not plain:
            return set()
        wanted, held = set(plain), set()
        sql = "SELECT context, text FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?"
        for context, text in self._rows(sql, (" OR ".join(f'"{w}"' for w in plain), rows)):
            held |= wanted.intersection(_WORDS.findall(f"{context} {text}".lower()))
        return held

    def _matches(self, expression: str) -> bool:
        """True when some chunk matches an FTS5 expression (stops at the first)."""
        return bool(self._rows("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1", (expression,)))

    def keyword_search(self, match: str, k: int) -> list[tuple[int, float]]:
        """(chunk id, BM25 score, higher is better) for an FTS5 MATCH expression."""
        if not match:
            return []
        # bm25() is negative (lower is better); column weights favour the passage over its context.
        rows = self._rows(
            "SELECT rowid, -bm25(chunks_fts, 0.5, 1.0) AS score FROM chunks_fts"
            " WHERE chunks_fts MATCH ? ORDER BY score DESC LIMIT ?",
            (match, k),
        )
        return [(int(i), float(s)) for i, s in rows]


_TABLES = ("documents", "chunks", "units", "chunks_fts", "sentence_keys")
Damaged = Callable[[str], IndexDamagedError]  # makes the error for one generation from what is wrong
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ATTEMPTS = 5


def open_snapshot(kb_dir: Path, expected_model: str | None = None, expected_dimension: int | None = None) -> Snapshot:
    """Open the live generation of kb_dir, checking it; raises NoIndexError or IndexMismatchError
    (IndexDamagedError when a file is missing or damaged).

    With `expected_model` (and `expected_dimension`), a generation built with another model is refused.
    A writer may publish a new generation and delete the one just named while it is being opened:
    then CURRENT is read again and the open retried; IndexChangingError if that keeps happening.
    """
    for _ in range(_ATTEMPTS):
        name = read_current(kb_dir)
        if name is None:
            problem = current_problem(kb_dir)
            if problem:
                raise IndexDamagedError(problem)
            raise NoIndexError("there is no index yet: build one with `python -m ingest`")
        try:
            return _open_generation(kb_dir, name, expected_model, expected_dimension)
        except (IndexDamagedError, OSError) as error:
            if read_current(kb_dir) != name:  # replaced (and perhaps deleted) under us: open the new one
                continue
            if isinstance(error, FileNotFoundError):
                raise IndexDamagedError(f"the index generation {name} is damaged (a file is missing)") from None
            if isinstance(error, OSError):
                raise KnowledgeBaseError(
                    f"the index generation {name} cannot be read: {storage_reason(error)}"
                ) from None
            raise
    raise IndexChangingError("the index kept changing while it was being opened; try again")


def _open_generation(kb_dir: Path, name: str, expected_model: str | None, expected_dimension: int | None) -> Snapshot:
    folder = kb_dir / name
    damaged = _damage_reporter(name)
    if not folder.is_dir():
        raise IndexDamagedError(f"the index names generation {name}, whose folder is missing")
    manifest = _read_manifest(folder, damaged)
    _check_format(manifest)
    if expected_model is not None:
        dimension = manifest.dimension if expected_dimension is None else expected_dimension
        reason = incompatibility(manifest, expected_model, dimension)
        if reason:
            raise IndexMismatchError(f"the index cannot be searched with the configured model: {reason}; {REBUILD}")
    for file in (VECTORS, DATABASE, UNIT_IDS, UNIT_VECTORS):
        if not (folder / file).is_file():
            raise damaged(f"{file} is missing")
    _check_sqlite_header(folder / DATABASE, damaged)
    vectors = _read_vectors(folder / VECTORS, damaged)
    unit_ids, unit_vectors = _read_units(folder, damaged)
    db = _connect(folder / DATABASE, damaged)
    try:
        counts = _count_rows(db, damaged)
        problems = _disagreements(manifest, vectors, unit_ids, unit_vectors, counts)
    except BaseException:
        db.close()
        raise
    if problems:
        db.close()
        raise damaged("; ".join(problems))
    return Snapshot(
        kb_dir=kb_dir,
        name=name,
        manifest=manifest,
        vectors=vectors,
        unit_ids=unit_ids,
        unit_vectors=unit_vectors,
        _db=db,
    )


def _damage_reporter(name: str) -> Damaged:
    """A maker of IndexDamagedError for generation `name`: `damaged("vectors.faiss is truncated")`."""

    def damaged(what: str) -> IndexDamagedError:
        return IndexDamagedError(f"the index generation {name} is damaged ({what})")

    return damaged


def _read_manifest(folder: Path, damaged: Damaged) -> Manifest:
    try:
        manifest = Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise damaged(f"{MANIFEST} is missing") from None
    except (ValueError, TypeError, AttributeError) as error:  # not JSON, not UTF-8, not an object, keys missing
        raise damaged(f"{MANIFEST} is unreadable: {type(error).__name__}") from None
    fields = (manifest.dimension, manifest.documents, manifest.chunks, manifest.units)
    if not all(isinstance(value, int) and value >= 0 for value in fields):
        raise damaged(f"{MANIFEST} has counts that are not whole numbers")
    return manifest


def _check_format(manifest: Manifest) -> None:
    if manifest.format != FORMAT_NAME or manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {manifest.format} v{manifest.format_version} is not "
            f"{FORMAT_NAME} v{FORMAT_VERSION}; {REBUILD}"
        )


def _check_sqlite_header(path: Path, damaged: Damaged) -> None:
    """The file starts like an SQLite database and is as long as its header says (bounded: 100 bytes)."""
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise damaged(f"{DATABASE} is not an SQLite database: its header is damaged")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_count_valid = header[24:28] == header[92:96]  # else the page count field is stale (old writers)
    if page_size < 512 or page_size & (page_size - 1):
        raise damaged(f"{DATABASE} has a damaged header (page size {page_size})")
    if header_count_valid and pages and path.stat().st_size < pages * page_size:
        raise damaged(f"{DATABASE} is truncated")


def _read_vectors(path: Path, damaged: Damaged) -> faiss.Index:
    try:
        return for_search(faiss.read_index(str(path)))
    except RuntimeError:  # FAISS's message names the absolute path: not shown
        raise damaged(f"{VECTORS} is truncated or corrupt") from None


def _read_units(folder: Path, damaged: Damaged) -> tuple[np.ndarray, np.ndarray]:
    try:
        unit_ids = np.load(folder / UNIT_IDS, allow_pickle=False)
    except (ValueError, EOFError, OSError):
        raise damaged(f"{UNIT_IDS} is truncated or corrupt") from None
    try:
        unit_vectors = np.load(folder / UNIT_VECTORS, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError, OSError):
        raise damaged(f"{UNIT_VECTORS} is truncated or corrupt") from None
    if unit_ids.ndim != 1 or unit_vectors.ndim != 2:
        raise damaged(f"{UNIT_IDS} or {UNIT_VECTORS} has the wrong shape")
    return unit_ids, unit_vectors


def _connect(path: Path, damaged: Damaged) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    except sqlite3.Error:
        raise damaged(f"{DATABASE} cannot be opened") from None


def _count_rows(db: sqlite3.Connection, damaged: Damaged) -> dict[str, int]:
    """Rows per table, the schema checked first, and the highest chunk id (bounded: counts walk the
    smallest index of each table, never the text)."""
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in _TABLES if t not in tables]
        if missing:
            raise damaged(f"{DATABASE} lacks the table {', '.join(missing)}")
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "chunks", "units")}
        counts["max_chunk_id"] = db.execute("SELECT coalesce(max(id), -1) FROM chunks").fetchone()[0]
        return counts
    except sqlite3.DatabaseError as error:
        raise damaged(f"{DATABASE} is corrupt: {error}") from None


def _disagreements(
    manifest: Manifest, vectors: faiss.Index, unit_ids: np.ndarray, unit_vectors: np.ndarray, counts: dict[str, int]
) -> list[str]:
    """Where the manifest, the SQLite rows and the vector files disagree (each a short phrase)."""
    problems = []
    if counts["documents"] != manifest.documents:
        problems.append(f"document rows {counts['documents']}, manifest {manifest.documents} disagree")
    if not len(unit_ids) == len(unit_vectors) == counts["units"] == manifest.units:
        problems.append(
            f"unit vectors {len(unit_vectors)}, unit ids {len(unit_ids)}, unit rows {counts['units']}, "
            f"manifest {manifest.units} disagree"
        )
    elif counts["units"] and unit_vectors.shape[1] != manifest.dimension:
        problems.append(f"unit vector dimension {unit_vectors.shape[1]} ≠ manifest {manifest.dimension}")
    if vectors.d != manifest.dimension:
        problems.append(f"vector dimension {vectors.d} ≠ manifest {manifest.dimension}")
    if not vectors.ntotal == counts["chunks"] == manifest.chunks:
        problems.append(f"vectors {vectors.ntotal}, chunk rows {counts['chunks']}, manifest {manifest.chunks} disagree")
    elif vectors.ntotal and _max_vector_id(vectors) not in (None, counts["max_chunk_id"]):
        problems.append(f"the highest vector id {_max_vector_id(vectors)} is not the highest chunk id")
    return problems


def _max_vector_id(vectors: faiss.Index) -> int | None:
    id_map = getattr(vectors, "id_map", None)
    return None if id_map is None else int(faiss.vector_to_array(id_map).max())


def is_damage(error: sqlite3.Error) -> bool:
    """Whether an SQLite error means a damaged or vanished file rather than a wrong statement."""
    if not isinstance(error, sqlite3.OperationalError):
        return isinstance(error, sqlite3.DatabaseError)  # "database disk image is malformed", "not a database"
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_IOERR", "SQLITE_CORRUPT", "SQLITE_CANTOPEN", "SQLITE_NOTADB"))


def phrase_match(words: list[str] | tuple[str, ...]) -> str:
    """An FTS5 MATCH expression for the words in a row (a phrase; quotes inside a word dropped)."""
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'
