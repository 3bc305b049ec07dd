"""Helpers shared by the format loaders: strict UTF-8 decoding, newline normalisation,
and turning heading positions into trimmed `Section` spans.

No format knowledge here; each loader decides where its headings are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingest.document import LoadError, Section

_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0]+")
# Longest first: the UTF-32 little-endian mark starts with the UTF-16 one.
_OTHER_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


@dataclass(frozen=True)
class Marker:
    """A line of `text` that ends the previous section: a heading, or the title line.

    `heading` names the section that follows the line ("" for a title line, so the text
    after the title gets an untitled section and the title itself stays outside).
    """

    start: int
    end: int
    heading: str


def decode_utf8(data: bytes) -> str:
    """Decode strictly as UTF-8, dropping a leading BOM; never guess another encoding."""
    refuse_other_unicode(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): save it as UTF-8"
        ) from None
    return text


def refuse_other_unicode(data: bytes) -> None:
    """Name UTF-16 and UTF-32 text by its byte-order mark, rather than calling it binary or broken."""
    for bom, encoding in _OTHER_UNICODE_BOMS:
        if data.startswith(bom):
            raise LoadError(f"{encoding} text: save it as UTF-8")


def is_utf8(data: bytes) -> bool:
    """True when the bytes decode as UTF-8 (a leading BOM allowed)."""
    try:
        decode_utf8(data)
    except LoadError:
        return False
    return True


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_utf8_text(path: Path) -> str:
    """Read a plain-text file as UTF-8 with LF newlines; NUL bytes mean it is binary."""
    data = path.read_bytes()
    refuse_other_unicode(data)  # UTF-16 is full of NUL bytes, yet it is text
    if b"\x00" in data:
        raise LoadError(_nul_reason(data))
    return normalise_newlines(decode_utf8(data))


def _nul_reason(data: bytes) -> str:
    """Why bytes with NULs are not accepted as text: binary data, or UTF-16 without its mark."""
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if min(even, odd) == 0 and max(even, odd) > len(head) // 4:
        return "NUL bytes every other byte: UTF-16 text without a byte-order mark? save it as UTF-8"
    return "binary data in a text file (NUL bytes)"


# Titles that tools write when nobody gave one: a browser's blank page printed to PDF ("about:blank"),
# a word processor's default ("Untitled", "Document1", "Microsoft Word - notes.docx"), a file name
# or path, a web address. A loader passes over them to its next source of a title (the first line).
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:about:\S*|untitled(?:\s+(?:document|page|\d+))?|no title|title|document\s*\d*|slide\s*\d+"
    r"|powerpoint presentation|presentation\d*|book\d+|sheet\d+|microsoft (?:word|powerpoint|excel) - .*"
    r"|[a-z][a-z0-9+.-]*://\S*|[a-z]:\\.*|/\S*|\S+\.(?:docx?|pdf|odt|rtf|txt|md|html?|tex|pptx?|xlsx?|indd|qxd))$",
    re.IGNORECASE,
)


def placeholder_title(title: str) -> bool:
    """True for a title a tool filled in rather than a person ("about:blank", "Untitled",
    "Microsoft Word - notes.docx", "C:\\files\\x.pdf"): not the document's name."""
    return bool(_PLACEHOLDER_TITLE.match(title.strip()))


def collapse_spaces(text: str) -> str:
    """Collapse all whitespace runs, newlines included, to one space and strip."""
    return " ".join(text.split())


def tidy_lines(text: str) -> str:
    """Collapse spaces/tabs inside lines, strip every line and drop blank lines."""
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in normalise_newlines(text).split("\n"))
    return "\n".join(line for line in lines if line)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink `start:end` so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def first_nonblank_line(text: str, start: int = 0) -> tuple[int, int] | None:
    """Span of the first line at or after `start` with visible text, stripped; None if none."""
    pos = start
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        s, e = trim_span(text, pos, end)
        if s < e:
            return s, e
        pos = end + 1
    return None


def build_sections(text: str, markers: list[Marker]) -> tuple[Section, ...]:
    """Cut `text` at the marker lines: each body runs to the next marker, trimmed.

    Text before the first marker becomes an untitled section; empty bodies are dropped.
    """
    sections: list[Section] = []
    heading = ""
    body_start = 0
    for marker in sorted(markers, key=lambda m: m.start):
        _append_body(sections, text, heading, body_start, marker.start)
        heading, body_start = marker.heading, marker.end
    _append_body(sections, text, heading, body_start, len(text))
    return tuple(sections)


def _append_body(sections: list[Section], text: str, heading: str, start: int, end: int) -> None:
    start, end = trim_span(text, start, end)
    if start < end:
        sections.append(Section(heading=heading, start=start, end=end))


def require_text(text: str, reason: str = "no text found") -> None:
    """Raise LoadError when nothing visible was extracted."""
    if not text.strip():
        raise LoadError(reason)
