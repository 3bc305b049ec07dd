"""Write the next generation of the index beside the live one, then switch to it atomically.

A build starts from a copy of the live generation (or from nothing for a full rebuild),
removes and adds whole documents (SQLite rows, FTS5 rows and FAISS vectors together), writes
and fsyncs every file, and only then points CURRENT at it with `os.replace`. A crash at any
moment leaves CURRENT naming a complete generation; `remove_stale` deletes what an
unfinished build left behind. Callers (`index.update`) hold `index.lock.writer_lock` around all of this.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from index.layout import (
    CURRENT,
    DATABASE,
    MANIFEST,
    UNIT_IDS,
    UNIT_VECTORS,
    VECTORS,
    generation_dirs,
    generation_name,
    next_generation_number,
    read_current,
)
from index.manifest import Manifest
from index.store import SCHEMA, Snapshot
from index.templates import sentence_hashes
from index.vector_index import describe, fitted, new_exact
from ingest.document import embedding_input
from ingest.prepare import PreparedDocument
from ingest.sentence_units import chunk_units


class GenerationBuilder:
    """A generation under construction; nothing is visible to readers until `publish`."""

    def __init__(self, kb_dir: Path, model: str, dimension: int, chunking: dict, start_empty: bool):
        self.kb_dir = kb_dir
        self.model, self.dimension, self.chunking = model, dimension, chunking
        self._start_empty = start_empty
        live = read_current(kb_dir)
        self.number = next_generation_number(kb_dir)
        self.folder = kb_dir / generation_name(self.number)
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        if live and not start_empty:
            shutil.copyfile(kb_dir / live / DATABASE, self.folder / DATABASE)
            self.vectors = faiss.read_index(str(kb_dir / live / VECTORS))
            self._unit_ids = [np.load(kb_dir / live / UNIT_IDS)]
            self._unit_vectors = [np.load(kb_dir / live / UNIT_VECTORS)]
            self.db = sqlite3.connect(self.folder / DATABASE)
        else:
            self.vectors = new_exact(dimension)
            self._unit_ids = [np.zeros(0, dtype=np.int64)]
            self._unit_vectors = [np.zeros((0, dimension), dtype=np.float16)]
            self.db = sqlite3.connect(self.folder / DATABASE)
            self.db.executescript(SCHEMA)
        # Durability comes from fsync before publishing; until then a crash only leaves garbage.
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self._removed_units: list[int] = []

    def remove_document(self, doc_id: str) -> int:
        """Delete a document with all its chunks, keyword rows and vectors; returns chunks removed."""
        ids = [row[0] for row in self.db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        if ids:
            marks = ",".join("?" * len(ids))
            query = f"SELECT id, char_start, char_end FROM units WHERE chunk_id IN ({marks})"
            units = self.db.execute(query, ids).fetchall()
            self._removed_units.extend(row[0] for row in units)
            self._count_sentences(doc_id, [(a, b) for _, a, b in units], -1)
            self.db.execute(f"DELETE FROM units WHERE chunk_id IN ({marks})", ids)
            self.db.execute(f"DELETE FROM chunks_fts WHERE rowid IN ({marks})", ids)
            self.db.execute(f"DELETE FROM chunks WHERE id IN ({marks})", ids)
            # faiss's wrapper turns an int64 array into an IDSelector; its type stubs do not say so.
            self.vectors.remove_ids(np.array(ids, dtype=np.int64))  # type: ignore[arg-type]
        self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return len(ids)

    def add_document(self, prepared: PreparedDocument, vectors: np.ndarray, unit_vectors: np.ndarray) -> None:
        """Insert a document, its chunks (rows, keyword rows) and their vectors (one row each), and the
        chunks' sentence units (`chunk_units`, in chunk order) with their vectors (one row each)."""
        doc, content_hash, chunks = prepared.document, prepared.content_hash, prepared.chunks
        now = datetime.now(UTC).isoformat(timespec="microseconds")  # the newest upload sorts first even within a second
        self.db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                content_hash,
                doc.title,
                doc.source,
                doc.format,
                doc.collection,
                doc.text,
                json.dumps([asdict(s) for s in doc.sections]),
                json.dumps([asdict(p) for p in doc.pages]),
                now,
            ),
        )
        ids: list[int | None] = []
        unit_ids: list[int | None] = []
        spans: list[tuple[int, int]] = []
        for chunk in chunks:
            cursor = self.db.execute(
                "INSERT INTO chunks (doc_id, position, char_start, char_end, section, page, context, text)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (
                    chunk.doc_id,
                    chunk.position,
                    chunk.char_start,
                    chunk.char_end,
                    chunk.section,
                    chunk.page,
                    chunk.context,
                    chunk.text,
                ),
            )
            ids.append(cursor.lastrowid)
            self.db.execute(
                "INSERT INTO chunks_fts (rowid, context, text) VALUES (?,?,?)",
                (cursor.lastrowid, chunk.context, chunk.text),
            )
            for start, end in chunk_units(doc.text, chunk.char_start, chunk.char_end):
                unit = self.db.execute(
                    "INSERT INTO units (chunk_id, char_start, char_end) VALUES (?,?,?)", (cursor.lastrowid, start, end)
                )
                unit_ids.append(unit.lastrowid)
                spans.append((start, end))
        self._count_sentences(doc.doc_id, spans, +1)
        if ids:
            self.vectors.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.array(ids, dtype=np.int64))
        if len(unit_ids) != len(unit_vectors):
            raise ValueError(f"{doc.doc_id}: {len(unit_ids)} sentence units but {len(unit_vectors)} unit vectors")
        self._unit_ids.append(np.array(unit_ids, dtype=np.int64))
        self._unit_vectors.append(np.asarray(unit_vectors, dtype=np.float16).reshape(-1, self.dimension))

    def _count_sentences(self, doc_id: str, spans: list[tuple[int, int]], change: int) -> None:
        """Add `change` (+1 or -1) to the document count of each distinct sentence key of the
        document (its row must be stored); keys no document holds any more are deleted."""
        row = self.db.execute("SELECT text, title FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None or not spans:
            return
        hashes = [(h,) for h in sentence_hashes(row[0], row[1], spans)]
        if change > 0:
            self.db.executemany(
                "INSERT INTO sentence_keys (hash, documents) VALUES (?, 1)"
                " ON CONFLICT (hash) DO UPDATE SET documents = documents + 1",
                hashes,
            )
        else:
            self.db.executemany("UPDATE sentence_keys SET documents = documents - 1 WHERE hash = ?", hashes)
            self.db.executemany("DELETE FROM sentence_keys WHERE hash = ? AND documents <= 0", hashes)

    def copy_document(self, source: Snapshot, doc_id: str, content_hash: str) -> None:
        """Carry a document over unchanged (rows and vectors) from another generation."""
        stored = source.stored_chunks(doc_id)
        vectors = np.zeros((len(stored), self.dimension), dtype=np.float32)
        for row, (vector_id, _) in enumerate(stored):
            vectors[row] = source.vectors.reconstruct(vector_id)
        document = source.document(doc_id)
        if document is None:
            return
        known = source.unit_vectors_by_input(doc_id)
        units = [
            known[embedding_input(chunk.context, document.text[a:b])]
            for _, chunk in stored
            for a, b in chunk_units(document.text, chunk.char_start, chunk.char_end)
        ]
        unit_vectors = np.array(units, dtype=np.float32).reshape(-1, self.dimension)
        self.remove_document(doc_id)
        prepared = PreparedDocument(document, content_hash, tuple(chunk for _, chunk in stored))
        self.add_document(prepared, vectors, unit_vectors)

    def publish(self) -> Manifest:
        """Write, fsync and switch CURRENT to this generation; returns its manifest."""
        self.db.commit()
        documents = self.db.execute("SELECT count(*) FROM documents").fetchone()[0]
        chunks = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        self.db.close()
        self.vectors = fitted(self.vectors, self.dimension, retrain=self._start_empty)
        faiss.write_index(self.vectors, str(self.folder / VECTORS))
        unit_ids = np.concatenate(self._unit_ids)
        unit_vectors = np.concatenate(self._unit_vectors)
        keep = ~np.isin(unit_ids, np.array(self._removed_units, dtype=np.int64))
        np.save(self.folder / UNIT_IDS, unit_ids[keep])
        np.save(self.folder / UNIT_VECTORS, unit_vectors[keep])
        manifest = Manifest(
            generation=self.number,
            model=self.model,
            dimension=self.dimension,
            chunking=self.chunking,
            documents=documents,
            chunks=chunks,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            units=int(keep.sum()),
            index_type=describe(self.vectors),
        )
        _write_durably(self.folder / MANIFEST, manifest.to_json())
        for name in (DATABASE, VECTORS, UNIT_IDS, UNIT_VECTORS):
            _fsync_file(self.folder / name)
        _fsync_dir(self.folder)
        _write_durably(self.kb_dir / CURRENT, self.folder.name + "\n")
        return manifest

    def abandon(self) -> None:
        """Drop the unfinished generation (on error); the live one is untouched."""
        try:
            self.db.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def remove_stale(kb_dir: Path) -> None:
    """Delete every generation but the live one, and temporary files of crashed writes.

    With no valid CURRENT (missing, empty, damaged) nothing is deleted but temporary files: which
    generation was live is unknown, and the newest complete one may be all that is left of the
    index. The next publish writes CURRENT, and the clean-up after it removes the rest."""
    live = read_current(kb_dir)
    for path in generation_dirs(kb_dir) if live is not None else []:
        if path.name != live:
            shutil.rmtree(path, ignore_errors=True)
    for path in kb_dir.glob("*.tmp"):
        path.unlink(missing_ok=True)


def _write_durably(path: Path, text: str) -> None:
    """Write text to path so that readers see the old file or the whole new one, never a part."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
