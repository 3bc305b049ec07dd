"""What each part of retrieval is worth: the same question sets and BEIR data with parts switched off.

Variants: the default (chunks embedded with their "title — section" context line), and the same
without the context line. Each variant indexes the corpus once (into bench/out/), then every
question set / BEIR folder is evaluated in every mode. Prints one row per (variant, set, mode).
    python bench/ablation.py --corpus corpus ../shared/eval/dystonia_questions.jsonl bench/questions/lay.jsonl
    python bench/ablation.py ../shared/data/scifact          # BEIR (indexes 5,183 abstracts per variant)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.embedder import load_embedder
from index.evaluate import (
    beir_index,
    evaluate_beir,
    evaluate_questions,
    load_beir,
    load_questions,
)
from index.search import MODES, Searcher
from index.update import update_index
from ingest.chunker import ChunkSettings

OUT = Path(__file__).resolve().parent / "out"
VARIANTS = {
    "context (default)": ChunkSettings(),
    "no context": ChunkSettings(context=False),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, help="corpus folder for question sets")
    parser.add_argument("--split", default="test")
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args()
    embedder = load_embedder()
    for variant, settings in VARIANTS.items():
        tag = "ctx" if settings.context else "noctx"
        for path in args.paths:
            if path.is_dir():
                kb = beir_index(path, embedder, OUT / f"beir-{tag}", settings)
                _, queries, qrels = load_beir(path, args.split)
                for mode in MODES:
                    s = evaluate_beir(Searcher(kb, embedder), queries, qrels, mode, path.name, args.split)
                    print(
                        f"{variant:<18} {s.name:<26} {mode:<8} nDCG@10 {s.ndcg_at_10:.4f}  R@100 {s.recall_at_100:.4f}",
                        flush=True,
                    )
            else:
                kb = OUT / f"kb-{tag}"
                update_index(args.corpus, kb, embedder, settings)
                questions = load_questions(path)
                for mode in MODES:
                    s = evaluate_questions(Searcher(kb, embedder), questions, mode, path.name)
                    print(f"{variant:<18} {s.name:<26} {mode:<8} hit@1 {s.hit_at_1:.3f}  hit@5 {s.hit_at_5:.3f}  "
                          f"MRR@10 {s.mrr_at_10:.3f}", flush=True)


if __name__ == "__main__":
    main()
