"""Find the sentence of each passage that best answers the question, as a span of the passage.

Each sentence is embedded and scored by its cosine with the question plus a bonus for the
question's content words it contains (so "SGCE" or "levodopa" pull their sentence forward).
A very short best sentence is extended by its neighbour, so the mark covers a readable claim.
One embedding call serves all passages of a result list.
"""

from __future__ import annotations

import re

import numpy as np

from index.embedder import Embedder
from index.keyword import query_terms
from index.passages import Passage
from ingest.sentences import split_sentences

LEXICAL_WEIGHT = 0.15
SHORT_SENTENCE_WORDS = 6
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def add_highlights(passages: list[Passage], question: str, query: np.ndarray, embedder: Embedder) -> None:
    """Set `highlight` on every passage to its best sentence span (or two short ones)."""
    spans = [split_sentences(p.text) for p in passages]
    texts = [p.text[a:b] for p, ss in zip(passages, spans) for a, b in ss]
    if not texts:
        return
    similarity = embedder.embed(texts) @ query.astype(np.float32)
    terms = {_stem(t) for t in query_terms(question)}
    at = 0
    for passage, sentence_spans in zip(passages, spans):
        if not sentence_spans:
            continue
        scores = [
            float(similarity[at + i]) + LEXICAL_WEIGHT * _coverage(passage.text[a:b], terms)
            for i, (a, b) in enumerate(sentence_spans)
        ]
        at += len(sentence_spans)
        best = int(np.argmax(scores))
        start, end = sentence_spans[best]
        if len(passage.text[start:end].split()) < SHORT_SENTENCE_WORDS and best + 1 < len(sentence_spans):
            end = sentence_spans[best + 1][1]
        passage.highlight = (start, end)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _coverage(sentence: str, terms: set[str]) -> float:
    """Share of the question's content words that occur in the sentence."""
    if not terms:
        return 0.0
    words = {_stem(w) for w in re.findall(r"\w+", sentence.lower())}
    return len(terms & words) / len(terms)
