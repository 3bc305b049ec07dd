"""Short names spelt out from the passage that uses them.

An organisation's short name is often written only inside its e-mail address or beside its long
name: "Email: NSTAmail@aol.com" under "National Spasmodic Torticollis Association",
"bebrf@blepharospasm.org" under "Benign Essential Blepharospasm Research Foundation". The model
reads "BEBRF" as nothing (best cosine 0.05: the question was refused) and keyword search finds the
address but not what it belongs to. `spelled_out` finds, in a chunk that holds the short name, the
run of capitalised words whose initials spell it; the search then reads the question with that run
written beside the short name.
"""

from __future__ import annotations

import re

MIN_LETTERS = 3
MAX_LETTERS = 7
JOINERS = frozenset({"of", "and", "for", "the", "on", "in", "&"})  # not counted in the initials
_WORD = re.compile(r"[A-Za-z][A-Za-z']*|&")
_CANDIDATE = re.compile(rf"\b[A-Za-z]{{{MIN_LETTERS},{MAX_LETTERS}}}\b")


def candidates(question: str) -> list[str]:
    """The question's words that could be short names: 3 to 7 letters, first occurrence order."""
    return list(dict.fromkeys(_CANDIDATE.findall(question)))


def spelled_out(text: str, short: str) -> str | None:
    """The first run of capitalised words in `text` whose initials spell `short` (any case), small
    joining words ("of", "and", "&") allowed inside it: "Bachmann-Strauss Dystonia & Parkinson
    Foundation" spells BSDPF. None when no run does."""
    letters = short.lower()
    words = list(_WORD.finditer(text))
    for start, first in enumerate(words):
        if not first.group()[0].isupper() or first.group()[0].lower() != letters[0] or first.group().lower() in JOINERS:
            continue
        matched, at, end = 0, start, first
        while at < len(words) and matched < len(letters):
            word = words[at].group()
            if word[0].isupper() and word[0].lower() == letters[matched]:
                matched, end = matched + 1, words[at]
            elif not (matched and word.lower() in JOINERS):
                break
            at += 1
        if matched == len(letters):
            return text[first.start() : end.end()]
    return None


def with_spelled_out(question: str, found: dict[str, str]) -> str:
    """The question with each short name of `found` followed by its long form in brackets."""
    if not found:
        return question
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, found)) + r")\b")
    return pattern.sub(lambda m: f"{m.group(1)} ({found[m.group(1)]})", question)
