"""MEDIQA 2019 dev through the product's own commands, as a user would run them.

    .venv/bin/python bench/mediqa_cli.py [../shared/data/mediqa_dev] [--k 10]

Each of the 697 answers becomes one text file (title line, blank line, text) in
bench/out/mediqa-cli/corpus; `python -m ingest` indexes them; the 123 questions are piped, one per
line, through `python -m index search --json -k K` in each mode. The documents of the passages
returned, in order (a document counted once, at its best passage), are scored against the graded
judgements, once with the passages' own documents and once adding after each passage the
near-duplicate documents it lists in `also_in` (search shows a text found in several answers
once): nDCG@10 (grades as gains), MRR@10 and P@5 (relevant at grade ≥ 2, "correct"). A
question the search abstains on scores 0. Prints one JSON object per mode. Evaluation only: the
answer texts belong to third-party sites and never go into the product's corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.evaluate import load_beir, mrr_at, ndcg_at, precision_at  # noqa: E402

WORK = ROOT / "bench" / "out" / "mediqa-cli"
MODES = ("hybrid", "dense", "keyword")


def write_corpus(corpus: list[dict], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for record in corpus:
        text = f"{record.get('title', '').strip()}\n\n{record.get('text', '').strip()}\n"
        path = folder / f"{record['_id']}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def run_mode(kb: Path, queries: dict[str, str], mode: str, k: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Document ids per query id, best first, from `search --json` over stdin: the passages'
    own documents, and those with the near-duplicate documents each passage lists in `also_in`."""
    ids = list(queries)
    lines = "\n".join(" ".join(queries[i].split()) for i in ids) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "index", "--index-dir", str(kb), "search", "--json", "-k", str(k), "--mode", mode],
        input=lines, capture_output=True, text=True, cwd=ROOT, check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    own: dict[str, list[str]] = {" ".join(queries[i].split()): [] for i in ids}
    also: dict[str, list[str]] = {question: [] for question in own}
    for line in done.stdout.splitlines():
        row = json.loads(line)
        if not row.get("doc_id"):
            continue  # an abstention
        for found, docs in ((own, [row["doc_id"]]), (also, [row["doc_id"], *row.get("also_in", [])])):
            ranked = found.setdefault(row["query"], [])
            for doc in docs:
                if doc.removesuffix(".txt") not in ranked:
                    ranked.append(doc.removesuffix(".txt"))
    key = {i: " ".join(queries[i].split()) for i in ids}
    return {i: own[key[i]] for i in ids}, {i: also[key[i]] for i in ids}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "data" / "mediqa_dev"))
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    corpus, queries, qrels = load_beir(Path(args.folder), "test")
    write_corpus(corpus, WORK / "corpus")
    kb = WORK / "kb"
    subprocess.run(
        [sys.executable, "-m", "ingest", "--corpus", str(WORK / "corpus"), "--index-dir", str(kb)],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    relevant = {q: {d for d, g in qrels[q].items() if g >= 2} for q in queries}
    for mode in MODES:
        own, with_also = run_mode(kb, queries, mode, args.k)
        for counted, ranked in (("passage documents", own), ("with also_in", with_also)):
            n = len(queries)
            figures = {
                "mode": mode,
                "counted": counted,
                "queries": n,
                "k": args.k,
                "ndcg_at_10": round(sum(ndcg_at(ranked[q], qrels[q]) for q in queries) / n, 4),
                "mrr_at_10": round(sum(mrr_at(ranked[q], relevant[q]) for q in queries) / n, 4),
                "p_at_5": round(sum(precision_at(ranked[q], relevant[q]) for q in queries) / n, 4),
                "abstained": sum(not ranked[q] for q in queries),
            }
            print(json.dumps(figures), flush=True)

if __name__ == "__main__":
    main()
