"""Organisations' names a question writes that the index never holds.

A question asking for an organisation or how to reach one may name it ("Mayo Clinic neurology
phone number", "does the NHS run a dystonia service"): when no chunk holds the name, the nearest
entries are other organisations', and the reader must be told so rather than given another
clinic's phone number as if it answered (a new user's trial, thirtieth session). A name is found by
how it is written: a run of capitalised words ("Mayo Clinic", "Johns Hopkins"; a capitalised word
opening a sentence only when the next one is capitalised too: "Mayo Clinic…", not "Where…") or a
word in capitals ("NHS"). A question in capitals or in title case writes no names this way.

Only an institution's name counts as asked for: one holding a word such as "Clinic", "Hospital" or
"Foundation", or a word in capitals of three letters or more. A place does not: "the foundation in
Manhattan, in that old French building" describes an organisation the corpus lists (at "5th
Avenue, New York"), and a tuning question was told "No passage mentions Manhattan". No model here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_SENTENCE_END = re.compile(r"[.?!:;]\s*$")
_CAPITALISED = re.compile(r"[A-Z][a-z]{2,}(?:['’]s)?")
_CAPITALS = re.compile(r"[A-Z]{2,}")
_INSTITUTION = re.compile(
    r"clinics?|hospitals?|foundations?|society|societies|associations?|institutes?|cent(er|re)s?|universit(y|ies)"
    r"|college|trust|charity|group|network|alliance|council|league|federation|organi[sz]ation|service|agency"
    r"|academy|programm?e?|fund|unit|practice",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"[A-Z]{3,}")


def written_names(question: str) -> list[list[str]]:
    """Runs of adjacent words written as a name, each word as written (without a possessive 's)."""
    words = list(_WORD.finditer(question))
    if not words:
        return []
    capital = [bool(_CAPITALISED.fullmatch(w.group()) or _CAPITALS.fullmatch(w.group())) for w in words]
    if sum(capital) * 2 > len(words):  # "Where Can I Find Help" or "WHERE CAN I FIND HELP": no names by form
        return []
    opening = [i == 0 or bool(_SENTENCE_END.search(question[: w.start()])) for i, w in enumerate(words)]
    runs: list[list[int]] = []
    for i, w in enumerate(words):
        if not capital[i]:
            continue
        if runs and runs[-1][-1] == i - 1 and not question[words[i - 1].end() : w.start()].strip():
            runs[-1].append(i)
        else:
            runs.append([i])
    return [
        [re.sub(r"['’]s$", "", words[i].group()) for i in run]
        for run in runs
        # A sentence's capitalised first word alone ("Where is…") is no name; "Mayo Clinic…" and "NHS…" are.
        if len(run) > 1 or not opening[run[0]] or _CAPITALS.fullmatch(words[run[0]].group())
    ]


def absent_names(question: str, counts: Callable[[list[str]], dict[str, int]]) -> list[str]:
    """The institutions' names `written_names` finds of which at least one word no chunk holds
    (`counts` gives each lower-cased word's chunk count), as written: "Mayo Clinic" (no chunk holds
    "mayo"), not "Cleveland Clinic" (a credit line holds both) nor "London" (a place)."""
    names = [
        name
        for name in written_names(question)
        if any(_INSTITUTION.fullmatch(word) or _ACRONYM.fullmatch(word) for word in name)
    ]
    words = sorted({word.lower() for name in names for word in name})
    found = counts(words) if words else {}
    return [" ".join(name) for name in names if any(found.get(word.lower(), 0) == 0 for word in name)]
