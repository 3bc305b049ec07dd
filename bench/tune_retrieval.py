"""Sweep retrieval settings on question sets against one index; print a row per setting.

Used to choose SearchSettings (fusion rule, weights, abstention threshold) on data that is
not the shared dev set; see EVALUATION.md. Query embeddings are computed once.
    python bench/tune_retrieval.py --index-dir .kb QUESTIONS.jsonl...
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.embedder import load_embedder
from index.evaluate import evaluate_questions, load_questions
from index.search import Searcher, SearchSettings


class MemoEmbedder:
    """Caches embeddings by text, so a sweep embeds each question once."""

    def __init__(self, inner):
        self.inner, self.name, self.dimension, self.cache = inner, inner.name, inner.dimension, {}

    def embed(self, texts, progress=None):
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing)):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index-dir", default=".kb")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    embedder = MemoEmbedder(load_embedder())
    sets = {Path(p).name: load_questions(Path(p)) for p in args.paths}

    # 1. Abstention: the two signals of every question, answerable or not, sorted by cosine.
    searcher = Searcher(Path(args.index_dir), embedder, SearchSettings(answer_above=-1.0))
    print("best cosine and word coverage per question (A answerable / U unanswerable):")
    rows = []
    for name, questions in sets.items():
        for q in questions:
            r = searcher.search(q.question, k=1, highlight=False)
            rows.append((r.best_similarity, r.coverage, "A" if q.answers else "U", f"{name}:{q.id}", q.question[:70]))
    for cosine, coverage, kind, where, text in sorted(rows):
        print(f"  {kind} cosine {cosine:.3f} coverage {coverage:.2f} {where} {text}")

    # 2. Fusion rules and weights.
    grid = [("rrf", w, k) for w, k in itertools.product((0.5, 1.0, 1.5, 2.0), (10, 30, 60))]
    grid += [("score", w, 0) for w in (0.3, 0.5, 0.7, 1.0, 1.5, 2.0)]
    for fusion, keyword_weight, rrf_k in grid:
        settings = SearchSettings(fusion=fusion, keyword_weight=keyword_weight, rrf_k=rrf_k or 60, answer_above=-1.0)
        searcher = Searcher(Path(args.index_dir), embedder, settings)
        cells = []
        for name, questions in sets.items():
            s = evaluate_questions(searcher, [q for q in questions if q.answers], "hybrid", name)
            cells.append(f"{name[:10]} h1 {s.hit_at_1:.2f} h5 {s.hit_at_5:.2f} mrr {s.mrr_at_10:.3f}")
        print(f"{fusion:<5} kw×{keyword_weight:<4} k={rrf_k:<3} | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
