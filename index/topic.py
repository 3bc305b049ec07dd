"""The knowledge base's own topic, and questions that leave it unsaid.

People ask a knowledge base about its subject without naming it: "Can young kids get it too?",
"Does this run in families?", "Is it true this condition can leave someone unable to see?". The
model reads "it" as nothing, so such a question sits as close to a passage on any inherited disease
as to one on the subject. A question that names no topic word but refers to something ("it",
"this", "the condition") is read, for ranking, as also being about the topic: "Can young kids get
dystonia too?".

The topic is the word most document titles share ("dystonia" in "Dystonia", "What are
Dystonias?", "early-onset primary dystonia"…), when at least `TITLE_SHARE` of the titles hold it
and it is common in the chunks too (the search's own test for the corpus's topic). A knowledge
base of papers on everything (SciFact) or of answers to varied questions (MEDIQA) has none, and
nothing changes. What a question refers to is found by plain patterns, not by resolving it: this
module does not decide whether "it" in "is it safe to take antibiotics" means the topic; the search
blends the two readings and lets the question's own reading decide whether to answer at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from index.evidence import stem
from index.keyword import query_terms
from index.title_subjects import GENERIC_TITLE_WORDS

TITLE_SHARE = 0.25  # the topic word is in at least a quarter of the titles
MIN_TITLES = 3  # and in at least three: a word two titles share is no knowledge base's topic

# Words that refer to something the question does not name: "it", "this", "the condition",
# "this twisting disorder". A noun phrase is replaced in preference to "it" or "this".
# "The disease that comes with…" or "the inherited eye-nerve disease" names something else.
_REFERRING_PHRASE = re.compile(
    r"\b(?:this|that|these)\s+(?:[a-z'-]+\s+)?(?:condition|disorder|disease|illness|problem|thing)s?\b"
    r"|\bthe\s+(?:condition|disorder|disease|illness|problem)\b(?!\s+(?:that|which|where|with|called|of)\b)",
    re.IGNORECASE,
)
_REFERRING_WORD = re.compile(r"\b(?:it|this)\b", re.IGNORECASE)


def corpus_topic(titles: Sequence[str], is_common: Callable[[str], bool]) -> str | None:
    """The word most titles share (as most of them spell it), when at least TITLE_SHARE of the
    titles and MIN_TITLES of them hold it and `is_common` says the chunks use it widely; else None."""
    if len(titles) < MIN_TITLES:
        return None
    holders: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for title in titles:
        words = [w for w in query_terms(title) if w not in GENERIC_TITLE_WORDS and w.isalpha()]
        for word in words:
            spellings.setdefault(stem(word), Counter())[word] += 1
        holders.update({stem(w) for w in words})
    for root, count in holders.most_common(3):
        if count < max(MIN_TITLES, TITLE_SHARE * len(titles)):
            break
        word = spellings[root].most_common(1)[0][0]
        if is_common(word):
            return word
    return None


def names_topic(question: str, topic: str) -> bool:
    """True when the question holds the topic word in any form ("dystonias", "Dystonia")."""
    root = stem(topic)
    return any(stem(word) == root for word in query_terms(question))


def with_topic(question: str, topic: str | None) -> str | None:
    """The question reading its first referring words ("this condition", "it") as the topic, when
    it does not name the topic itself; else None ("Can young kids get it too?" → "Can young kids get
    dystonia too?")."""
    if not topic or names_topic(question, topic):
        return None
    for pattern in (_REFERRING_PHRASE, _REFERRING_WORD):
        if pattern.search(question):
            return pattern.sub(topic, question, count=1)
    return None
