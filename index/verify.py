"""The full integrity check of the live generation (`python -m index verify`), for curators.

Opening a generation (`index.store.open_snapshot`) checks only what is cheap; this reads
everything: SQLite's `PRAGMA integrity_check` and FTS5's own integrity check (on an in-memory
copy, since the published file is read-only), every chunk id present once in FAISS and in the
keyword index, unit rows, unit ids and unit vectors aligned, each chunk's text equal to its
span of the document text, vectors finite, the manifest's counts, and each sentence key's document
count (`index.templates`) recounted. It repairs nothing: the
fix for any problem is a rebuild. Problems are short phrases without filesystem paths.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.errors import NoIndexError
from index.layout import DATABASE, MANIFEST, UNIT_IDS, UNIT_VECTORS, VECTORS, current_problem, read_current
from index.manifest import FORMAT_NAME, FORMAT_VERSION, Manifest
from index.templates import sentence_hashes

MAX_LISTED = 10  # problems of one kind listed one by one; more are counted


@dataclass
class Verification:
    """The outcome of one check: the generation looked at, what is wrong, and what it holds."""

    generation: str | None
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    model: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def summary(self) -> str:
        """One line: OK with the counts, or how many problems."""
        if self.ok:
            c = self.counts
            return (
                f"OK: {self.generation}: {c.get('documents', 0):,} documents, {c.get('chunks', 0):,} chunks, "
                f"{c.get('units', 0):,} sentence units, model {self.model} (checked in {self.seconds:.2f} s)"
            )
        where = self.generation or "the index"
        return f"{where} is damaged: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"


def verify_index(kb_dir: Path) -> Verification:
    """Check the live generation of kb_dir in full; raises NoIndexError when there is no index at all."""
    started = time.monotonic()
    name = read_current(kb_dir)
    if name is None:
        problem = current_problem(kb_dir)
        if not problem:
            raise NoIndexError("there is no index yet: build one with `python -m ingest`")
        return Verification(None, [problem])
    result = Verification(name)
    folder = kb_dir / name
    if not folder.is_dir():
        result.problems.append(f"the index names generation {name}, whose folder is missing")
        return result
    _check_generation(folder, result)
    result.seconds = time.monotonic() - started
    return result


def _check_generation(folder: Path, result: Verification) -> None:
    problems = result.problems
    missing = [f for f in (MANIFEST, DATABASE, VECTORS, UNIT_IDS, UNIT_VECTORS) if not (folder / f).is_file()]
    problems.extend(f"{f} is missing" for f in missing)
    manifest = _manifest(folder, problems) if MANIFEST not in missing else None
    db = _database(folder / DATABASE, problems) if DATABASE not in missing else None
    vectors = _vectors(folder / VECTORS, problems) if VECTORS not in missing else None
    units = _units(folder, problems) if not {UNIT_IDS, UNIT_VECTORS} & set(missing) else None
    if db is None:
        return
    try:
        rows = _rows(db, problems)
        if rows is not None:
            _compare_sentence_keys(db, problems)
    finally:
        db.close()
    if rows is None:
        return
    result.counts = {"documents": rows.documents, "chunks": len(rows.chunk_ids), "units": len(rows.unit_ids)}
    if manifest is not None:
        result.model = manifest.model
        _compare_manifest(manifest, rows, vectors, units, problems)
    if vectors is not None:
        _compare_vectors(vectors, rows, problems)
    if units is not None:
        _compare_units(units, rows, problems)


def _manifest(folder: Path, problems: list[str]) -> Manifest | None:
    try:
        manifest = Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, TypeError, AttributeError) as error:
        problems.append(f"{MANIFEST} is unreadable: {type(error).__name__}")
        return None
    if manifest.format != FORMAT_NAME or manifest.format_version != FORMAT_VERSION:
        problems.append(f"{MANIFEST}: format {manifest.format} v{manifest.format_version}, not v{FORMAT_VERSION}")
    return manifest


def _database(path: Path, problems: list[str]) -> sqlite3.Connection | None:
    """An in-memory copy of kb.sqlite after SQLite's and FTS5's integrity checks (None if unusable)."""
    memory = sqlite3.connect(":memory:")
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            source.backup(memory)
        finally:
            source.close()
        report = [row[0] for row in memory.execute("PRAGMA integrity_check")]
        if report != ["ok"]:
            problems.extend(f"{DATABASE}: {line}" for line in report[:MAX_LISTED])
            _more(problems, len(report), f"{DATABASE} integrity problems")
        memory.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as error:
        problems.append(f"{DATABASE} is corrupt: {error}")
        try:  # the plain tables may still be readable for the comparisons below
            memory.execute("SELECT count(*) FROM chunks").fetchone()
        except sqlite3.Error:
            memory.close()
            return None
    return memory


def _vectors(path: Path, problems: list[str]) -> faiss.Index | None:
    try:
        return faiss.read_index(str(path))
    except RuntimeError:
        problems.append(f"{VECTORS} is truncated or corrupt")
        return None


def _units(folder: Path, problems: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    arrays = []
    for file in (UNIT_IDS, UNIT_VECTORS):
        try:
            arrays.append(np.load(folder / file, allow_pickle=False))
        except (ValueError, EOFError, OSError):
            problems.append(f"{file} is truncated or corrupt")
    return (arrays[0], arrays[1]) if len(arrays) == 2 else None


@dataclass(frozen=True)
class _Rows:
    """What kb.sqlite holds, as far as the comparisons need it."""

    documents: int
    chunk_ids: np.ndarray
    fts_ids: np.ndarray
    unit_ids: np.ndarray
    unit_chunks: np.ndarray


def _rows(db: sqlite3.Connection, problems: list[str]) -> _Rows | None:
    """Read the ids, checking each chunk against its document's text on the way."""
    try:
        documents = dict(db.execute("SELECT doc_id, text FROM documents"))
        chunk_ids = []
        bad_spans = []
        for chunk_id, doc_id, start, end, text in db.execute(
            "SELECT id, doc_id, char_start, char_end, text FROM chunks ORDER BY id"
        ):
            chunk_ids.append(chunk_id)
            if documents.get(doc_id, "\0")[start:end] != text:
                bad_spans.append(chunk_id)
        fts_ids = [row[0] for row in db.execute("SELECT rowid FROM chunks_fts ORDER BY rowid")]
        units = db.execute("SELECT id, chunk_id FROM units ORDER BY id").fetchall()
    except sqlite3.DatabaseError as error:
        problems.append(f"{DATABASE} cannot be read: {error}")
        return None
    if bad_spans:
        problems.append(f"{len(bad_spans)} chunks do not match their document's text (first: chunk {bad_spans[0]})")
    return _Rows(
        documents=len(documents),
        chunk_ids=np.array(chunk_ids, dtype=np.int64),
        fts_ids=np.array(fts_ids, dtype=np.int64),
        unit_ids=np.array([u for u, _ in units], dtype=np.int64),
        unit_chunks=np.array([c for _, c in units], dtype=np.int64),
    )


def expected_sentence_keys(db: sqlite3.Connection) -> dict[int, int]:
    """How many documents hold each sentence key, recounted from the documents and unit rows (what
    the `sentence_keys` table must say)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for doc_id, start, end in db.execute(
        "SELECT c.doc_id, u.char_start, u.char_end FROM units u JOIN chunks c ON c.id = u.chunk_id"
    ):
        spans.setdefault(doc_id, []).append((start, end))
    counts: Counter[int] = Counter()
    for doc_id, text, title in db.execute("SELECT doc_id, text, title FROM documents"):
        counts.update(sentence_hashes(text, title, spans.get(doc_id, [])))
    return dict(counts)


def _compare_sentence_keys(db: sqlite3.Connection, problems: list[str]) -> None:
    try:
        stored = dict(db.execute("SELECT hash, documents FROM sentence_keys"))
        expected = expected_sentence_keys(db)
    except sqlite3.DatabaseError as error:
        problems.append(f"{DATABASE} cannot be read: {error}")
        return
    wrong = sum(stored.get(h) != n for h, n in expected.items()) + len(stored.keys() - expected.keys())
    if wrong:
        problems.append(f"{wrong:,} sentence key counts disagree with the documents")


def _compare_manifest(
    manifest: Manifest,
    rows: _Rows,
    vectors: faiss.Index | None,
    units: tuple[np.ndarray, np.ndarray] | None,
    problems: list[str],
) -> None:
    _differs(problems, "documents", manifest.documents, rows.documents)
    _differs(problems, "chunks", manifest.chunks, len(rows.chunk_ids))
    _differs(problems, "sentence units", manifest.units, len(rows.unit_ids))
    if vectors is not None and vectors.d != manifest.dimension:
        problems.append(f"{VECTORS} has dimension {vectors.d}, the manifest says {manifest.dimension}")
    if units is not None and units[1].ndim == 2 and units[1].shape[1] != manifest.dimension:
        problems.append(f"{UNIT_VECTORS} has dimension {units[1].shape[1]}, the manifest says {manifest.dimension}")


def _compare_vectors(vectors: faiss.Index, rows: _Rows, problems: list[str]) -> None:
    ids = _vector_ids(vectors)
    if ids is None:
        problems.append(f"{VECTORS} is an index without ids")
        return
    _same_ids(problems, f"chunk ids in {VECTORS}", ids, rows.chunk_ids)
    _same_ids(problems, "chunk ids in the keyword index", rows.fts_ids, rows.chunk_ids)
    known = np.intersect1d(ids, rows.chunk_ids)
    if len(known) and not np.isfinite(vectors.reconstruct_batch(known)).all():
        problems.append(f"{VECTORS} holds vectors that are not finite numbers")


def _vector_ids(vectors: Any) -> np.ndarray | None:
    """Every id in the FAISS index: an exact id-mapped one, or an inverted-file (IVF) one."""
    id_map = getattr(vectors, "id_map", None)
    if id_map is not None:
        return faiss.vector_to_array(id_map).astype(np.int64)
    try:
        ivf: Any = faiss.extract_index_ivf(vectors)
    except RuntimeError:
        return None
    lists = ivf.invlists
    sizes = [(n, lists.list_size(n)) for n in range(ivf.nlist)]
    parts = [faiss.rev_swig_ptr(lists.get_ids(n), size).copy() for n, size in sizes if size]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def _compare_units(units: tuple[np.ndarray, np.ndarray], rows: _Rows, problems: list[str]) -> None:
    unit_ids, unit_vectors = units
    if len(unit_ids) != len(unit_vectors):
        problems.append(f"{UNIT_IDS} has {len(unit_ids):,} rows, {UNIT_VECTORS} {len(unit_vectors):,}")
    _same_ids(problems, f"unit ids in {UNIT_IDS}", np.asarray(unit_ids, dtype=np.int64), rows.unit_ids)
    if len(unit_ids) > 1 and not (np.diff(unit_ids) > 0).all():
        problems.append(f"{UNIT_IDS} is not in ascending order")
    orphans = int((~np.isin(rows.unit_chunks, rows.chunk_ids)).sum())
    if orphans:
        problems.append(f"{orphans:,} sentence units belong to no chunk")
    if not np.isfinite(np.asarray(unit_vectors, dtype=np.float32)).all():
        problems.append(f"{UNIT_VECTORS} holds vectors that are not finite numbers")


def _differs(problems: list[str], what: str, manifest_count: int, found: int) -> None:
    if manifest_count != found:
        problems.append(f"the manifest says {manifest_count:,} {what}, the database holds {found:,}")


def _same_ids(problems: list[str], what: str, found: np.ndarray, expected: np.ndarray) -> None:
    """Two id lists hold the same ids, each once."""
    extra = np.setdiff1d(found, expected)
    absent = np.setdiff1d(expected, found)
    repeated = len(found) - len(np.unique(found))
    for count, how in ((len(absent), "missing"), (len(extra), "unknown"), (repeated, "repeated")):
        if count:
            problems.append(f"{what}: {count:,} {how}")


def _more(problems: list[str], total: int, what: str) -> None:
    if total > MAX_LISTED:
        problems.append(f"… and {total - MAX_LISTED:,} more {what}")
