"""Load PDF files with pypdf: the text layer of each page, pages joined by a blank line.

Each non-empty page is one untitled section, so passages never cross a page boundary, and
`pages` maps every page's span back to its 1-based page number. Leaves out: OCR (a PDF
without a text layer is rejected as probably scanned), layout (columns, headers, footers
and hyphenation come through as pypdf extracts them), outlines and annotations. Encrypted
PDFs load only when they open with an empty password.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PasswordType, PdfReader

from ingest.document import Document, LoadError, Page, Section
from ingest.loaders._common import first_nonblank_line, normalise_newlines, trim_span
from ingest.loaders._text_builder import TextBuilder

_PAGE_SEPARATOR = "\n\n"


def load_pdf(path: Path, doc_id: str) -> Document:
    """Load a PDF's text layer page by page; metadata /Title, else first line, is the title."""
    try:
        reader = PdfReader(path)
    except OSError:
        raise  # unreadable file, reported as such by load_document
    except Exception as exc:
        raise LoadError(f"not a readable PDF ({_describe(exc)})") from None
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except Exception:
            opened = False
        if not opened:
            raise LoadError("encrypted PDF (needs a password)")

    builder = TextBuilder()
    pages: list[Page] = []
    try:
        page_objects = list(reader.pages)
    except Exception as exc:
        raise LoadError(f"broken PDF page tree ({_describe(exc)})") from None
    for number, page in enumerate(page_objects, start=1):
        try:
            raw = page.extract_text() or ""
        except Exception as exc:
            raise LoadError(f"could not extract text from page {number} ({_describe(exc)})") from None
        page_text = _tidy_page(raw)
        if not page_text:
            continue
        start, end = builder.add(page_text, _PAGE_SEPARATOR)
        pages.append(Page(number=number, start=start, end=end))
    text = builder.text()
    if not pages:
        raise LoadError("no text found (scanned PDF?)")

    return Document(
        doc_id=doc_id,
        title=_metadata_title(reader) or _first_line(text),
        source=doc_id,
        text=text,
        sections=tuple(Section(heading="", start=p.start, end=p.end) for p in pages),
        pages=tuple(pages),
        format="pdf",
    )


def sniff_pdf(data: bytes) -> bool:
    """True when the bytes start like a PDF."""
    return data.startswith(b"%PDF-")


def _tidy_page(raw: str) -> str:
    # pypdf pads lines with spaces and may emit NULs for unmapped glyphs.
    lines = normalise_newlines(raw.replace("\x00", "")).split("\n")
    text = "\n".join(line.rstrip() for line in lines)
    start, end = trim_span(text, 0, len(text))
    return text[start:end]


def _metadata_title(reader: PdfReader) -> str:
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except Exception:
        # A damaged info dictionary should not cost us the text.
        return ""
    return " ".join(str(title).split()) if title else ""


def _first_line(text: str) -> str:
    span = first_nonblank_line(text)
    assert span is not None  # pages is non-empty, so text has a visible line
    return text[span[0] : span[1]]


def _describe(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
