"""Turn a question into a safe SQLite FTS5 query: every word quoted, joined with OR.

FTS5 gives meaning to quotes, `*`, `^`, `:`, parentheses and the words AND, OR, NOT and
NEAR. Here a question is only ever a bag of words: each word is extracted with a Unicode
`\\w+` match and wrapped in double quotes, so no character of the question reaches FTS5 as
syntax. Common English question words are dropped (they match everything and only add noise);
BM25 itself weighs the rest.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

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
# Keyword search's bounds. Counting how many chunks hold a word stops at ROW_CAP (rarity and the
# word classes use the counts). A word held by QUERY_CAP chunks or more is left out of the BM25
# query (see `fts_query`): BM25 scores every chunk holding any query word, ~1.3 µs each on this
# machine, so at 100k chunks a cap of 20,000 cost 24 ms a query and 3,000 costs ~5 ms
# (BENCHMARKS.md). Such a word weighs little in BM25: SciFact test nDCG@10 as shipped was
# 0.7397 with 20,000 and 0.7399 with 3,000 (2,000: 0.7372). Below 3,000 chunks nothing is left out.
ROW_CAP = 20_000
QUERY_CAP = 3_000


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


# A word this long or longer may be looked for as its word family: the keyword index's stem of it,
# as a prefix ("treated" → treat…, "diagnosed" → diagnos…). A shorter one's stem starts too many
# other words ("hands" → hand…: "handle").
MIN_FAMILY_LETTERS = 6


def family_word(word: str) -> bool:
    """True for a word long enough to be looked for as its word family (`fts_query`'s `families`)."""
    return len(word) >= MIN_FAMILY_LETTERS and word.isalpha()


def family_term(word: str) -> str:
    """The FTS5 term for a word's family: the index's stem of the word, as a prefix."""
    return f'"{word}" *'


def fts_query(
    question: str,
    counts: dict[str, int] | None = None,
    cap: int = 0,
    also: Sequence[str] = (),
    families: Collection[str] = (),
) -> str:
    """An FTS5 MATCH expression that treats every word of the question as a plain term.

    With `counts` (chunks holding each term, as `Snapshot.chunk_frequencies` gives them, capped at
    `cap`), words in `cap` chunks or more are left out: ranking every chunk that holds a very common
    word would scan a large share of a big index for a word that barely moves BM25. When every
    word is that common the expression is empty and keyword search finds nothing (dense search
    still answers). Below `cap` chunks per word nothing is left out.

    `also` (glossary terms, `lay_terms`; the caller keeps only those under the cap) adds their
    content words as further plain terms. As words they did better than as phrases on the tuning
    sets (EVALUATION.md).

    `families` are question words to look for as their whole word family (`family_term`): FTS5
    stems the quoted word and the `*` matches every index word whose stem starts so. Only a word
    itself (plain letters) becomes such a prefix term, never syntax from the question.
    """
    terms = query_terms(question)
    if counts is not None and cap:
        terms = [t for t in terms if counts.get(t, 0) < cap]
    for term in also:
        terms += [w for w in query_terms(term) if w not in terms]
    return " OR ".join(family_term(term) if term in families else f'"{term}"' for term in terms)
