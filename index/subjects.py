"""Named conditions in a question ("restless legs syndrome", "Bell's palsy"), to check against the index.

A question about a condition the knowledge base never names should say so rather than pass off
the nearest dystonia passage as the answer. Two kinds of name are found:
- a name from `conditions.txt` (NINDS's disorder index, common conditions of other body systems,
  common medicines): "restless legs", "carpal tunnel syndrome", "heart attack", "metformin";
- a disorder word (disease, syndrome, palsy, …) with the one to three content words just before it:
  "What causes Huntington's disease?" names "Huntington's disease".
`Searcher.search` asks the index whether each name occurs as a phrase, and notes the ones that
occur nowhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.keyword import STOPWORDS

# Words that name a kind of disorder; the words before one say which.
DISORDER_WORDS = frozenset(
    """disease diseases syndrome syndromes disorder disorders palsy sclerosis tremor tremors
    dyskinesia dyskinesias dystrophy ataxia neuropathy arthritis fasciitis cancer cancers tumor
    tumors tumour tumours infection infections injury injuries deficiency anemia anaemia apnea
    apnoea migraine migraines epilepsy fever virus""".split()
)
# Verbs and fillers that can stand right before a condition name without being part of it.
NOT_MODIFIERS = STOPWORDS | frozenset(
    """cause causes caused treat treats treated treating treatment treatments cure cures diagnose
    diagnosed diagnosis symptoms symptom signs sign help helps like mean means people person
    someone patients patient living live life with have has had get getting risk risks""".split()
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9-]*(?:'s)?")  # "GLUT1" keeps its digit
MAX_MODIFIERS = 3
CONDITIONS = Path(__file__).with_name("conditions.txt")
# A listed name ending in one of these is also found without it when two or more words remain
# ("carpal tunnel syndrome" → "carpal tunnel"); one word alone ("Rett") is too often something else.
GENERIC_HEADS = frozenset({"syndrome", "disease", "disorder"})
INDEX_WORD = re.compile(r"[a-z0-9]+")  # words as the keyword index splits them ("parkinson's" → parkinson, s)
_QUESTION_WORD = re.compile(r"[A-Za-z0-9]+")  # the same on the question as written (offsets kept)


@dataclass(frozen=True)
class NamedCondition:
    """A condition or medicine a question names."""

    written: str  # as the question writes it
    forms: tuple[tuple[str, ...], ...]  # index words of its spellings and shorter forms, to look for

    @property
    def several_words(self) -> bool:
        """True for "Parkinson's disease", not for "Parkinson's"."""
        return len([word for word in INDEX_WORD.findall(self.written.lower()) if word != "s"]) > 1


def condition_names(question: str) -> list[tuple[str, list[str]]]:
    """(name as written, its lower-case index words) of each condition the question names.

    The index words split "Parkinson's" into "parkinson" and "s", as the keyword index does.
    """
    names: list[tuple[str, list[str]]] = []
    for part in re.split(r"[^\w\s'’-]+", question):  # a name never crosses punctuation
        names += _names(_TOKEN.findall(part.replace("’", "'")))
    return names


def _names(tokens: list[str]) -> list[tuple[str, list[str]]]:
    names: list[tuple[str, list[str]]] = []
    for at, token in enumerate(tokens):
        if token.lower() not in DISORDER_WORDS:
            continue
        start = at
        while start > 0 and at - start < MAX_MODIFIERS and _modifier(tokens[start - 1]):
            start -= 1
        if start == at:
            continue  # "a disease", "this syndrome": no name
        written = " ".join(tokens[start : at + 1])
        names.append((written, INDEX_WORD.findall(written.lower())))
    return names


def _modifier(token: str) -> bool:
    word = token.lower()
    base = word[:-2] if word.endswith("'s") else word
    return base not in NOT_MODIFIERS and base not in DISORDER_WORDS and len(base) > 1


def name_suffixes(words: list[str]) -> list[list[str]]:
    """The name and its shorter forms, down to one modifier word: "severe restless legs syndrome",
    "restless legs syndrome", "legs syndrome". A possessive's "s" stays with its word."""
    units: list[list[str]] = []
    for word in words:
        if word == "s" and units:
            units[-1].append(word)
        else:
            units.append([word])
    return [[w for unit in units[i:] for w in unit] for i in range(len(units) - 1)]


def listed_conditions(question: str, path: Path = CONDITIONS) -> list[NamedCondition]:
    """The names of `conditions.txt` the question holds, in its order (the longest where two overlap).

    Case, a possessive or plural "s", hyphens and a trailing "syndrome"/"disease"/"disorder" (when two
    words remain) do not matter: "restless leg", "Bells palsy" and "carpal tunnel" are all found.
    """
    spellings = _load_spellings(path)
    if not spellings:
        return []
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _QUESTION_WORD.finditer(question)]
    words = [(start, end, fold_plural(word)) for start, end, word in tokens if word != "s"]
    longest = max(len(key) for key in spellings)
    found: list[NamedCondition] = []
    at = 0
    while at < len(words):
        for size in range(min(longest, len(words) - at), 0, -1):
            key = tuple(word for _, _, word in words[at : at + size])
            forms = spellings.get(key)
            if forms is not None:
                end = words[at + size - 1][1]
                end += 2 if question[end : end + 2].lower() in ("'s", "’s") else 0  # "Tourette's", not "Tourette"
                found.append(NamedCondition(question[words[at][0] : end], forms))
                at += size
                break
        else:
            at += 1
    return found


def fold_plural(word: str) -> str:
    """A question word and a listed word compare equal when they differ by a final "s"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@cache
def _load_spellings(path: Path) -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Folded words of every spelling (and head-less short form) → its name's spellings; a missing
    or unreadable file lists nothing (search still works, without these notes)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    spellings: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        names = [INDEX_WORD.findall(part.strip().lower().replace("’", "'")) for part in line.split("|")]
        forms: list[tuple[str, ...]] = []
        for name in names:
            plain = [w for w in name if w != "s"]
            forms += [tuple(name), tuple(plain)]
            if plain and plain[-1] in GENERIC_HEADS and len(plain) >= 3:
                forms.append(tuple(plain[:-1]))
        unique = tuple(dict.fromkeys(form for form in forms if form))
        for form in unique:
            key = tuple(fold_plural(w) for w in form if w != "s")
            spellings.setdefault(key, unique)
    return spellings
