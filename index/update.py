"""Bring the index up to date with the corpus folder: the one entry point for (re)indexing.

Each run compares the corpus (`ingest.corpus.scan_corpus`: ids and content hashes) with the
live generation: new and changed files are prepared (loaded and chunked by `ingest`) and
embedded; unchanged files cost nothing; removed files are deleted with all their rows and
vectors. A generation that no longer fits the model or chunking settings (`index.manifest`)
is rebuilt whole. The new generation is built beside the live one under the writer lock and
published atomically, so readers never see a partial index. Output is an `IngestReport`;
printing is the caller's job.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index.builder import GenerationBuilder, remove_stale
from index.checkpoint import PART_SIZE, EmbeddingCheckpoint, input_key
from index.embedder import Embedder
from index.errors import KnowledgeBaseError, NoIndexError, write_failure
from index.layout import generation_name, read_current
from index.lock import writer_lock
from index.manifest import Manifest, incompatibility
from index.progress import SILENT, Progress
from index.report import FileResult, IngestReport
from index.store import Snapshot, open_snapshot
from ingest.chunker import ChunkSettings
from ingest.corpus import CorpusFile, SkippedFile, scan_corpus
from ingest.document import Document, LoadError, embedding_input
from ingest.prepare import PreparedDocument, prepare_document, prepare_file
from ingest.sentence_units import chunk_units


@dataclass(frozen=True)
class _Plan:
    """The corpus set against what is indexed: what to load, what stays, what goes."""

    to_load: tuple[CorpusFile, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    skipped: tuple[SkippedFile, ...]


@dataclass(frozen=True)
class _Live:
    """The live generation (if any), why it must be rebuilt ("" when it need not be), and
    whether the previous version of a failing file can still be kept."""

    snapshot: Snapshot | None
    rebuild: str
    can_keep: bool


def update_index(
    corpus_dir: Path,
    kb_dir: Path,
    embedder: Embedder,
    settings: ChunkSettings = ChunkSettings(),
    *,
    full: bool = False,
    dry_run: bool = False,
    wait_seconds: float = 0.0,
    progress: Progress = SILENT,
) -> IngestReport:
    """Update the index in kb_dir from corpus_dir; see the module docstring."""
    started = time.monotonic()
    if not corpus_dir.is_dir():
        raise KnowledgeBaseError(f"corpus folder {corpus_dir} does not exist")
    with writer_lock(kb_dir, wait_seconds):
        if not dry_run:
            remove_stale(kb_dir)
        live = _open_live(kb_dir, embedder, settings, full)
        previous = live.snapshot.content_hashes() if live.snapshot else {}
        indexed = {} if live.rebuild else previous
        plan = _plan(corpus_dir, indexed)
        if dry_run:
            results = [FileResult(f.doc_id, "updated" if f.doc_id in indexed else "added") for f in plan.to_load]
            return replace(_report(plan, results, live, None, started, 0), dry_run=True)
        results, prepared = _prepare_all(plan, indexed, previous, live.can_keep, settings, progress)
        if live.snapshot is not None and not prepared and not plan.removed and not live.rebuild:
            return _report(plan, results, live, None, started, 0)
        checkpoint = EmbeddingCheckpoint(kb_dir, embedder.name, embedder.dimension)
        vectors, embedded = _embed_all(
            prepared, embedder, progress, None if live.rebuild else live.snapshot, checkpoint=checkpoint
        )
        builder = GenerationBuilder(kb_dir, embedder.name, embedder.dimension, settings.as_dict(), bool(live.rebuild))
        carried = {}
        if live.rebuild and live.can_keep:  # a failing file keeps the version the old generation has
            carried = {r.doc_id: previous[r.doc_id] for r in results if r.status == "failed" and r.doc_id in previous}
        manifest = _write_generation(builder, plan.removed, prepared, vectors, live.snapshot, carried)
        checkpoint.clear()  # published: the saved vectors live in the generation now
        return _report(plan, results, live, manifest, started, embedded)


def build_index(
    documents: list[Document],
    kb_dir: Path,
    embedder: Embedder,
    settings: ChunkSettings = ChunkSettings(),
    progress: Progress = SILENT,
) -> Manifest:
    """Build a fresh index of in-memory documents (benchmark corpora that are not files)."""
    with writer_lock(kb_dir):
        remove_stale(kb_dir)
        progress.stage("files", len(documents))
        prepared = []
        for doc in documents:
            prepared.append(prepare_document(doc, settings))
            progress.advance()
        checkpoint = EmbeddingCheckpoint(kb_dir, embedder.name, embedder.dimension)
        vectors, _ = _embed_all(prepared, embedder, progress, checkpoint=checkpoint)
        builder = GenerationBuilder(kb_dir, embedder.name, embedder.dimension, settings.as_dict(), True)
        manifest = _write_generation(builder, (), prepared, vectors)
        checkpoint.clear()
        return manifest


def _write_generation(
    builder: GenerationBuilder,
    removed: tuple[str, ...],
    prepared: list[PreparedDocument],
    vectors: list[_Vectors],
    live: Snapshot | None = None,
    carried: dict[str, str] | None = None,
) -> Manifest:
    """Apply removals and (re)additions to the new generation, carry over the previous version of
    failed files into a rebuild, publish it, and drop older generations."""
    try:
        for doc_id, content_hash in (carried or {}).items():  # doc_id → hash of the version kept
            if live is not None:
                builder.copy_document(live, doc_id, content_hash)
        for doc_id in removed:
            builder.remove_document(doc_id)
        for item, doc_vectors in zip(prepared, vectors):
            builder.remove_document(item.doc_id)
            builder.add_document(item, doc_vectors.chunks, doc_vectors.units)
        manifest = builder.publish()
    except (OSError, sqlite3.Error, RuntimeError) as error:  # full disk, unwritable folder (faiss: RuntimeError)
        builder.abandon()  # the live generation is untouched; nothing half-written is published
        raise write_failure(error, previous=read_current(builder.kb_dir) is not None) from error
    except BaseException:
        builder.abandon()  # the live generation is untouched
        raise
    finally:
        if live is not None:
            live.close()
    remove_stale(builder.kb_dir)
    return manifest


def _open_live(kb_dir: Path, embedder: Embedder, settings: ChunkSettings, full: bool) -> _Live:
    """The live generation, whether it must be rebuilt and why, and whether failing files keep theirs.

    A live generation that cannot be opened or read (damaged files, a CURRENT that names nothing)
    is not an error here: the corpus is all a rebuild needs, so the fix the error names works.
    """
    try:
        snapshot = open_snapshot(kb_dir)
    except NoIndexError:
        return _Live(None, "", False)
    except KnowledgeBaseError as error:
        return _Live(None, f"the existing index could not be used ({getattr(error, 'problem', error)})", False)
    try:
        snapshot.content_hashes()  # the one table every update reads whole: damage there means a rebuild
    except KnowledgeBaseError as error:
        snapshot.close()
        return _Live(None, f"the existing index could not be used ({getattr(error, 'problem', error)})", False)
    reason = incompatibility(snapshot.manifest, embedder.name, embedder.dimension, settings.as_dict())
    if full and not reason:
        return _Live(snapshot, "--full was asked for", True)
    return _Live(snapshot, reason, not reason)


def _plan(corpus_dir: Path, indexed: dict[str, str]) -> _Plan:
    """Sort corpus files into load / unchanged, and indexed ones gone into removed."""
    scan = scan_corpus(corpus_dir)
    to_load = tuple(f for f in scan.files if indexed.get(f.doc_id) != f.content_hash or f.unreadable)
    unchanged = tuple(f.doc_id for f in scan.files if f not in to_load)
    removed = tuple(sorted(set(indexed) - {f.doc_id for f in scan.files}))
    return _Plan(to_load, unchanged, removed, scan.skipped)


def _prepare_all(
    plan: _Plan,
    indexed: dict[str, str],
    previous: dict[str, str],
    can_keep: bool,
    settings: ChunkSettings,
    progress: Progress,
) -> tuple[list[FileResult], list[PreparedDocument]]:
    """Load and chunk every file to load; failures become results, never exceptions."""
    results: list[FileResult] = []
    prepared: list[PreparedDocument] = []
    progress.stage("files", len(plan.to_load))
    for item in plan.to_load:
        try:
            ready = prepare_file(item, settings)
        except LoadError as error:
            reason = str(error)
            if item.doc_id in previous:
                reason += (
                    "; the previous version stays searchable"
                    if can_keep
                    else "; its previous version is dropped (it was built with another model or chunking)"
                )
            results.append(FileResult(item.doc_id, "failed", reason=reason))
        else:
            prepared.append(ready)
            status = "updated" if item.doc_id in indexed else "added"
            results.append(FileResult(item.doc_id, status, chunks=len(ready.chunks)))
        progress.advance()
    return results, prepared


@dataclass(frozen=True)
class _Vectors:
    """Per prepared document: chunk vectors, and sentence-unit vectors (in `chunk_units` order)."""

    chunks: np.ndarray
    units: np.ndarray


def _embed_all(
    prepared: list[PreparedDocument],
    embedder: Embedder,
    progress: Progress,
    live: Snapshot | None = None,
    checkpoint: EmbeddingCheckpoint | None = None,
) -> tuple[list[_Vectors], int]:
    """Vectors for every prepared document's chunks and sentence units, and how many chunks were embedded.

    An input already stored for its document (an edit elsewhere in the file) keeps its vector, and
    an input repeated in this run (overlapping chunks share sentences) is embedded once, so an
    update costs what changed, not the whole document. With a checkpoint, vectors are saved every
    PART_SIZE inputs, and those an interrupted earlier run saved are not embedded again.
    """
    chunk_inputs = [[chunk.embed_text for chunk in item.chunks] for item in prepared]
    unit_inputs = [
        [
            embedding_input(chunk.context, item.document.text[a:b])
            for chunk in item.chunks
            for a, b in chunk_units(item.document.text, chunk.char_start, chunk.char_end)
        ]
        for item in prepared
    ]
    known: dict[str, np.ndarray] = {}
    if live is not None:
        for item in prepared:
            known.update(live.vectors_by_input(item.doc_id))
            known.update(live.unit_vectors_by_input(item.doc_id))
    chunk_todo = list(dict.fromkeys(t for texts in chunk_inputs for t in texts if t not in known))
    queued = set(chunk_todo)  # a set: membership tests on a list would make big ingests quadratic
    unit_todo = list(dict.fromkeys(t for texts in unit_inputs for t in texts if t not in known and t not in queued))
    saved = checkpoint.load() if checkpoint is not None else {}
    resumed = 0
    for name, todo in (("chunks", chunk_todo), ("sentences", unit_todo)):
        progress.stage(name, len(todo))
        missing = []
        for text in todo:
            vector = saved.get(input_key(text)) if saved else None
            if vector is None:
                missing.append(text)
            else:
                known[text] = vector
        progress.advance(len(todo) - len(missing))
        resumed += len(todo) - len(missing) if name == "chunks" else 0
        step = PART_SIZE if checkpoint is not None else max(len(missing), 1)  # one call when nothing is saved
        for at in range(0, len(missing), step):
            part = missing[at : at + step]
            part_vectors = embedder.embed(part, on_batch=progress.advance)
            known.update(zip(part, part_vectors))
            if checkpoint is not None:
                checkpoint.save(part, part_vectors)
    empty = np.zeros((0, embedder.dimension), dtype=np.float32)
    vectors = [
        _Vectors(
            np.array([known[t] for t in chunks], dtype=np.float32).reshape(-1, embedder.dimension),
            np.array([known[t] for t in units], dtype=np.float32).reshape(-1, embedder.dimension) if units else empty,
        )
        for chunks, units in zip(chunk_inputs, unit_inputs)
    ]
    return vectors, len(chunk_todo) - resumed


def _report(
    plan: _Plan,
    results: list[FileResult],
    live: _Live,
    manifest: Manifest | None,
    started: float,
    embedded: int,
) -> IngestReport:
    unchanged = [FileResult(d, "unchanged") for d in plan.unchanged]
    removed = [FileResult(d, "removed") for d in plan.removed]
    skipped = [FileResult(s.doc_id, "skipped", reason=s.reason) for s in plan.skipped]
    files = sorted(results + unchanged + removed + skipped, key=lambda r: r.doc_id)
    if manifest is not None:
        documents, chunks, generation = manifest.documents, manifest.chunks, generation_name(manifest.generation)
    elif live.snapshot is not None:
        manifest = live.snapshot.manifest
        documents, chunks, generation = manifest.documents, manifest.chunks, live.snapshot.name
        live.snapshot.close()
    else:
        documents, chunks, generation = 0, 0, None
    return IngestReport(
        files=tuple(files),
        documents=documents,
        chunks=chunks,
        seconds=round(time.monotonic() - started, 3),
        generation=generation,
        rebuilt=live.rebuild,
        embedded_chunks=embedded,
    )
