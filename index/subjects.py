"""Named conditions in a question ("restless legs syndrome", "Bell's palsy"), to check against the index.

A question about a condition the knowledge base never names should say so rather than pass off
the nearest dystonia passage as the answer. A condition name here is a disorder word (disease,
syndrome, palsy, …) with the one to three content words just before it; "What causes
Huntington's disease?" names "Huntington's disease". `Searcher.search` asks the index whether
each name occurs as a phrase, and notes the ones that occur nowhere.
"""

from __future__ import annotations

import re

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
_TOKEN = re.compile(r"[A-Za-z][A-Za-z-]*(?:'s)?")
MAX_MODIFIERS = 3


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
        names.append((written, re.findall(r"[a-z]+", written.lower())))
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
