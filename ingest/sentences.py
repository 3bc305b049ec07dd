"""Split a span of text into sentence spans (character offsets), for chunking and evidence.

Rule-based: a line break always ends a sentence (lists, addresses, headings), and inside a
line a sentence ends at ., ! or ? followed by space and a capital, digit, quote or bracket,
unless the word before the dot is a known abbreviation or a single initial. It leaves out
anything statistical; medical prose with the odd "e.g." and "Dr." is what it has to handle.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs dr mr mrs ms prof st no nos fig figs approx inc ltd jr sr al ca cf "
    "u.s u.k p.o dept est min max vol ed eds".split()
)
# End punctuation, optional closing quotes/brackets, then the whitespace that separates sentences.
# Linear on any line: a match starts only at the first mark of a run (the look-behind), and the
# possessive quantifiers never give back what they took, so a run of a million dots or spaces is
# scanned once instead of once per position.
_BOUNDARY = re.compile(r"(?<![.!?])[.!?]++[\"'\u2019\u201d)\]]*+(\s++)(?=[\"'\u2018\u201c(\[]?[A-Z0-9])")
_LINE = re.compile(r"[^\n]+")
_LONGEST_ABBREVIATION = max(len(word) for word in _ABBREVIATIONS)


def _is_abbreviation(line: str, dot_at: int) -> bool:
    """True when the word ending at `dot_at` (a '.') is an abbreviation or an initial.

    Looks back at most one character further than the longest abbreviation, so a giant word
    costs no more than a short one.
    """
    start = dot_at
    stop = max(0, dot_at - _LONGEST_ABBREVIATION - 1)
    while start > stop and not line[start - 1].isspace() and line[start - 1] not in "(\"'":
        start -= 1
    word = line[start:dot_at].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end], trimmed of surrounding whitespace, in order."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line_match in _LINE.finditer(text, start, end):
        line = line_match.group()
        offset = line_match.start()
        piece_start = 0
        for boundary in _BOUNDARY.finditer(line):
            if line[boundary.start()] == "." and _is_abbreviation(line, boundary.start()):
                continue
            _add_trimmed(spans, line, offset, piece_start, boundary.start(1))
            piece_start = boundary.end(1)
        _add_trimmed(spans, line, offset, piece_start, len(line))
    return spans


def _add_trimmed(spans: list[tuple[int, int]], line: str, offset: int, a: int, b: int) -> None:
    while a < b and line[a].isspace():
        a += 1
    while b > a and line[b - 1].isspace():
        b -= 1
    if a < b:
        spans.append((offset + a, offset + b))
