"""Choose the fusion rule and weights on the SciFact TRAIN split (the test split is only reported).
    python bench/tune_scifact.py ../shared/data/scifact
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from index.config import REPO_ROOT
from index.embedder import load_embedder
from index.evaluate import beir_index, load_beir, ndcg_at, rank_documents
from index.search import Searcher, SearchSettings


def main() -> None:
    folder = Path(sys.argv[1])
    split = sys.argv[2] if len(sys.argv) > 2 else "train"
    embedder = load_embedder()
    kb = beir_index(folder, embedder, REPO_ROOT / ".kb-beir")
    _, queries, qrels = load_beir(folder, split)
    grid = [
        SearchSettings(fusion="rrf", keyword_weight=w, rrf_k=k)
        for w in (0.5, 0.75, 1.0, 1.5)
        for k in (10, 30, 60, 100)
    ]
    grid += [SearchSettings(fusion="score", keyword_weight=w) for w in (0.3, 0.5, 0.7, 1.0, 1.5)]
    for settings in grid:
        searcher = Searcher(kb, embedder, settings)
        rankings = rank_documents(searcher, queries, "hybrid")
        ndcg = np.mean([ndcg_at(rankings[q], qrels[q]) for q in queries])
        print(
            f"{split} {settings.fusion:<5} kw×{settings.keyword_weight:<5} k={settings.rrf_k:<4} nDCG@10 {ndcg:.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
