"""Load plain-text (.txt) and Markdown (.md, .markdown) files.

Plain text: the first non-empty line is the title; headings are guessed from short
single-line paragraphs (see `_looks_like_heading`; a "Label: value" line such as
"Source: NIH" or "Reviewed: 2012" is not one). In both formats a run of contact entries (see
`ingest.records.contact_runs`) is a section of its own, named by the heading just before it
or else "Organizations", so a list of organisations is not filed under the prose before it.
Markdown: optional YAML front matter gives title and source; ATX headings (`#`..`######`) start sections, outside fenced
code blocks. The Markdown body is kept as written (readers see it), so inline markup is
not stripped; setext headings (underlined with === or ---) are not recognised.
Both run `clean_web_residue` before sections are found.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from pathlib import Path

import yaml

from ingest.clean import clean_web_residue
from ingest.document import Document, LoadError
from ingest.loaders._common import (
    Marker,
    build_sections,
    first_nonblank_line,
    is_utf8,
    read_utf8_text,
    require_text,
    trim_span,
)
from ingest.records import block_spans, contact_runs, is_contact_line

_MAX_HEADING_CHARS = 100
_NOT_HEADING_ENDINGS = (".", ",", ";", ":")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FRONT_MATTER_END = ("---", "...")
_MARKDOWN_LINE_MARKS = "#>*-+ \t"
CONTACT_SECTION = "Organizations"  # the section of a contact list the document gives no heading
# "Source: …", "Reviewed: …": a short label, a colon, then a value on the same line.
_LABEL_VALUE = re.compile(r"^([^\W\d][\w'’ -]{0,30}?)\s*:\s+\S")
_METADATA_LABELS = frozenset(
    "source sources reviewed updated published posted revised modified date author authors by written by "
    "copyright credit credits citation cite reference references adapted from retrieved accessed last reviewed "
    "last updated last modified page note notes contact tags keywords".split(" ")
) | {"last reviewed", "last updated", "last modified", "written by", "adapted from", "reviewed by"}
_DATE_LIKE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b|\b(?:19|20)\d{2}\b")


def load_txt(path: Path, doc_id: str) -> Document:
    """Load a UTF-8 plain-text file; first line is the title, short lone lines are headings."""
    text = clean_web_residue(read_utf8_text(path))
    title_span = first_nonblank_line(text)
    if title_span is None:
        raise LoadError("no text found")
    markers = [Marker(title_span[0], title_span[1], "")]
    markers += _find_txt_headings(text, title_span[1])
    markers += contact_markers(text, block_spans(text, title_span[1]), markers)
    return Document(
        doc_id=doc_id,
        title=text[title_span[0] : title_span[1]],
        source=doc_id,
        text=text,
        sections=build_sections(text, markers),
        format="txt",
    )


def load_markdown(path: Path, doc_id: str) -> Document:
    """Load a UTF-8 Markdown file with optional YAML front matter; ATX headings are sections."""
    meta, text = _split_front_matter(read_utf8_text(path))
    text = clean_web_residue(text).lstrip("\n")
    require_text(text)
    headings = _find_atx_headings(text)
    markers = [marker for marker, _ in headings]
    markers += contact_markers(text, _blocks_outside_code(text), markers)

    title = _front_matter_string(meta, "title")
    if not title:
        level_one = [m.heading for m, level in headings if level == 1 and m.heading]
        any_level = [m.heading for m, _ in headings if m.heading]
        title = (level_one or any_level or [""])[0]
    if not title:
        # No heading to name the document: its first line with words is the title and stays outside.
        title_span = _first_wordy_line(text)
        if title_span is None:
            raise LoadError("no text found")
        title = text[title_span[0] : title_span[1]].strip(_MARKDOWN_LINE_MARKS)
        markers.append(Marker(title_span[0], title_span[1], ""))

    source = _front_matter_url(meta) or doc_id
    return Document(
        doc_id=doc_id,
        title=title,
        source=source,
        text=text,
        sections=build_sections(text, markers),
        format="md",
    )


def sniff_text(data: bytes) -> bool:
    """True for UTF-8 bytes without NULs: what a plain-text or Markdown file must be."""
    return b"\x00" not in data and is_utf8(data)


def _find_txt_headings(text: str, title_end: int) -> list[Marker]:
    """Single-line paragraphs after the title's paragraph that look like headings."""
    paragraphs = [(s, e) for s, e in block_spans(text) if s >= title_end]
    markers = []
    # The last paragraph is never a heading: nothing would follow it, so its text would be lost.
    for start, end in paragraphs[:-1]:
        line = text[start:end]
        if "\n" not in line and _looks_like_heading(line):
            markers.append(Marker(start, end, line))
    return markers


def _looks_like_heading(line: str) -> bool:
    # Sentences end in punctuation and "Phone:"-style labels end in a colon; headings do not.
    return (
        len(line) <= _MAX_HEADING_CHARS
        and not line.endswith(_NOT_HEADING_ENDINGS)
        and any(ch.isalpha() for ch in line)
        and not is_label_value(line)
        and not is_contact_line(line)
    )


def is_label_value(line: str) -> bool:
    """True for a "Label: value" line of metadata ("Source: NIH", "Reviewed: 11/20/2012"), not a heading.

    A heading may hold a colon too ("Dystonia: an overview"): the label must be a metadata word,
    or the value a date.
    """
    match = _LABEL_VALUE.match(line.strip())
    if match is None:
        return False
    label = " ".join(match.group(1).lower().split())
    return label in _METADATA_LABELS or bool(_DATE_LIKE.search(line[match.end() - 1 :]))


def contact_markers(text: str, blocks: list[tuple[int, int]], headings: list[Marker]) -> list[Marker]:
    """Section boundaries around each run of contact entries.

    A run right after a heading stays in that heading's section; otherwise it starts a section
    named CONTACT_SECTION (a boundary of no width: no line of the text is the heading). Text after
    the run, up to the next heading, goes to an untitled section.
    """
    markers: list[Marker] = []
    heading_ends = {m.end for m in headings}
    heading_starts = sorted(m.start for m in headings)
    block_ends = [b for _, b in blocks]
    for start, end in contact_runs(text, blocks):
        before = bisect_right(block_ends, start) - 1  # the block just before the run
        if before < 0 or block_ends[before] not in heading_ends:
            markers.append(Marker(start, start, CONTACT_SECTION))
        after = bisect_left(heading_starts, end)
        following = heading_starts[after] if after < len(heading_starts) else len(text)
        if text[end:following].strip():
            markers.append(Marker(end, end, ""))
    return markers


def _blocks_outside_code(text: str) -> list[tuple[int, int]]:
    """Blocks of non-blank lines, leaving out fenced code (whose lines are not records)."""
    fenced: list[tuple[int, int]] = []
    fence: str | None = None
    fence_start = pos = 0
    for line in text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        match = _FENCE.match(line)
        if fence is None and match:
            fence, fence_start = match.group(1), line_start
        elif fence is not None and match and match.group(1)[:1] == fence[0] and len(match.group(1)) >= len(fence):
            fenced.append((fence_start, pos))
            fence = None
    if fence is not None:
        fenced.append((fence_start, len(text)))
    return [b for b in block_spans(text) if not any(a <= b[0] < z for a, z in fenced)]


def _find_atx_headings(text: str) -> list[tuple[Marker, int]]:
    """ATX heading lines outside fenced code, with their level."""
    found = []
    fence: str | None = None
    pos = 0
    for line in text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        fence_match = _FENCE.match(line)
        if fence is not None:
            # A fence closes only with the same character, at least as long.
            closing = fence_match.group(1) if fence_match else ""
            if closing[:1] == fence[0] and len(closing) >= len(fence):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            s, e = trim_span(text, line_start, line_start + len(line))
            name = (heading.group(2) or "").strip()
            found.append((Marker(s, e, name), len(heading.group(1))))
    return found


def _first_wordy_line(text: str) -> tuple[int, int] | None:
    """Span of the first line with a letter or digit (skips rules like --- or ***)."""
    pos = 0
    while (span := first_nonblank_line(text, pos)) is not None:
        if any(ch.isalnum() for ch in text[span[0] : span[1]]):
            return span
        pos = span[1]
    return None


def _split_front_matter(text: str) -> tuple[dict, str]:
    """Separate leading YAML front matter (between `---` lines) from the body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FRONT_MATTER_END:
            block = "\n".join(lines[1:index])
            try:
                meta = yaml.safe_load(block)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" (line {mark.line + 2})" if mark is not None else ""
                raise LoadError(f"invalid YAML front matter{where}") from None
            if isinstance(meta, dict):
                return meta, "\n".join(lines[index + 1 :])
            # Not a mapping: the dashes were a thematic break, not front matter.
            return {}, text
    return {}, text


def _front_matter_string(meta: dict, key: str) -> str:
    value = meta.get(key)
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


def _front_matter_url(meta: dict) -> str:
    for key in ("source", "url"):
        value = _front_matter_string(meta, key)
        if value.lower().startswith(("http://", "https://")):
            return value
    return ""
