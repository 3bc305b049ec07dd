"""Everyday words → the corpus's own words: a glossary that widens a question before it is searched.

People ask about "eyelids that keep closing" and "Botox shots"; the documents say "blepharospasm"
and "botulinum toxin". `lay_terms.json` maps cues (1-3 everyday words, each matched with its
inflections, in any order) to terms written as the corpus writes them. Every entry was written from the corpus
alone, by someone who saw neither the code nor any question set; the first 79 were taken whole, the
rest picked from three larger such glossaries (`bench/glossary_candidates*.json`) where the tuning
questions they fire on gain (EVALUATION.md, fourteenth and fifteenth sessions); a few cues and terms
were added by the team for what a new user's trial asked and missed (twenty-eighth session: the time of
day, thinking and memory). A search adds the terms of
every cue the question holds, and only those the index itself contains, so the glossary is inert
on a corpus that lacks them. A numbered form of dystonia named one way ("DYT6") brings in its
other name ("dystonia 6") the same way. No model here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GLOSSARY = Path(__file__).with_name("lay_terms.json")
_WORD = re.compile(r"[a-z0-9]+")
# Numbered forms of dystonia go by two names: the locus ("DYT6", "DYT-6") and the number ("dystonia 6",
# "dystonia type 6"). Tuning set 3, which names forms both ways: hit@5 0.875 → 0.912, MRR@10 0.736 →
# 0.776; no other set moved (EVALUATION.md, seventh session).
_LOCUS = re.compile(r"\bdyt[\s-]?(\d{1,2})\b", re.IGNORECASE)
_NUMBERED = re.compile(r"\bdystonia(?:\s+type)?[\s-]+(\d{1,2})\b", re.IGNORECASE)
_SUFFIXES = ("ing", "ed", "es", "s", "e", "ly")
_VOWELS = "aeiou"


_IRREGULAR = {
    **{"children": "child", "feet": "foot", "teeth": "tooth", "men": "man", "women": "woman", "people": "person"},
    # past forms of the verbs the glossary's cues use, and "loss" (a cue says "hearing loss", people "lose")
    **{"fell": "fall", "fallen": "fall", "slept": "sleep", "woke": "wake", "woken": "wake", "spoke": "speak"},
    **{"spoken": "speak", "began": "begin", "begun": "begin", "broke": "break", "broken": "break"},
    **{"came": "come", "got": "get", "gotten": "get", "seen": "see", "brought": "bring"},
    **{"lost": "lose", "loss": "lose", "kept": "keep", "ran": "run", "drank": "drink", "fed": "feed"},
    **{"thought": "think"},
}


def stem(word: str) -> str:
    """A light stem: "closing", "closed", "closes" and "close" all give "clos"; "children" gives "child".
    "ly" goes only from a word of six letters or more: "quickly" gives "quick", but "early" stays
    "early", not "ear"."""
    word = word.lower()
    word = _IRREGULAR.get(word, word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (4 if suffix == "ly" else 3):
            return word[: -len(suffix)]
    return word


def words(text: str) -> frozenset[str]:
    """A text's words, lower case, each also under its base form when irregular ("children": "child")."""
    found = _WORD.findall(text.lower())
    return frozenset(found).union(_IRREGULAR[w] for w in found if w in _IRREGULAR)


def forms(word: str) -> frozenset[str]:
    """A cue word and its regular inflections, built forward from it: "close" gives "closes",
    "closed", "closing"; "worry" gives "worries", "worried"; "jab" gives "jabbed", "jabbing". Never a
    shorter word, so the cue "tired" does not match "tire" (a stem would: both give "tir")."""
    w = _IRREGULAR.get(word.lower(), word.lower())
    found = {w, w + "s", w + "es", w + "ed", w + "ing", w + "ly"}
    if w.endswith("e"):
        found |= {w + "d", w[:-1] + "ing", w[:-1] + "y"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in _VOWELS:
        found |= {w[:-1] + "ies", w[:-1] + "ied", w[:-1] + "ily"}
    if 3 <= len(w) <= 4 and w[-1] not in _VOWELS + "wxy" and w[-2] in _VOWELS and w[-3] not in _VOWELS:
        found |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    return frozenset(found)


@dataclass(frozen=True)
class Entry:
    """One glossary idea: any cue (each of its words, or an inflection of it, in the question) brings
    in the terms."""

    cues: tuple[tuple[frozenset[str], ...], ...]  # per cue, per word: the forms that match it
    terms: tuple[str, ...]

    @classmethod
    def of(cls, cues: list[list[str]] | tuple[tuple[str, ...], ...], terms: tuple[str, ...]) -> Entry:
        """An entry from its cues as written (each a list of words) and its terms."""
        return cls(tuple(tuple(forms(w) for w in cue) for cue in cues if cue), terms)

    def fires(self, question_words: frozenset[str]) -> bool:
        return any(_matches(cue, question_words) for cue in self.cues)


def _matches(cue: tuple[frozenset[str], ...], question_words: frozenset[str]) -> bool:
    return all(not question_words.isdisjoint(word_forms) for word_forms in cue)


@cache
def load_glossary(path: Path = GLOSSARY) -> tuple[Entry, ...]:
    """The glossary's entries; a missing or unreadable file is an empty glossary (search still works)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    entries = []
    for item in raw if isinstance(raw, list) else []:
        entry = Entry.of(item.get("cues", []), tuple(str(t) for t in item.get("terms", []) if str(t).strip()))
        if entry.cues and entry.terms:
            entries.append(entry)
    return tuple(entries)


@cache
def cue_words(path: Path = GLOSSARY) -> frozenset[str]:
    """Every form of every word of the glossary's cues ("eyelids", "closing")."""
    return frozenset(form for entry in load_glossary(path) for cue in entry.cues for forms in cue for form in forms)


def cue_stems(question: str, usable: set[str], glossary: tuple[Entry, ...] | None = None) -> frozenset[str]:
    """The stems of the question's cue words whose entries bring in a term in `usable` (one the
    index holds): "hurt" when "painful" is usable. The index does not hold such a word, but it holds
    what the word means."""
    question_words = words(question)
    found: set[str] = set()
    for entry in load_glossary() if glossary is None else glossary:
        if usable.intersection(entry.terms):
            for cue in entry.cues:
                if _matches(cue, question_words):
                    found.update(stem(w) for word_forms in cue for w in question_words & word_forms)
    return frozenset(found)


def term_words(term: str) -> list[str]:
    """A term's words as the keyword index splits them ("dopa-responsive" gives "dopa", "responsive")."""
    return re.findall(r"\w+", term.lower())


def form_names(question: str) -> list[str]:
    """The other name of each numbered form of dystonia the question names: "dystonia 6" for "DYT6",
    "DYT6" for "dystonia 6" or "dystonia type 6"."""
    names = [f"dystonia {m.group(1)}" for m in _LOCUS.finditer(question)]
    names += [f"DYT{m.group(1)}" for m in _NUMBERED.finditer(question)]
    return list(dict.fromkeys(names))


def glossary_terms(question: str, glossary: tuple[Entry, ...] | None = None) -> list[str]:
    """The other names of the numbered forms the question names, then the corpus terms of every
    entry the question cues, first-cued first, no repeats."""
    question_words = words(question)
    found: dict[str, None] = dict.fromkeys(form_names(question))
    for entry in load_glossary() if glossary is None else glossary:
        if entry.fires(question_words):
            found.update((term, None) for term in entry.terms)
    return list(found)
