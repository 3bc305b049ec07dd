"""Find the documents in a corpus folder: which files count, their ids, content hashes and collections.

A document's id is its path relative to the corpus folder (forward slashes); its collection is
the first folder under the corpus ("corpus" for files at the top), whatever the format.
Hidden files (an upload still being written) and licence/readme files are not documents;
unsupported types and symbolic links that lead outside the corpus, to a folder or nowhere are
listed as skipped with the reason, and never followed. Reading a file that will not open, or
one over `ingest.limits.MAX_FILE_BYTES` (refused from its size, never read), is not an error
here: the file carries the reason, so the report can list it as failed. Hashing streams the
file, so memory does not grow with its size. Nothing is parsed or stored here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.document import Document, LoadError
from ingest.limits import check_file_size
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
    """Walk corpus_dir in sorted order and sort its files into documents and skipped files.

    Links to folders are not descended into (`Path.rglob` does not follow them).
    """
    files: list[CorpusFile] = []
    skipped: list[SkippedFile] = []
    root = corpus_dir.resolve()
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue  # hidden files, e.g. an upload still being written
        doc_id = relative.as_posix()
        link_problem = _link_problem(path, root) if path.is_symlink() else ""
        if link_problem:
            skipped.append(SkippedFile(doc_id, link_problem))
            continue
        if not path.is_file() or is_meta_file(path.name):
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(SkippedFile(doc_id, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        files.append(_corpus_file(doc_id, path))
    return CorpusScan(tuple(files), tuple(skipped))


def _link_problem(path: Path, root: Path) -> str:
    """Why a symbolic link is passed over ("" for a link to a file inside the corpus)."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop
        return "broken link (not followed)"
    kind = "folder" if target.is_dir() else "file"
    if not target.is_relative_to(root):
        return f"link to a {kind} outside the corpus (not followed)"
    return "link to a folder (not followed)" if kind == "folder" else ""


def _corpus_file(doc_id: str, path: Path) -> CorpusFile:
    """The file with the hash of its bytes, or with the reason it cannot be read or is refused."""
    try:
        check_file_size(path.stat().st_size)
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        return CorpusFile(doc_id, path, "", f"unreadable: {error.strerror or error}")
    except LoadError as error:
        return CorpusFile(doc_id, path, "", str(error))
    return CorpusFile(doc_id, path, digest)


def with_collection(doc: Document) -> Document:
    """The document with its collection: the first folder under the corpus ("corpus" for files at
    the top), for every format; whatever a loader named is replaced, so the rule has no exceptions."""
    folder = doc.doc_id.split("/")[0] if "/" in doc.doc_id else "corpus"
    return doc if doc.collection == folder else replace(doc, collection=folder)
