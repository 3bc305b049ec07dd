"""Find the documents in a corpus folder: which files count, their ids, content hashes and collections.

A document's id is its path relative to the corpus folder (forward slashes); its collection is
the first folder under the corpus ("corpus" for files at the top) unless its loader names one.
Hidden files (an upload still being written), licence/readme files and links that lead outside
the corpus are not documents; unsupported types are listed as skipped with the reason. Reading
a file that will not open is not an error here: the file carries the reason, so the report
can list it as failed. Nothing is parsed or stored here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.document import Document
from ingest.loaders import SUPPORTED_SUFFIXES, is_meta_file


@dataclass(frozen=True)
class CorpusFile:
    """A file to index, with the hash of its bytes ("" and a reason when it cannot be read)."""

    doc_id: str
    path: Path
    content_hash: str
    unreadable: str = ""


@dataclass(frozen=True)
class SkippedFile:
    """A file that is not indexed, and why."""

    doc_id: str
    reason: str


@dataclass(frozen=True)
class CorpusScan:
    """Every document file of a corpus folder, and the files passed over."""

    files: tuple[CorpusFile, ...] = ()
    skipped: tuple[SkippedFile, ...] = field(default_factory=tuple)


def content_hash(data: bytes) -> str:
    """The hash that says whether a document changed."""
    return hashlib.sha256(data).hexdigest()


def scan_corpus(corpus_dir: Path) -> CorpusScan:
    """Walk corpus_dir in sorted order and sort its files into documents and skipped files."""
    files: list[CorpusFile] = []
    skipped: list[SkippedFile] = []
    root = corpus_dir.resolve()
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue  # hidden files, e.g. an upload still being written
        doc_id = relative.as_posix()
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            skipped.append(SkippedFile(doc_id, "link to a file outside the corpus"))
            continue
        if is_meta_file(path.name):
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(SkippedFile(doc_id, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        try:
            files.append(CorpusFile(doc_id, path, content_hash(path.read_bytes())))
        except OSError as error:
            files.append(CorpusFile(doc_id, path, "", f"unreadable: {error.strerror or error}"))
    return CorpusScan(tuple(files), tuple(skipped))


def with_collection(doc: Document) -> Document:
    """The document with its default collection when its loader named none: its first folder."""
    if doc.collection:
        return doc
    folder = doc.doc_id.split("/")[0] if "/" in doc.doc_id else "corpus"
    return replace(doc, collection=folder)
