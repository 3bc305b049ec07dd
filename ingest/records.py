"""Records a chunk keeps whole: contact entries, tables (rows under their header), list items, Q&A pairs.

Found in the extracted text by its layout alone, whatever the format: a contact entry is a
block of short lines (no blank line inside) that starts with a name and goes on with address,
phone, e-mail or web lines; a table is a run of lines with the same number of "|"-separated
cells (Markdown tables and the " | " rows the DOCX and HTML loaders write), its first line the
header; a list item is a line starting with a bullet or a number, with its indented
continuation lines; a Q&A pair is a question line followed by its answer lines in the same
block. Spans are offsets into the text, so chunks cut at them stay exact slices. Leaves out:
anything that needs the original file's structure (merged cells, nested lists' levels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_CONTACT_RUN = 2  # contact entries in a row that make a list of organisations
_MAX_CONTACT_LINES = 12
_MAX_CONTACT_LINE_CHARS = 120
_MAX_QUESTION_CHARS = 200

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:org|com|gov|edu|net|info)\b(?:/\S*)?", re.IGNORECASE)
_PHONE = re.compile(r"\(?\+?\d{1,3}\)?[ .-]?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b|\+\d[\d ().-]{7,}\d")
_CONTACT_LABEL = re.compile(
    r"^(?:phone|tel|telephone|fax|toll[- ]?free|tty|tdd|mobile|e-?mail|web|website|url|internet|address)\b\s*[:.]?",
    re.IGNORECASE,
)
_POSTAL = re.compile(
    r"\bP\.?\s?O\.?\s+Box\b|\b[A-Z]{2}\s+\d{5}(?:-\d{3,4})?\b|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b",
)
_STREET = re.compile(
    r"^\d+[A-Za-z]?\s+\S.*|.*\b(?:street|st\.|avenue|ave\.?|road|rd\.|drive|dr\.|lane|ln\.|boulevard|blvd\.?|way|"
    r"place|pl\.|court|ct\.|suite|floor|building|plaza|parkway|highway|square|rua|strasse|straße)\b.*",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"^([ \t]*)(?:[-*+•▪‣◦]|\d{1,3}[.)])[ \t]+\S")
_QUESTION_LABEL = re.compile(r"^\s*(?:Q|Question)\s*[:.)]\s*\S", re.IGNORECASE)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class Record:
    """A span of text that belongs in one chunk; `parts` are where it may be cut when it is too long.

    `kind` is "contact", "table", "list_item" or "qa". For a table, `header` is the span of its
    header line (and Markdown rule line), and `parts` its rows, the first one holding the header.
    """

    kind: str
    start: int
    end: int
    header: tuple[int, int] | None = None
    parts: tuple[tuple[int, int], ...] = ()

    @property
    def standalone(self) -> bool:
        """True when the record is a chunk of its own: one organisation's entry, nothing else."""
        return self.kind == "contact"


def line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Every line of text[start:end] (without its newline), blank lines included."""
    spans: list[tuple[int, int]] = []
    pos = start
    while True:
        newline = text.find("\n", pos, end)
        if newline == -1:
            spans.append((pos, end))
            return spans
        spans.append((pos, newline))
        pos = newline + 1


def block_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the blocks of non-blank lines in text[start:end], trimmed, in order."""
    end = len(text) if end is None else end
    blocks: list[tuple[int, int]] = []
    block_start: int | None = None
    block_end = start
    for a, b in line_spans(text, start, end):
        if text[a:b].strip():
            if block_start is None:
                block_start = a
            block_end = b
        elif block_start is not None:
            blocks.append(_trim(text, block_start, block_end))
            block_start = None
    if block_start is not None:
        blocks.append(_trim(text, block_start, block_end))
    return blocks


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def is_contact_line(line: str) -> bool:
    """A phone, fax, e-mail, web or postal line: what makes a block an address."""
    line = line.strip()
    return bool(_CONTACT_LABEL.match(line)) or any(p.search(line) for p in (_EMAIL, _URL, _PHONE, _POSTAL))


def is_contact_block(block: str) -> bool:
    """True for a name line followed by address, phone, e-mail or web lines, all short."""
    lines = [line.strip() for line in block.split("\n")]
    if not 2 <= len(lines) <= _MAX_CONTACT_LINES or any(len(line) > _MAX_CONTACT_LINE_CHARS for line in lines):
        return False
    name, rest = lines[0], lines[1:]
    if is_contact_line(name) or not any(ch.isalpha() for ch in name) or name.endswith(("!", "?", ",", ";", ":")):
        return False
    if name.endswith(".") and len(name.split()) > 6:
        return False  # a sentence, not a name
    strong = sum(1 for line in rest if is_contact_line(line))
    weak = sum(1 for line in rest if not is_contact_line(line) and _STREET.match(line))
    return strong >= 1 and strong + weak >= (len(rest) + 1) // 2


# A lead-in ending with ":" and straight after it a bulleted item ("These resources address the
# diagnosis of X: - Gene Review: … - Genetic Testing Registry: …").
_LIST_LEAD = re.compile(r"^[^\n:]{1,300}:\s+[-•*]\s")
_LIST_ITEM = re.compile(r"(?:^|\s)[-•*]\s")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def is_reference_list(block: str) -> bool:
    """True for a lead-in and a list of names with no sentence among them: resources to look up
    (MedQuAD's "These resources address the diagnosis or management of X: - Gene Review: …"), not
    an answer. Two items at least; any full stop, question or exclamation makes it text."""
    block = block.strip()
    return bool(_LIST_LEAD.match(block)) and len(_LIST_ITEM.findall(block)) >= 2 and not _SENTENCE_END.search(block)


def contact_runs(text: str, blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs of at least MIN_CONTACT_RUN consecutive contact blocks, as (first block's start, last block's end)."""
    runs: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for block in [*blocks, None]:
        if block is not None and is_contact_block(text[block[0] : block[1]]):
            run.append(block)
            continue
        if len(run) >= MIN_CONTACT_RUN:
            runs.append((run[0][0], run[-1][1]))
        run = []
    return runs


def find_records(text: str, start: int, end: int) -> list[Record]:
    """The records inside text[start:end], sorted and non-overlapping."""
    records: list[Record] = []
    for a, b in block_spans(text, start, end):
        if is_contact_block(text[a:b]):
            records.append(Record("contact", a, b))
        else:
            records.extend(_records_in_block(text, a, b))
    return records


def _records_in_block(text: str, start: int, end: int) -> list[Record]:
    """Tables, list items and Q&A pairs among the lines of one block."""
    lines = line_spans(text, start, end)
    records: list[Record] = []
    i = 0
    while i < len(lines):
        found = _table_at(text, lines, i) or _list_item_at(text, lines, i) or _qa_at(text, lines, i)
        if found is None:
            i += 1
            continue
        record, i = found
        records.append(record)
    return records


def _cells(line: str) -> int:
    """Number of "|"-separated cells in a table line; 0 when it is not one."""
    stripped = line.strip()
    if "|" not in stripped:
        return 0
    if stripped.startswith("|") or stripped.endswith("|"):
        inner = stripped.strip("|")
        return inner.count("|") + 1 if inner.strip() else 0
    return stripped.count(" | ") + 1 if " | " in stripped else 0


def _table_at(text: str, lines: list[tuple[int, int]], i: int) -> tuple[Record, int] | None:
    """The table whose header line is lines[i], with the index of the line after it."""
    width = _cells(text[lines[i][0] : lines[i][1]])
    if width < 2:
        return None
    j = i + 1
    header_end = lines[i][1]
    if j < len(lines) and _TABLE_RULE.match(text[lines[j][0] : lines[j][1]]):
        header_end = lines[j][1]
        j += 1
    rows_start = j
    while j < len(lines) and _cells(text[lines[j][0] : lines[j][1]]) == width:
        j += 1
    if j == rows_start:
        return None
    rows = [_trim(text, *lines[k]) for k in range(rows_start, j)]
    header = _trim(text, lines[i][0], header_end)
    parts = ((header[0], rows[0][1]), *rows[1:])
    return Record("table", header[0], rows[-1][1], header=header, parts=parts), j


def _list_item_at(text: str, lines: list[tuple[int, int]], i: int) -> tuple[Record, int] | None:
    """The list item starting at lines[i] with its indented continuation lines."""
    marker = _LIST_MARKER.match(text[lines[i][0] : lines[i][1]])
    if marker is None:
        return None
    indent = len(marker.group(1).expandtabs(4))
    j = i + 1
    while j < len(lines):
        line = text[lines[j][0] : lines[j][1]]
        if _LIST_MARKER.match(line) or len(line) - len(line.lstrip()) <= indent:
            break
        j += 1
    a, b = _trim(text, lines[i][0], lines[j - 1][1])
    return Record("list_item", a, b), j


def _is_question_line(line: str) -> bool:
    stripped = line.strip().strip("*_")
    return bool(_QUESTION_LABEL.match(stripped)) or (
        stripped.endswith("?") and len(stripped) <= _MAX_QUESTION_CHARS and _cells(stripped) == 0
    )


def _qa_at(text: str, lines: list[tuple[int, int]], i: int) -> tuple[Record, int] | None:
    """A question line with the answer lines after it in the same block (up to the next question)."""
    if not _is_question_line(text[lines[i][0] : lines[i][1]]):
        return None
    j = i + 1
    while j < len(lines):
        line = text[lines[j][0] : lines[j][1]]
        if _is_question_line(line) or _LIST_MARKER.match(line) or _cells(line) >= 2:
            break
        j += 1
    if j == i + 1:
        return None  # a question alone: a heading or a rhetorical line, not a pair
    a, b = _trim(text, lines[i][0], lines[j - 1][1])
    return Record("qa", a, b), j
