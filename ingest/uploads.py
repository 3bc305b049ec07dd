"""Accept a curator's uploaded file into the corpus: safe name, right type, size limit, no silent overwrite.

The name keeps only its last path component and plain characters, so "../../etc/passwd.txt"
becomes "passwd.txt" and always lands in `<corpus>/uploads/`. Hostile bytes (a .docx that
would inflate past the limits of `ingest.limits`, XML declaring entities) are refused with the
reason before anything parses them; then the type is checked by extension and by content
(`sniff_format`), and the file is parsed as the reindex will parse it, so one that would only
fail there (blank lines, a truncated PDF) is refused now. An existing file is replaced only when
the caller says so. Writing is atomic (temporary file, fsync, `os.replace`), so a reindex never
reads half a file.
Reindexing is the caller's next step.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.document import LoadError
from ingest.limits import MAX_UPLOAD_BYTES
from ingest.loaders import (
    FORMATS,
    SUPPORTED_SUFFIXES,
    check_content,
    formats_label,
    is_meta_file,
    load_document,
    sniff_format,
)
from ingest.loaders._common import decode_utf8

UPLOAD_FOLDER = "uploads"
MAX_NAME_CHARS = 120
TEXT_SUFFIXES = frozenset(s for f in FORMATS if f.name in ("txt", "md") for s in f.suffixes)  # UTF-8 text
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadError(Exception):
    """The upload cannot be accepted; the message says why, for the curator."""


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, with where it would go."""

    name: str  # the safe file name
    doc_id: str  # path relative to the corpus
    path: Path
    exists: bool  # saving it replaces a document


def safe_name(filename: str) -> str:
    """The last path component of filename, reduced to letters, digits, '.', '_', '-' and spaces."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", filename))[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode())
    stem = re.sub(r"_+", "_", stem).strip(" ._-")[:MAX_NAME_CHARS] or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def upload_types() -> list[str]:
    """File extensions an uploader should accept (no dot), from the format registry."""
    return [suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES]


def upload_help() -> str:
    """What the uploader accepts, in words."""
    return f"{formats_label()} — up to {MAX_UPLOAD_BYTES // 2**20} MB each"


def check_upload(corpus_dir: Path, filename: str, data: bytes) -> CheckedUpload:
    """Run every check on an upload; raises UploadError with the reason."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted({f.suffixes[0] for f in FORMATS}))
        raise UploadError(f"{filename}: {suffix or 'no'} file type is not supported (use {kinds})")
    if is_meta_file(name):
        raise UploadError(f"{filename}: licence and readme files are not indexed; rename the document")
    if not data:
        raise UploadError(f"{filename}: the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{filename}: {len(data) / 2**20:.1f} MB is over the {MAX_UPLOAD_BYTES // 2**20} MB limit")
    try:
        check_content(data, suffix)
    except LoadError as error:
        raise UploadError(f"{filename}: {error}") from None
    if not sniff_format(data, suffix):
        raise UploadError(f"{filename}: {_invalid(data, suffix)}")
    _check_loads(filename, name, data)
    path = corpus_dir / UPLOAD_FOLDER / name
    return CheckedUpload(name=name, doc_id=f"{UPLOAD_FOLDER}/{name}", path=path, exists=path.exists())


def _invalid(data: bytes, suffix: str) -> str:
    """Why content is not what its suffix says: for text in another encoding, how to fix it."""
    if suffix in TEXT_SUFFIXES:
        if b"\x00" in data:
            return f"the content is binary data, not text: a {suffix} file must be plain UTF-8 text"
        try:
            decode_utf8(data)
        except LoadError as error:
            return str(error)  # "not valid UTF-8 text (byte 0xe9 at offset 3): save it as UTF-8"
    return f"the content is not a valid {suffix} file"


def _check_loads(filename: str, name: str, data: bytes) -> None:
    """Parse the upload as the reindex will (from a private copy), so a file the reindex would fail
    on (only blank lines, a truncated PDF) is refused now, with the reason, and never saved."""
    with tempfile.TemporaryDirectory(prefix="kb-upload-") as folder:
        copy = Path(folder) / name
        copy.write_bytes(data)
        try:
            load_document(copy, f"{UPLOAD_FOLDER}/{name}")
        except LoadError as error:
            raise UploadError(f"{filename}: {error}") from None


def save_upload(checked: CheckedUpload, data: bytes, replace: bool = False) -> Path:
    """Write the upload into the corpus atomically; refuses to replace unless `replace`."""
    if checked.path.exists() and not replace:
        raise UploadError(f"{checked.doc_id} already exists; confirm to replace it")
    checked.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = checked.path.with_name(f".{checked.name}.part")  # hidden: ingest ignores dot files
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, checked.path)
    return checked.path
