"""Turn one corpus file into a `Document`, choosing the loader by file suffix.

Adding a format means one loader function in its own module and one line in `_LOADERS`.
Every failure, including an unexpected crash inside a parser library, comes out as a
`LoadError` whose message is a short reason fit for the ingest report. `sniff_format`
checks that a file's bytes match its suffix, for uploads. No chunking or storage here.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path

from ingest.document import Document, LoadError
from ingest.loaders._common import decode_utf8
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.medquad import _match_schema, load_medquad
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_markdown, load_txt

__all__ = ["SUPPORTED_SUFFIXES", "LoadError", "is_meta_file", "load_document", "sniff_format"]

_LOADERS: dict[str, Callable[[Path, str], Document]] = {
    ".txt": load_txt,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".xml": load_medquad,
}

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_LOADERS)

# Licence and attribution files travel with the documents they describe; they are not documents.
_META_FILE = re.compile(r"^(license|licence|readme|notice|attribution|copying)(\.[a-z]+)?$", re.IGNORECASE)

_PLAIN_TEXT_SUFFIXES = (".txt", ".md", ".markdown")
_HTML_SUFFIXES = (".html", ".htm")


def load_document(path: Path, doc_id: str) -> Document:
    """Load `path` with the loader for its suffix; every failure is raised as LoadError."""
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise LoadError(f"unsupported file type {suffix or '(no suffix)'}")
    if not path.is_file():
        raise LoadError("file not found" if not path.exists() else "not a regular file")
    try:
        document = loader(path, doc_id)
    except LoadError:
        raise
    except OSError as exc:
        raise LoadError(f"cannot read file ({exc.strerror or type(exc).__name__})") from exc
    except Exception as exc:
        # Parser libraries raise all sorts on hostile or damaged files; report, don't crash.
        raise LoadError(f"cannot parse {suffix} file ({type(exc).__name__})") from exc
    if not document.sections:
        raise LoadError("no text found besides the title and headings")
    return document


def is_meta_file(name: str) -> bool:
    """True for LICENSE, README, NOTICE, ATTRIBUTION or COPYING files: never indexed."""
    return _META_FILE.match(name) is not None


def sniff_format(data: bytes, suffix: str) -> bool:
    """True when the bytes look like the format their suffix claims."""
    suffix = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    if suffix == ".pdf":
        return data.startswith(b"%PDF-")
    if suffix == ".docx":
        return _is_docx(data)
    if suffix == ".xml":
        return _is_medquad(data)
    if suffix in _PLAIN_TEXT_SUFFIXES:
        return b"\x00" not in data and _is_utf8(data)
    if suffix in _HTML_SUFFIXES:
        return _is_utf8(data)
    return False


def _is_utf8(data: bytes) -> bool:
    try:
        decode_utf8(data)
    except LoadError:
        return False
    return True


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def _is_medquad(data: bytes) -> bool:
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError):
        return False
    return _match_schema(root) is not None
