"""Find the sentence of each passage that best answers the question, as a span of the passage.

Each sentence is embedded and scored by its cosine with the question plus a bonus for the
question's content words it contains, each word weighted by how rare it is in the index
(so "stress" or "SGCE" pull their sentence forward, "dystonia", which is everywhere, barely).
A very short best sentence is extended by its neighbour, so the mark covers a readable claim.
One embedding call serves all passages of a result list.
"""

from __future__ import annotations

import re

import numpy as np

from index.embedder import Embedder
from index.passages import Passage
from ingest.sentences import split_sentences

LEXICAL_WEIGHT = 0.8  # chosen on the held-out and lay question sets (EVALUATION.md)
SHORT_SENTENCE_WORDS = 6
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def evidence_spans(
    passages: list[Passage], query: np.ndarray, embedder: Embedder, weights: dict[str, float]
) -> list[tuple[int, int] | None]:
    """The best sentence span (or two short ones) of every passage, None where it has no sentence.

    `weights` maps each content word of the question to its importance (inverse chunk frequency).
    """
    spans = [split_sentences(p.text) for p in passages]
    texts = [p.text[a:b] for p, ss in zip(passages, spans) for a, b in ss]
    if not texts:
        return [None] * len(passages)
    similarity = embedder.embed(texts) @ query.astype(np.float32)
    terms = {stem(t): weight for t, weight in weights.items()}
    found: list[tuple[int, int] | None] = []
    at = 0
    for passage, sentence_spans in zip(passages, spans):
        if not sentence_spans:
            found.append(None)
            continue
        scores = [
            float(similarity[at + i])
            + LEXICAL_WEIGHT * _coverage(passage.text[a:b], terms)
            # A question (MedQuAD answers often repeat theirs) never answers anything.
            - (10.0 if passage.text[a:b].rstrip().endswith("?") else 0.0)
            for i, (a, b) in enumerate(sentence_spans)
        ]
        at += len(sentence_spans)
        best = int(np.argmax(scores))
        start, end = sentence_spans[best]
        if len(passage.text[start:end].split()) < SHORT_SENTENCE_WORDS and best + 1 < len(sentence_spans):
            end = sentence_spans[best + 1][1]
        found.append((start, end))
    return found


def stem(word: str) -> str:
    """A light suffix strip, enough to match 'spasms' with 'spasm' and 'inherited' with 'inherit'."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _coverage(sentence: str, terms: dict[str, float]) -> float:
    """Weighted share of the question's content words that occur in the sentence."""
    total = sum(terms.values())
    if not total:
        return 0.0
    words = {stem(w) for w in re.findall(r"\w+", sentence.lower())}
    return sum(weight for term, weight in terms.items() if term in words) / total
