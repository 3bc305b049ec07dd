"""The format registry: which loader reads which files, and how uploads are checked.

Adding a format is one loader module (a `load_*(path, doc_id) -> Document` and a
`sniff_*(data) -> bool`) plus one `Format` line in `FORMATS`; the supported suffixes, the
upload checks, the page's accepted types and the messages all derive from that list. Several
formats may share a suffix (two XML schemas): the first whose sniffer accepts the bytes loads
the file. Every failure, including an unexpected crash inside a parser library, comes out as a
`LoadError` whose message is a short reason fit for the ingest report. A file over a limit of
`ingest.limits` (its size; for some formats a check of the bytes, such as a .docx that would
inflate too far) is refused before its parser sees it. No chunking or storage.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.document import Document, LoadError
from ingest.limits import check_file_size
from ingest.loaders._common import refuse_other_unicode

__all__ = [
    "FORMATS",
    "SUPPORTED_SUFFIXES",
    "Format",
    "LoadError",
    "check_content",
    "formats_for",
    "formats_label",
    "is_meta_file",
    "load_document",
    "sniff_format",
]


def _no_check(data: bytes) -> None:
    """The content check of formats whose loader needs none before parsing."""


@dataclass(frozen=True)
class Format:
    """One document format: its name, how people call it, its file suffixes, loader and sniffer,
    and the check that refuses hostile bytes with a LoadError before anything parses them."""

    name: str
    label: str
    suffixes: tuple[str, ...]  # lower case, with the dot; the first is the usual one
    load: Callable[[Path, str], Document]
    sniff: Callable[[bytes], bool]
    check: Callable[[bytes], None] = _no_check


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """`name` of the loader module `module`, imported at the first call: the parser libraries
    (pypdf, python-docx, BeautifulSoup, PyYAML: ~0.2 s) load when a file of their format is read,
    not for a search or `stats` that only needs the registry's suffixes."""

    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(f"ingest.loaders.{module}"), name)(*args)

    call.__name__ = call.__qualname__ = name
    return call


FORMATS: tuple[Format, ...] = (
    Format("txt", "Text", (".txt",), _lazy("text", "load_txt"), _lazy("text", "sniff_text"), refuse_other_unicode),
    Format(
        "md",
        "Markdown",
        (".md", ".markdown"),
        _lazy("text", "load_markdown"),
        _lazy("text", "sniff_text"),
        refuse_other_unicode,
    ),
    Format(
        "html", "HTML", (".html", ".htm"), _lazy("html", "load_html"), _lazy("html", "sniff_html"), refuse_other_unicode
    ),
    Format("pdf", "PDF", (".pdf",), _lazy("pdf", "load_pdf"), _lazy("pdf", "sniff_pdf")),
    Format(
        "docx",
        "Word (.docx)",
        (".docx",),
        _lazy("docx", "load_docx"),
        _lazy("docx", "sniff_docx"),
        _lazy("docx", "check_docx_bytes"),
    ),
    Format(
        "medquad",
        "MedQuAD XML",
        (".xml",),
        _lazy("medquad", "load_medquad"),
        _lazy("medquad", "sniff_medquad"),
        _lazy("medquad", "check_xml_entities"),
    ),
)

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(dict.fromkeys(s for f in FORMATS for s in f.suffixes))

# Licence and attribution files travel with the documents they describe; they are not documents.
_META_FILE = re.compile(r"^(license|licence|readme|notice|attribution|copying)(\.[a-z]+)?$", re.IGNORECASE)


def formats_for(suffix: str) -> tuple[Format, ...]:
    """The formats that read files with this suffix (any case, with or without the dot)."""
    suffix = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    return tuple(f for f in FORMATS if suffix in f.suffixes)


def formats_label() -> str:
    """The formats in words, for people: "Text, Markdown, …, Word (.docx) or MedQuAD XML"."""
    labels = [f.label for f in FORMATS]
    return ", ".join(labels[:-1]) + f" or {labels[-1]}" if len(labels) > 1 else labels[0]


def format_label(name: str) -> str:
    """A format's name for people ("MedQuAD XML" for "medquad"); an unknown name as it is."""
    return next((f.label for f in FORMATS if f.name == name), name)


def load_document(path: Path, doc_id: str) -> Document:
    """Load `path` with the format its suffix (and, when shared, its content) names; raises LoadError."""
    suffix = path.suffix.lower()
    candidates = formats_for(suffix)
    if not candidates:
        raise LoadError(f"unsupported file type {suffix or '(no suffix)'}")
    if not path.is_file():
        raise LoadError("file not found" if not path.exists() else "not a regular file")
    try:
        check_file_size(path.stat().st_size)
        chosen = candidates[0]
        if len(candidates) > 1:
            data = path.read_bytes()
            chosen = next((f for f in candidates if f.sniff(data)), candidates[0])
        document = chosen.load(path, doc_id)
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


def check_content(data: bytes, suffix: str) -> None:
    """Refuse bytes that a format of this suffix would not let near its parser; raises LoadError."""
    check_file_size(len(data))
    for fmt in formats_for(suffix):
        fmt.check(data)


def is_meta_file(name: str) -> bool:
    """True for LICENSE, README, NOTICE, ATTRIBUTION or COPYING files: never indexed."""
    return _META_FILE.match(name) is not None


def sniff_format(data: bytes, suffix: str) -> bool:
    """True when the bytes look like one of the formats their suffix claims."""
    return any(f.sniff(data) for f in formats_for(suffix))
