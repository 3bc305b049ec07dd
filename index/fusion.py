"""Combine ranked lists of (chunk id, score) from dense and keyword search into one ranking.

Two rules, both exact and cheap: reciprocal rank fusion (ranks only) and a convex
combination of per-query max-normalised scores. Which one the searcher uses, and with which
weight, is set in `SearchSettings` from measurements (see EVALUATION.md).
"""

from __future__ import annotations

Ranked = list[tuple[int, float]]  # (chunk id, score), best first


def reciprocal_rank_fusion(runs: list[Ranked], weights: list[float], k: int = 60) -> Ranked:
    """Sum of weight / (k + rank) over the runs a chunk appears in, best first."""
    fused: dict[int, float] = {}
    for run, weight in zip(runs, weights):
        for rank, (chunk_id, _) in enumerate(run, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: -item[1])


def score_fusion(runs: list[Ranked], weights: list[float]) -> Ranked:
    """Sum of weight × score / (best score of that run); a chunk missing from a run gets 0 there."""
    fused: dict[int, float] = {}
    for run, weight in zip(runs, weights):
        if not run:
            continue
        top = max(score for _, score in run) or 1.0
        for chunk_id, score in run:
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight * max(score, 0.0) / top
    return sorted(fused.items(), key=lambda item: -item[1])
