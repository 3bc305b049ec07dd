"""Search latency with the real model: median seconds per question, end to end (embedding the
question, dense + keyword search, fusion, merging, evidence marks), and per stage of exact search.
    python bench/latency.py [--index-dir .kb] [--beir-index .kb-beir/scifact-…]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.embedder import load_embedder  # noqa: E402
from index.evaluate import load_questions  # noqa: E402
from index.search import Searcher  # noqa: E402

QUESTIONS = Path(__file__).resolve().parents[2] / "shared/eval/dystonia_questions.jsonl"


def median_seconds(fn, items) -> float:
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index-dir", default=".kb")
    parser.add_argument("--beir-index", help="a BEIR index folder, to time exact dense search on a larger index")
    args = parser.parse_args()
    embedder = load_embedder()
    embedder.embed(["warm up"])
    questions = [q.question for q in load_questions(QUESTIONS)]
    searcher = Searcher(Path(args.index_dir), embedder)
    snapshot = searcher.snapshot()
    print(f"index {args.index_dir}: {snapshot.manifest.chunks} chunks; {len(questions)} questions")
    print(f"  search, 5 passages with evidence  {median_seconds(lambda q: searcher.search(q, k=5), questions):.3f} s")
    print(f"  search, 5 passages, no evidence   "
          f"{median_seconds(lambda q: searcher.search(q, k=5, highlight=False), questions):.3f} s")
    print(f"  embed the question only           {median_seconds(lambda q: embedder.embed([q]), questions):.3f} s")
    if args.beir_index:
        beir = Searcher(Path(args.beir_index), embedder).snapshot()
        vectors = embedder.embed(questions)
        seconds = median_seconds(lambda v: beir.dense_search(v, 100), list(vectors))
        print(f"index {args.beir_index}: {beir.manifest.chunks} chunks")
        print(f"  exact dense search, top 100       {seconds * 1000:.2f} ms")


if __name__ == "__main__":
    main()
