"""Read the index directory: the live generation's manifest, FAISS vectors and SQLite rows.

The folder's layout is in `index.layout`. A published generation never changes, so readers
open SQLite immutable and need no lock. Opening checks the manifest against the data and
against the expected model. Writing lives in `index.builder`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexMismatchError, NoIndexError
from index.layout import DATABASE, MANIFEST, UNIT_IDS, UNIT_VECTORS, VECTORS, read_current
from index.manifest import FORMAT_NAME, FORMAT_VERSION, Manifest, incompatibility
from ingest.document import Chunk, Document, Page, Section, embedding_input

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
        with self._lock:
            return self._db.execute(sql, params).fetchall()

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

    def chunk_frequencies(self, terms: list[str]) -> dict[str, int]:
        """In how many chunks each (plain, lower-case) term occurs, through the keyword index."""
        return {
            term: self._rows("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (f'"{term}"',))[0][0]
            for term in terms
        }

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

    def collections(self) -> list[str]:
        """Distinct collection names, sorted."""
        return [r[0] for r in self._rows("SELECT DISTINCT collection FROM documents ORDER BY 1")]

    def dense_search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk id, cosine) of the k nearest chunks; exact search."""
        k = min(k, self.vectors.ntotal)
        if k <= 0:
            return []
        scores, ids = self.vectors.search(query.reshape(1, -1).astype(np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

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


def open_snapshot(kb_dir: Path, expected_model: str | None = None, expected_dimension: int | None = None) -> Snapshot:
    """Open the live generation of kb_dir, checking it; raises NoIndexError or IndexMismatchError.

    With `expected_model` (and `expected_dimension`), a generation built with another model is refused.
    """
    for _ in range(5):  # a writer may publish and delete the generation we just named
        name = read_current(kb_dir)
        if name is None:
            raise NoIndexError(f"no index in {kb_dir}: build one with `python -m ingest`")
        try:
            return _open_generation(kb_dir, name, expected_model, expected_dimension)
        except FileNotFoundError:
            if read_current(kb_dir) == name:
                raise IndexMismatchError(
                    f"index {kb_dir} names generation {name}, which is missing: rebuild with `python -m ingest --full`"
                ) from None
    raise NoIndexError(f"the index in {kb_dir} kept changing while being opened; try again")


def _open_generation(kb_dir: Path, name: str, expected_model: str | None, expected_dimension: int | None) -> Snapshot:
    folder = kb_dir / name
    rebuild = "rebuild it with `python -m ingest --full`"
    try:
        manifest = Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, TypeError) as error:
        raise IndexMismatchError(f"{folder / MANIFEST} is unreadable ({error}); {rebuild}") from None
    if manifest.format != FORMAT_NAME or manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {manifest.format} v{manifest.format_version} is not "
            f"{FORMAT_NAME} v{FORMAT_VERSION}; {rebuild}"
        )
    if expected_model is not None:
        dimension = manifest.dimension if expected_dimension is None else expected_dimension
        reason = incompatibility(manifest, expected_model, dimension)
        if reason:
            raise IndexMismatchError(f"the index cannot be searched with the configured model: {reason}; {rebuild}")
    if not all((folder / name).exists() for name in (VECTORS, DATABASE, UNIT_IDS, UNIT_VECTORS)):
        raise FileNotFoundError(folder)
    vectors = faiss.read_index(str(folder / VECTORS))
    unit_ids = np.load(folder / UNIT_IDS)
    unit_vectors = np.load(folder / UNIT_VECTORS, mmap_mode="r")
    db = sqlite3.connect(f"file:{folder / DATABASE}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    rows = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    unit_rows = db.execute("SELECT count(*) FROM units").fetchone()[0]
    problems = []
    if not len(unit_ids) == len(unit_vectors) == unit_rows == manifest.units:
        problems.append(
            f"unit vectors {len(unit_vectors)}, unit ids {len(unit_ids)}, unit rows {unit_rows}, "
            f"manifest {manifest.units} disagree"
        )
    elif unit_rows and unit_vectors.shape[1] != manifest.dimension:
        problems.append(f"unit vector dimension {unit_vectors.shape[1]} ≠ manifest {manifest.dimension}")
    if vectors.d != manifest.dimension:
        problems.append(f"vector dimension {vectors.d} ≠ manifest {manifest.dimension}")
    if not vectors.ntotal == rows == manifest.chunks:
        problems.append(f"vectors {vectors.ntotal}, chunk rows {rows}, manifest {manifest.chunks} disagree")
    if problems:
        db.close()
        raise IndexMismatchError(f"index {folder} is inconsistent: {'; '.join(problems)}; {rebuild}")
    return Snapshot(
        kb_dir=kb_dir,
        name=name,
        manifest=manifest,
        vectors=vectors,
        unit_ids=unit_ids,
        unit_vectors=unit_vectors,
        _db=db,
    )
