"""Turn a question into a safe SQLite FTS5 query: every word quoted, joined with OR.

FTS5 gives meaning to quotes, `*`, `^`, `:`, parentheses and the words AND, OR, NOT and
NEAR. Here a question is only ever a bag of words: each word is extracted with a Unicode
`\\w+` match and wrapped in double quotes, so no character of the question reaches FTS5 as
syntax. Common English question words are dropped (they match everything and only add noise);
BM25 itself weighs the rest.
"""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves get gets got tell know""".split()
)
_WORD = re.compile(r"\w+")


def query_terms(question: str) -> list[str]:
    """Lower-cased content words of a question, first occurrence order, no duplicates.

    A lone letter is never a content word: the "s" of "writer's" or the "t" of "don't" would
    otherwise count as a question word that matches everywhere.
    """
    seen: dict[str, None] = {}
    for word in _WORD.findall(question.lower()):
        if len(word) == 1 and not word.isdigit():
            continue
        if word not in STOPWORDS and word not in seen:
            seen[word] = None
    return list(seen)


def fts_query(question: str) -> str:
    """An FTS5 MATCH expression that treats every word of the question as a plain term."""
    return " OR ".join(f'"{term}"' for term in query_terms(question))
