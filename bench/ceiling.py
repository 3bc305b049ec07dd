"""The hardware ceiling for embedding, and how close ingest comes to it.

    .venv/bin/python bench/ceiling.py [--texts 2000]

1. The machine's matrix-multiply throughput: torch.matmul of 1024×1024 matrices on all of
   torch's threads, best of several timed runs (GFLOP/s), in float32 and, where the CPU multiplies
   bfloat16 natively, in bfloat16.
2. The model's FLOPs per token, counted from its config (all-MiniLM-L6-v2: 6 layers, hidden 384,
   feed-forward 1536): 2 × (4h² + 2hf) per layer for the projections and feed-forward, plus
   2 × 2 × s × h per layer for attention at the measured mean sequence length s.
3. Embedding throughput on real chunk texts (the 277 NINDS fact sheets' chunks, or the default
   corpus's when ../shared is absent), through the same `MiniLMEmbedder.embed` ingest uses:
   tokens/s (real tokens, padding not counted), and that × FLOPs/token ÷ matmul FLOP/s, the
   share of the ceiling reached: for the float32 forward pass against the float32 matmul, and
   for the default precision (bfloat16 where the CPU has it) against the matmul of that precision.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.embedder import MiniLMEmbedder  # noqa: E402
from ingest.chunker import ChunkSettings, chunk_document  # noqa: E402
from ingest.corpus import scan_corpus, with_collection  # noqa: E402
from ingest.loaders import load_document  # noqa: E402
from ingest.tokens import bundled_model_dir, load_token_counter  # noqa: E402

NINDS = ROOT.parent / "shared" / "data" / "medquad" / "ninds"


def matmul_gflops(size: int = 1024, runs: int = 20, dtype: str = "float32") -> tuple[float, int]:
    """Best-of-runs matmul throughput (GFLOP/s) in `dtype` and the thread count used."""
    import torch

    a, b = torch.randn(size, size).to(getattr(torch, dtype)), torch.randn(size, size).to(getattr(torch, dtype))
    for _ in range(3):
        torch.matmul(a, b)
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        torch.matmul(a, b)
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9, torch.get_num_threads()


def flops_per_token(mean_length: float) -> float:
    """Forward-pass FLOPs per token of the bundled model at a mean sequence length."""
    config = json.loads((bundled_model_dir() / "config.json").read_text())
    h, f, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    return layers * (2 * (4 * h * h + 2 * h * f) + 2 * 2 * mean_length * h)


def chunk_texts(limit: int) -> list[str]:
    """Real chunk texts (embedding inputs) of the NINDS sheets, or of corpus/ without ../shared."""
    folder = NINDS if NINDS.is_dir() else ROOT / "corpus"
    counter, texts = load_token_counter(), []
    for item in scan_corpus(folder).files:
        doc = with_collection(load_document(item.path, item.doc_id))
        texts += [c.embed_text for c in chunk_document(doc, counter, ChunkSettings())]
        if len(texts) >= limit:
            break
    return texts[:limit]


def embedding_rate(texts: list[str], total_tokens: int, precision: str) -> tuple[float, float, str]:
    """Seconds and tokens/s of one `MiniLMEmbedder.embed` over texts, and the precision it ran in."""
    embedder = MiniLMEmbedder(precision=precision)
    embedder.embed(texts[:32])  # load and warm up
    started = time.perf_counter()
    embedder.embed(texts)
    seconds = time.perf_counter() - started
    return seconds, total_tokens / seconds, embedder.precision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    args = parser.parse_args()
    texts = chunk_texts(args.texts)
    counter = load_token_counter()
    lengths = [min(n, counter.max_text_tokens) + 2 for n in counter.count_many(texts)]  # + [CLS], [SEP]
    mean_length = sum(lengths) / len(lengths)
    per_token = flops_per_token(mean_length)
    figures: dict = {"model_mflops_per_token": round(per_token / 1e6, 2), "mean_tokens_per_text": round(mean_length, 1)}
    figures["texts"] = len(texts)
    for key, precision in (("", "float32"), ("default_", "auto")):
        seconds, tokens_per_s, ran_in = embedding_rate(texts, sum(lengths), precision)
        gflops, threads = matmul_gflops(dtype=ran_in)
        figures[f"{key}precision"] = ran_in
        figures[f"{key}matmul_gflops"] = round(gflops, 1)
        figures["torch_threads"] = threads
        figures[f"{key}embed_seconds"] = round(seconds, 2)
        figures[f"{key}tokens_per_s"] = round(tokens_per_s, 1)
        figures[f"{key}ceiling_tokens_per_s"] = round(gflops * 1e9 / per_token, 1)
        figures[f"{key}share_of_ceiling"] = round(tokens_per_s * per_token / (gflops * 1e9), 3)
    figures["default_vs_float32_ceiling"] = round(figures["default_tokens_per_s"] / figures["ceiling_tokens_per_s"], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
