"""Query latency per stage at 10k, 100k and 1M chunks, on indexes made from real SciFact chunks.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--queries 100] [--json out.json]

The source is a real index of the SciFact corpus (5,183 abstracts → 14.5k chunks, 50k sentence
units, all-MiniLM-L6-v2 vectors), built once by `python -m index build` into bench/out/ if it is
not there. A synthetic index of N chunks is one document per chunk: chunk i copies source chunk
i mod 14.5k (text, context, sentence units) and its vectors are the source's plus Gaussian noise
(cosine ≈ 0.86 to the source), so the copies cluster like real text does and keyword statistics
grow like a real corpus's. The sentence-key table (`index.templates`) gets one row per unit, its hash
salted with the document id: as in a real corpus, nearly every sentence is held by one document
(unsalted, every copied sentence would count as a template), and the table has a real corpus's size.
Rows, FTS5, unit vectors and FAISS are written straight into a generation (the builder's
per-document path would take hours at 1M); the FAISS index is chosen by
`index.vector_index.fitted`, exactly as a real build chooses it. Questions are SciFact test claims
(they match the corpus, so no search abstains and every stage runs), embedded by the real model;
each search is timed per stage with `index.search.StageClock`. Built indexes are kept in
bench/out/scale-N/ and reused (rebuilt when the index format has changed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import vector_index  # noqa: E402
from index.embedder import MODEL_NAME, load_embedder  # noqa: E402
from index.layout import CURRENT, DATABASE, MANIFEST, UNIT_IDS, UNIT_VECTORS, VECTORS  # noqa: E402
from index.manifest import FORMAT_VERSION, Manifest  # noqa: E402
from index.search import Searcher, StageClock  # noqa: E402
from index.store import SCHEMA, open_snapshot  # noqa: E402
from index.templates import key_hash, template_key  # noqa: E402
from index.vector_index import describe, fitted, new_exact  # noqa: E402
from ingest.chunker import ChunkSettings  # noqa: E402

SCIFACT = ROOT.parent / "shared" / "data" / "scifact"
OUT = ROOT / "bench" / "out"
SOURCE_KB = OUT / "scifact-source"
NOISE = 0.6  # norm of the noise added to a unit vector: cosine to the source ≈ 1/sqrt(1 + 0.36)
STAGES = ("embed", "dense", "keyword", "fusion", "rescore", "passages", "evidence", "total")


def source_index() -> Path:
    """A real index of SciFact's corpus (one file per abstract), built once; the one the txtai
    comparison already built (bench/out/txtai-work/beir-cache) is used when it is there."""
    for cached in sorted((OUT / "txtai-work" / "beir-cache").glob("scifact-*")):
        if (cached / CURRENT).exists() and _current_format(cached):
            return cached
    if (SOURCE_KB / CURRENT).exists() and _current_format(SOURCE_KB):
        return SOURCE_KB
    corpus = OUT / "scifact-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    with open(SCIFACT / "corpus.jsonl", encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            (corpus / f"{doc['_id']}.txt").write_text(f"{doc['title']}\n\n{doc['text']}\n", encoding="utf-8")
    from index.progress import TqdmProgress
    from index.update import update_index

    update_index(corpus, SOURCE_KB, load_embedder(), progress=TqdmProgress())
    return SOURCE_KB


def _current_format(kb: Path) -> bool:
    """True when the index's live generation is of today's format (else it is rebuilt)."""
    name = (kb / CURRENT).read_text(encoding="ascii").strip()
    manifest = Manifest.from_json((kb / name / MANIFEST).read_text(encoding="utf-8"))
    return manifest.format_version == FORMAT_VERSION


def _source_rows(kb: Path):
    snapshot = open_snapshot(kb)
    chunks = snapshot._rows("SELECT id, char_start, char_end, context, text FROM chunks ORDER BY id")
    units = snapshot._rows("SELECT id, chunk_id, char_start, char_end FROM units ORDER BY id")
    vectors = np.vstack([snapshot.vectors.reconstruct(row[0]) for row in chunks]).astype(np.float32)
    unit_vectors = np.asarray(snapshot.unit_vectors, dtype=np.float32)
    by_chunk: dict[int, list[tuple[int, int, int]]] = {}
    for row, (_unit_id, chunk_id, a, b) in enumerate(units):
        by_chunk.setdefault(chunk_id, []).append((row, a, b))
    return chunks, vectors, unit_vectors, by_chunk


def _noisy(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(rows.shape).astype(np.float32) * (NOISE / np.sqrt(rows.shape[1]))
    out = np.ascontiguousarray(rows + noise, dtype=np.float32)
    faiss.normalize_L2(out)
    return out


def build_synthetic(n: int, source: Path) -> tuple[Path, float]:
    """A generation of n one-chunk documents made from the source index; seconds to build it."""
    kb = OUT / f"scale-{n}"
    if (kb / CURRENT).exists():
        built = json.loads((kb / "gen-000001" / MANIFEST).read_text())["index_type"]
        today = built.startswith("IndexIVF") == (n > vector_index.APPROXIMATE_ABOVE)  # the kind a build picks today
        if today and _current_format(kb):
            return kb, json.loads((kb / "build.json").read_text())["seconds"]
        shutil.rmtree(kb)
    started = time.perf_counter()
    chunks, vectors, unit_vectors, by_chunk = _source_rows(source)
    rng = np.random.default_rng(n)
    folder = kb / "gen-000001"
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / DATABASE)
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
    index = new_exact(vectors.shape[1])
    unit_ids, unit_rows = [], []
    next_unit = 1
    for at in range(0, n, 20_000):
        ids = np.arange(at + 1, min(n, at + 20_000) + 1, dtype=np.int64)
        picks = (ids - 1) % len(chunks)
        docs, rows, fts, units, keys = [], [], [], [], []
        for chunk_id, pick in zip(ids.tolist(), picks.tolist()):
            source_id, start, _end, context, text = chunks[pick]
            doc_id = f"synthetic/{chunk_id:07d}"
            docs.append((doc_id, "-", f"Synthetic {chunk_id}", doc_id, "text", "synthetic", text, "[]", "[]", "-"))
            rows.append((chunk_id, doc_id, 0, 0, len(text), "", None, context, text))
            fts.append((chunk_id, context, text))
            for row, a, b in by_chunk.get(source_id, []):
                units.append((next_unit, chunk_id, a - start, b - start))
                keys.append((key_hash(f"{doc_id}\n{template_key(text[a - start : b - start], '')}"),))
                unit_ids.append(next_unit)
                unit_rows.append(row)
                next_unit += 1
        db.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)", docs)
        db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)", rows)
        db.executemany("INSERT INTO chunks_fts (rowid, context, text) VALUES (?,?,?)", fts)
        db.executemany("INSERT INTO units VALUES (?,?,?,?)", units)
        db.executemany("INSERT OR IGNORE INTO sentence_keys VALUES (?, 1)", keys)
        block = vectors[picks] if at == 0 and n <= len(chunks) else _noisy(vectors[picks], rng)
        if at == 0:
            block[: min(len(chunks), len(ids))] = vectors[picks[: min(len(chunks), len(ids))]]  # the originals
        index.add_with_ids(block, ids)
    db.commit()
    db.close()
    faiss_started = time.perf_counter()
    index = fitted(index, vectors.shape[1], retrain=True)
    faiss_seconds = time.perf_counter() - faiss_started
    faiss.write_index(index, str(folder / VECTORS))
    np.save(folder / UNIT_IDS, np.array(unit_ids, dtype=np.int64))
    unit_out = np.lib.format.open_memmap(folder / UNIT_VECTORS, "w+", np.float16, (len(unit_rows), vectors.shape[1]))
    rows_array = np.array(unit_rows, dtype=np.int64)
    for at in range(0, len(rows_array), 200_000):
        unit_out[at : at + 200_000] = _noisy(unit_vectors[rows_array[at : at + 200_000]], rng).astype(np.float16)
    unit_out.flush()
    del unit_out
    manifest = Manifest(
        generation=1,
        model=MODEL_NAME,
        dimension=vectors.shape[1],
        chunking=ChunkSettings().as_dict(),
        documents=n,
        chunks=n,
        built_at="synthetic",
        units=len(unit_ids),
        index_type=describe(index),
    )
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    (kb / CURRENT).write_text("gen-000001\n", encoding="ascii")
    seconds = time.perf_counter() - started
    (kb / "build.json").write_text(json.dumps({"seconds": seconds, "faiss_seconds": faiss_seconds}))
    return kb, seconds


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"p50": statistics.median(ordered) * 1000, "p95": pick(0.95) * 1000, "p99": pick(0.99) * 1000}


def measure(kb: Path, embedder, questions: list[str], warm_up: list[str], rounds: int = 2) -> dict:
    """Per-stage warm latency (ms) over every question, `rounds` times. Each round has a searcher of
    its own, warmed on other questions: a searcher remembers its recent BM25 runs, and a round that
    repeated the last one's questions would time those memories, not keyword search."""
    samples: dict[str, list[float]] = {stage: [] for stage in STAGES}
    abstained = 0
    for _ in range(rounds):
        searcher = Searcher(kb, embedder)
        for q in warm_up:
            searcher.search(q, k=5)
        for q in questions:
            clock = StageClock()
            started = time.perf_counter()
            result = searcher.search(q, k=5, clock=clock)
            clock.seconds["total"] = time.perf_counter() - started
            abstained += result.abstained
            for stage in STAGES:
                samples[stage].append(clock.seconds.get(stage, 0.0))
    snapshot = searcher.snapshot()
    return {
        "chunks": snapshot.manifest.chunks,
        "units": snapshot.manifest.units,
        "index_type": snapshot.manifest.index_type,
        "searches": len(questions) * rounds,
        "abstained": abstained,
        "stages": {stage: _percentiles(values) for stage, values in samples.items()},
        "disk_mb": sum(f.stat().st_size for f in kb.rglob("*") if f.is_file()) / 1e6,
    }


def recall_at_10(kb: Path, embedder, questions: list[str]) -> float | None:
    """Recall@10 of the index's approximate search against exact search (None when it is exact)."""
    snapshot = open_snapshot(kb)
    if snapshot.manifest.index_type.startswith("IndexIDMap2"):
        return None
    ivf = faiss.extract_index_ivf(snapshot.vectors)
    queries = embedder.embed(questions)
    _, approx = snapshot.vectors.search(queries, 10)
    ivf.nprobe = ivf.nlist  # every list: exact
    _, exact = snapshot.vectors.search(queries, 10)
    return float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    embedder = load_embedder()
    with open(SCIFACT / "queries.jsonl", encoding="utf-8") as lines:
        claims = [json.loads(line)["text"] for line in lines]
    questions, warm_up = claims[: args.queries], claims[args.queries : args.queries + 10]
    source = source_index()
    results = []
    for n in args.sizes:
        kb, build_seconds = build_synthetic(n, source)
        figures = measure(kb, embedder, questions, warm_up)
        figures["build_seconds"] = build_seconds
        figures["recall_at_10"] = recall_at_10(kb, embedder, questions)
        figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.append(figures)
        stages = figures["stages"]
        print(
            f"{n:>9,} chunks ({figures['index_type'].split(':')[0]}): total p50 {stages['total']['p50']:.1f} ms, "
            f"p95 {stages['total']['p95']:.1f}, p99 {stages['total']['p99']:.1f}; "
            + ", ".join(f"{s} {stages[s]['p50']:.1f}" for s in STAGES[:-1])
            + f"; recall@10 {figures['recall_at_10']}; built in {build_seconds:.0f} s; "
            f"peak RSS {figures['rss_mb']:.0f} MB",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"pid": os.getpid(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
