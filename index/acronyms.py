"""Short names spelt out from the passage that uses them.

An organisation's short name is often written only inside its e-mail address or beside its long
name: "Email: NSTAmail@aol.com" under "National Spasmodic Torticollis Association",
"bebrf@blepharospasm.org" under "Benign Essential Blepharospasm Research Foundation". The model
reads "BEBRF" as nothing (best cosine 0.05: the question was refused) and keyword search finds the
address but not what it belongs to. `spelled_out` finds, in a chunk that holds the short name, the
run of capitalised words whose initials spell it; the search then reads the question with that run
written beside the short name. A short name defined in brackets after its long form ("cerebrospinal
fluid (CSF)") is spelt out by that form (`defined`), in lower case as often as not.
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


def defined(text: str, short: str) -> str | None:
    """The long form `text` defines `short` by, written before it in brackets: "cerebrospinal fluid
    (CSF)" defines CSF. The short name's letters are found, last to first, in the few words before
    the bracket, the first letter at the start of a word (Schwartz and Hearst's rule, 2003); the
    long form runs from that word to the bracket. None when no bracketed use fits."""
    letters = short.lower()
    for use in re.finditer(rf"\(\s*{re.escape(short)}\s*\)", text, re.IGNORECASE):
        before = text[: use.start()].rstrip()
        words = list(_WORD.finditer(before))[-min(len(letters) + 5, 2 * len(letters)) :]
        if not words:
            continue
        window = before[words[0].start() :]
        lowered = window.lower()
        at = len(lowered) - 1
        for index in range(len(letters) - 1, -1, -1):
            while at >= 0 and (lowered[at] != letters[index] or (index == 0 and at > 0 and lowered[at - 1].isalnum())):
                at -= 1
            if at < 0:
                break
            at -= 1
        else:
            long = window[at + 1 :].strip()
            if " " in long:  # a long form of one word is the short name's own letters ("CSF" in "CSFs")
                return long
    return None


def with_spelled_out(question: str, found: dict[str, str]) -> str:
    """The question with each short name of `found` followed by its long form in brackets."""
    if not found:
        return question
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, found)) + r")\b")
    return pattern.sub(lambda m: f"{m.group(1)} ({found[m.group(1)]})", question)
