"""Load Word documents (.docx) with python-docx: body paragraphs and tables in document order.

Paragraphs whose style is "Heading …" start sections; the first "Title" paragraph (else
the core-properties title, else the first paragraph) names the document. Paragraphs are
joined by single newlines, empty ones dropped; each table row is one line of its cells
joined by " | ". Leaves out: page headers and footers, footnotes, comments, text boxes,
tracked changes and images; a table nested in a cell comes through only as cell text.
A zip bomb is refused before anything is inflated: the member sizes in the zip directory are
checked against `ingest.limits` first. python-docx parses with lxml's `resolve_entities=False`,
so entity declarations in the XML are never expanded.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.document import Document, LoadError
from ingest.limits import check_archive
from ingest.loaders._common import collapse_spaces, placeholder_title, require_text, tidy_lines
from ingest.loaders._text_builder import TextBuilder

_BODY, _HEADING, _TITLE = "body", "heading", "title"


def load_docx(path: Path, doc_id: str) -> Document:
    """Load a .docx: paragraphs and table rows as lines, Heading-styled paragraphs as sections."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_docx_archive(archive, path.stat().st_size)
        document = docx.Document(str(path))
    except (OSError, LoadError):
        raise  # unreadable (reported as such by load_document) or over a limit
    except zipfile.BadZipFile as exc:
        raise LoadError(f"not a readable DOCX (not a zip archive: {exc})") from None
    except Exception as exc:
        raise LoadError(f"not a readable DOCX ({_describe(exc)})") from None

    blocks = _blocks(document)
    title_index = next((i for i, (kind, _) in enumerate(blocks) if kind == _TITLE), None)
    title = collapse_spaces(blocks[title_index][1]) if title_index is not None else ""
    if not title:
        title = _core_title(document)
    if not title and blocks:
        # Fall back to the first paragraph; it then acts as the title line, outside sections.
        title = collapse_spaces(blocks[0][1])
        if blocks[0][0] == _BODY:
            blocks[0] = (_TITLE, blocks[0][1])

    builder = TextBuilder()
    for kind, block in blocks:
        if kind == _HEADING:
            builder.add_heading(block, "\n", name=collapse_spaces(block))
        elif kind == _TITLE:
            builder.add_title(block, "\n")
        else:
            builder.add(block, "\n")
    text = builder.text()
    require_text(text)

    return Document(
        doc_id=doc_id,
        title=title,
        source=doc_id,
        text=text,
        sections=builder.sections(),
        format="docx",
    )


def sniff_docx(data: bytes) -> bool:
    """True for a zip archive holding word/document.xml, within the inflation limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_docx_archive(archive, len(data))
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, LoadError):
        return False


def check_docx_bytes(data: bytes) -> None:
    """Refuse the bytes of a .docx that would inflate past the limits; other damage is the sniffer's."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    with archive:
        check_docx_archive(archive, len(data))


def check_docx_archive(archive: zipfile.ZipFile, packed: int) -> None:
    """Refuse a zip bomb from the sizes in the zip directory alone, before any member is read."""
    check_archive(".docx", sum(info.file_size for info in archive.infolist()), packed)


def _blocks(document: docx.document.Document) -> list[tuple[str, str]]:
    """(kind, text) for every non-empty paragraph and table row, in document order."""
    blocks: list[tuple[str, str]] = []
    seen_title = False
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = tidy_lines(item.text)
            if not text:
                continue
            style = _style_name(item)
            if style.startswith("heading"):
                blocks.append((_HEADING, text))
            elif style == "title" and not seen_title:
                seen_title = True
                blocks.append((_TITLE, text))
            else:
                blocks.append((_BODY, text))
        elif isinstance(item, Table):
            blocks.extend((_BODY, row) for row in _table_rows(item))
    return blocks


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = []
        previous = None
        for cell in row.cells:
            # A merged cell is repeated once per grid column it spans; keep it once.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(collapse_spaces(cell.text))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except Exception:
        return ""
    return (style.name or "").strip().lower() if style is not None else ""


def _core_title(document: docx.document.Document) -> str:
    try:
        title = collapse_spaces(document.core_properties.title or "")
    except Exception:
        # A damaged docProps/core.xml only costs us this fallback.
        return ""
    return "" if placeholder_title(title) else title


def _describe(exc: Exception) -> str:
    """The exception's type and the first line of its message (lxml's says what it refused)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
