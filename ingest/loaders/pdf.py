"""Load PDF files with pypdf: the text layer of each page, pages joined by a blank line.

Each non-empty page is one untitled section, so passages never cross a page boundary, and
`pages` maps every page's span back to its 1-based page number. Leaves out: OCR (a PDF
without a text layer is rejected as image-only or scanned), layout (columns, headers, footers
and hyphenation come through as pypdf extracts them), outlines and annotations. Encrypted
PDFs load only when they open with an empty password; a PDF with more pages than
`ingest.limits.MAX_PDF_PAGES` is refused before any page is read. What pypdf logs about a
damaged file ("EOF marker not found") is collected instead of reaching stderr, and becomes
part of the reason when the file cannot be loaded.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.generic import DictionaryObject

from ingest.document import Document, LoadError, Page, Section
from ingest.limits import check_pdf_pages
from ingest.loaders._common import first_nonblank_line, normalise_newlines, placeholder_title, trim_span
from ingest.loaders._text_builder import TextBuilder

_PAGE_SEPARATOR = "\n\n"
_MESSAGES_IN_REASON = 3


class _PypdfMessages(logging.Handler):
    """The one handler of the "pypdf" logger, which no longer propagates: a record logged while
    its thread reads a PDF here goes to that read's list; any other goes on to the root logger,
    as if the logger still propagated. Thread by thread, so concurrent reads never mix."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self._local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        collected: list[str] | None = getattr(self._local, "collected", None)
        if collected is None:
            logging.getLogger().handle(record)
        else:
            collected.append(record.getMessage())

    @contextmanager
    def collect(self) -> Iterator[list[str]]:
        """The messages pypdf logs in this thread while the block runs."""
        collected: list[str] = []
        self._local.collected = collected
        try:
            yield collected
        finally:
            self._local.collected = None


# Causes a curator can act on, found in what the reader raised or pypdf said while failing.
_PLAIN_CAUSES = (
    (re.compile(r"invalid pdf header|not a pdf", re.IGNORECASE), "the file does not start like a PDF"),
    (
        re.compile(r"EOF marker not found|ended unexpectedly|unexpected end", re.IGNORECASE),
        "the file is cut short or damaged",
    ),
)
_PYPDF_MESSAGES = _PypdfMessages()
_PYPDF_LOGGER = logging.getLogger("pypdf")
_PYPDF_LOGGER.addHandler(_PYPDF_MESSAGES)
_PYPDF_LOGGER.propagate = False


def load_pdf(path: Path, doc_id: str) -> Document:
    """Load a PDF's text layer page by page; metadata /Title, else first line, is the title."""
    with _PYPDF_MESSAGES.collect() as messages:
        try:
            return _load_pdf(path, doc_id)
        except LoadError as error:
            raise LoadError(_with_messages(str(error), messages)) from None


def _with_messages(reason: str, messages: list[str]) -> str:
    """The reason, the cause in plain words when it is a known one, then the first few distinct
    things pypdf said while failing: "not a readable PDF: the file is cut short or damaged (Stream
    has ended unexpectedly); details: EOF marker not found"."""
    said = [" ".join(m.split()) for m in dict.fromkeys(messages) if m.strip()][:_MESSAGES_IN_REASON]
    details = "; ".join(said)
    cause = next((plain for pattern, plain in _PLAIN_CAUSES if pattern.search(f"{reason} {details}")), "")
    if cause:
        head, bracket, rest = reason.partition(" (")
        reason = f"{head}: {cause}{bracket}{rest}"
    return f"{reason}; details: {details}" if said else reason


def _load_pdf(path: Path, doc_id: str) -> Document:
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

    check_pdf_pages(_declared_pages(reader))
    builder = TextBuilder()
    pages: list[Page] = []
    try:
        page_objects = list(reader.pages)
    except Exception as exc:
        raise LoadError(f"broken PDF page tree ({_describe(exc)})") from None
    check_pdf_pages(len(page_objects))
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
        raise LoadError(_no_text_reason(len(page_objects)))

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


def _no_text_reason(page_count: int) -> str:
    if page_count == 0:
        return "no text found: the PDF has no pages"
    pages = "its page has" if page_count == 1 else f"its {page_count} pages have"
    return f"no text found (scanned PDF?): {pages} no text layer, only images or drawings; OCR is not done here"


def _declared_pages(reader: PdfReader) -> int:
    """The page count the page tree declares (/Count), read without walking the tree; 0 if unreadable."""
    try:
        root = reader.trailer["/Root"].get_object()
        tree = root["/Pages"].get_object() if isinstance(root, DictionaryObject) else None
        count = tree.get("/Count") if isinstance(tree, DictionaryObject) else None
        return int(count) if isinstance(count, int) else 0
    except Exception:
        return 0  # a damaged tree is reported when the pages are read


def _tidy_page(raw: str) -> str:
    # pypdf pads lines with spaces and may emit NULs for unmapped glyphs.
    lines = normalise_newlines(raw.replace("\x00", "")).split("\n")
    text = _WRAPPED.sub(" ", "\n".join(line.rstrip() for line in lines))
    start, end = trim_span(text, 0, len(text))
    return text[start:end]


# A line the page's width broke mid-sentence: it ends in a letter, digit, comma or closing bracket and
# the next line goes on in lower case. A line break ends a sentence (`ingest.sentences`), so left
# alone it would cut the evidence sentence in two ("…patients with cervical" / "dystonia improved.").
# Headings, list items and addresses start their next line with a capital, a digit or a bullet and
# keep theirs; a hyphen at the end ("treat-" / "ment") is kept as the PDF has it.
_WRAPPED = re.compile(r"(?<=[\w,)\]])\n(?=[a-z(])")


def _metadata_title(reader: PdfReader) -> str:
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except Exception:
        # A damaged info dictionary should not cost us the text.
        return ""
    title = " ".join(str(title).split()) if title else ""
    return "" if placeholder_title(title) else title


def _first_line(text: str) -> str:
    span = first_nonblank_line(text)
    assert span is not None  # pages is non-empty, so text has a visible line
    return text[span[0] : span[1]]


def _describe(exc: Exception) -> str:
    """What the exception says (its first line), or its kind when it says nothing."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return message or type(exc).__name__
