"""Bring the index up to date with the corpus directory: the one entry point for (re)indexing.

Each run hashes every corpus file and compares with the live index: new and changed files are
loaded, chunked and embedded; unchanged files cost nothing; removed files are deleted with
all their rows and vectors. A changed model or chunking setting rebuilds everything. The
new generation is built beside the live one under the writer lock and published atomically,
so readers never see a partial index. Output is an `IngestReport`; printing is the CLI's job.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from index.builder import GenerationBuilder, remove_stale
from index.embedder import Embedder
from index.errors import IndexMismatchError
from index.lock import writer_lock
from index.store import Manifest, Snapshot, open_snapshot, read_current
from ingest.chunker import ChunkSettings, chunk_document
from ingest.document import Chunk, Document, LoadError
from ingest.loaders import SUPPORTED_SUFFIXES, is_meta_file, load_document
from ingest.tokens import load_token_counter

STATUSES = ("added", "updated", "unchanged", "removed", "failed", "skipped")


class Progress(Protocol):
    """Receives progress: a stage ("files", "chunks") with its total, then advances."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass(frozen=True)
class FileResult:
    """What happened to one file: a status from STATUSES, chunk count, and why when relevant."""

    doc_id: str
    status: str
    chunks: int = 0
    reason: str = ""


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one run, per file and in total."""

    files: tuple[FileResult, ...]
    documents: int  # in the index after the run
    chunks: int
    seconds: float
    generation: str | None
    rebuilt: str = ""  # why everything was re-embedded, when it was
    dry_run: bool = False
    embedded_chunks: int = 0

    def totals(self) -> dict[str, int]:
        """Count of files per status."""
        counts = Counter(f.status for f in self.files)
        return {status: counts.get(status, 0) for status in STATUSES}

    def to_json(self) -> str:
        """One JSON object: files, totals and run facts."""
        data = asdict(self)
        data["totals"] = self.totals()
        return json.dumps(data, ensure_ascii=False)


@dataclass(frozen=True)
class _CorpusFile:
    doc_id: str
    path: Path
    content_hash: str
    unreadable: str = ""  # why the file could not even be read


@dataclass
class _Plan:
    to_load: list[_CorpusFile] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[FileResult] = field(default_factory=list)


def ingest(
    corpus_dir: Path,
    kb_dir: Path,
    embedder: Embedder,
    settings: ChunkSettings = ChunkSettings(),
    *,
    full: bool = False,
    dry_run: bool = False,
    wait_seconds: float = 0.0,
    progress: Progress | None = None,
) -> IngestReport:
    """Update the index in kb_dir from corpus_dir; see the module docstring."""
    started = time.monotonic()
    progress = progress or _Silent()
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus directory {corpus_dir} does not exist")
    with writer_lock(kb_dir, wait_seconds):
        if not dry_run:
            remove_stale(kb_dir)
        live, rebuilt = _open_live(kb_dir, embedder, settings, full)
        previous = live.content_hashes() if live else {}
        indexed = {} if rebuilt else previous
        # A file that fails keeps its previous version, unless a new model or chunking makes it unusable.
        can_keep = not rebuilt or (live is not None and _compatible(live, embedder, settings))
        plan = _plan(corpus_dir, indexed)
        if dry_run:
            return _dry_report(plan, indexed, live, rebuilt, started)
        results, loaded = _load_all(plan, indexed, previous, can_keep, settings, progress)
        if live is not None and not loaded and not plan.removed and not rebuilt:
            return _report(plan, results, live, None, rebuilt, started, 0)
        vectors, embedded = _embed_all(loaded, embedder, progress, None if rebuilt else live)
        builder = GenerationBuilder(kb_dir, embedder.name, embedder.dimension, settings.as_dict(), bool(rebuilt))
        carried = [r.doc_id for r in results if r.status == "failed" and r.doc_id in previous] if rebuilt and can_keep else []
        manifest = _write_generation(builder, plan.removed, loaded, vectors, live, {d: previous[d] for d in carried})
        if live:
            live.close()
        return _report(plan, results, None, manifest, rebuilt, started, embedded)


def index_documents(
    documents: list[Document],
    kb_dir: Path,
    embedder: Embedder,
    settings: ChunkSettings = ChunkSettings(),
    progress: Progress | None = None,
) -> Manifest:
    """Build a fresh index of in-memory documents (benchmark corpora that are not files)."""
    progress = progress or _Silent()
    counter = load_token_counter()
    with writer_lock(kb_dir):
        remove_stale(kb_dir)
        loaded = []
        progress.stage("files", len(documents))
        for doc in documents:
            content_hash = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
            loaded.append((doc, content_hash, chunk_document(doc, counter, settings)))
            progress.advance()
        vectors, _ = _embed_all(loaded, embedder, progress)
        builder = GenerationBuilder(kb_dir, embedder.name, embedder.dimension, settings.as_dict(), True)
        return _write_generation(builder, [], loaded, vectors)


def _write_generation(
    builder: GenerationBuilder,
    removed: list[str],
    loaded: list[tuple[Document, str, list[Chunk]]],
    vectors: list[np.ndarray],
    live: Snapshot | None = None,
    carried: dict[str, str] | None = None,
) -> Manifest:
    """Apply removals and (re)additions to the new generation, carry over the previous version of
    failed files into a rebuild, publish it, and drop older generations."""
    try:
        for doc_id, content_hash in (carried or {}).items():  # doc_id → hash of the version kept
            builder.copy_document(live, doc_id, content_hash)
        for doc_id in removed:
            builder.remove_document(doc_id)
        for (doc, content_hash, chunks), doc_vectors in zip(loaded, vectors):
            builder.remove_document(doc.doc_id)
            builder.add_document(doc, content_hash, chunks, doc_vectors)
        manifest = builder.publish()
    except BaseException:
        builder.abandon()  # the live generation is untouched
        raise
    remove_stale(builder.kb_dir)
    return manifest


def _open_live(kb_dir: Path, embedder: Embedder, settings: ChunkSettings, full: bool) -> tuple[Snapshot | None, str]:
    """The live generation (if any) and the reason for a full rebuild ("" when incremental)."""
    if read_current(kb_dir) is None:
        return None, ""
    try:
        live = open_snapshot(kb_dir)
    except IndexMismatchError as error:
        return None, f"the existing index could not be used ({error})"
    manifest = live.manifest
    if full:
        return live, "--full was asked for"
    if manifest.model != embedder.name or manifest.dimension != embedder.dimension:
        return live, f"the model changed ({manifest.model} → {embedder.name})"
    if manifest.chunking != settings.as_dict():
        return live, f"the chunking settings changed ({manifest.chunking} → {settings.as_dict()})"
    return live, ""


def _compatible(live: Snapshot, embedder: Embedder, settings: ChunkSettings) -> bool:
    """True when the live generation's vectors and chunks fit the current model and settings."""
    m = live.manifest
    return m.model == embedder.name and m.dimension == embedder.dimension and m.chunking == settings.as_dict()


def _plan(corpus_dir: Path, indexed: dict[str, str]) -> _Plan:
    """Sort corpus files into load / unchanged / skipped, and indexed ones gone into removed."""
    plan = _Plan()
    present = set()
    root = corpus_dir.resolve()
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue  # hidden files, e.g. an upload still being written
        doc_id = relative.as_posix()
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            plan.skipped.append(FileResult(doc_id, "skipped", reason="link to a file outside the corpus"))
            continue
        if is_meta_file(path.name):
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            plan.skipped.append(FileResult(doc_id, "skipped", reason=f"unsupported file type {path.suffix or '(none)'}"))
            continue
        present.add(doc_id)
        try:
            content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as error:  # reported as failed when loading, like a file that will not parse
            plan.to_load.append(_CorpusFile(doc_id, path, "", f"unreadable: {error.strerror or error}"))
            continue
        if indexed.get(doc_id) == content_hash:
            plan.unchanged.append(doc_id)
        else:
            plan.to_load.append(_CorpusFile(doc_id, path, content_hash))
    plan.removed = sorted(set(indexed) - present)
    return plan


def _load_all(
    plan: _Plan,
    indexed: dict[str, str],
    previous: dict[str, str],
    can_keep: bool,
    settings: ChunkSettings,
    progress: Progress,
) -> tuple[list[FileResult], list[tuple[Document, str, list[Chunk]]]]:
    """Load and chunk every file to load; failures become results, never exceptions."""
    counter = load_token_counter()
    results: list[FileResult] = []
    loaded: list[tuple[Document, str, list[Chunk]]] = []
    progress.stage("files", len(plan.to_load))
    for item in plan.to_load:
        try:
            if item.unreadable:
                raise LoadError(item.unreadable)
            doc = load_document(item.path, item.doc_id)
            if not doc.collection:
                doc = _with_collection(doc)
            chunks = chunk_document(doc, counter, settings)
            if not chunks:
                raise LoadError("no text found")
        except Exception as error:  # LoadError, or a parser bug: either way one file must not stop the run
            reason = str(error) if isinstance(error, LoadError) else f"unexpected error: {error!r}"
            if item.doc_id in previous:
                reason += ("; the previous version stays searchable" if can_keep
                           else "; its previous version is dropped (it was built with another model or chunking)")
            results.append(FileResult(item.doc_id, "failed", reason=reason))
        else:
            loaded.append((doc, item.content_hash, chunks))
            status = "updated" if item.doc_id in indexed else "added"
            results.append(FileResult(item.doc_id, status, chunks=len(chunks)))
        progress.advance()
    return results, loaded


def _with_collection(doc: Document) -> Document:
    """Default collection: the corpus sub-folder a document sits in."""
    folder = doc.doc_id.split("/")[0] if "/" in doc.doc_id else "corpus"
    return replace(doc, collection=folder)


def _embed_all(
    loaded: list[tuple[Document, str, list[Chunk]]],
    embedder: Embedder,
    progress: Progress,
    live: Snapshot | None = None,
) -> tuple[list[np.ndarray], int]:
    """Vectors for every loaded document's chunks (one array per document) and how many were embedded.

    A chunk whose exact embedding input is already stored for its document (an edit elsewhere in
    the file) keeps its vector, so an update costs what changed, not the whole document.
    """
    vectors = [np.zeros((len(chunks), embedder.dimension), dtype=np.float32) for _, _, chunks in loaded]
    todo: list[tuple[int, int, str]] = []  # (document, chunk, input)
    for d, (doc, _, chunks) in enumerate(loaded):
        known = live.vectors_by_input(doc.doc_id) if live is not None else {}
        for c, chunk in enumerate(chunks):
            if chunk.embed_text in known:
                vectors[d][c] = known[chunk.embed_text]
            else:
                todo.append((d, c, chunk.embed_text))
    progress.stage("chunks", len(todo))
    if todo:
        fresh = embedder.embed([text for _, _, text in todo], progress=progress.advance)
        for (d, c, _), vector in zip(todo, fresh):
            vectors[d][c] = vector
    return vectors, len(todo)


def _report(
    plan: _Plan,
    results: list[FileResult],
    live: Snapshot | None,
    manifest: Manifest | None,
    rebuilt: str,
    started: float,
    embedded: int,
) -> IngestReport:
    unchanged = [FileResult(d, "unchanged") for d in plan.unchanged]
    removed = [FileResult(d, "removed") for d in plan.removed]
    files = sorted(results + unchanged + removed + plan.skipped, key=lambda r: r.doc_id)
    if manifest is not None:
        documents, chunks, generation = manifest.documents, manifest.chunks, f"gen-{manifest.generation:06d}"
    elif live is not None:
        documents, chunks, generation = live.manifest.documents, live.manifest.chunks, live.name
        live.close()
    else:
        documents, chunks, generation = 0, 0, None
    return IngestReport(
        files=tuple(files),
        documents=documents,
        chunks=chunks,
        seconds=round(time.monotonic() - started, 3),
        generation=generation,
        rebuilt=rebuilt,
        embedded_chunks=embedded,
    )


def _dry_report(plan: _Plan, indexed: dict[str, str], live: Snapshot | None, rebuilt: str, started: float) -> IngestReport:
    results = [FileResult(f.doc_id, "updated" if f.doc_id in indexed else "added") for f in plan.to_load]
    return replace(_report(plan, results, live, None, rebuilt, started, 0), dry_run=True)
