"""One ingest, timed by stage, in a process of its own (so its peak memory is its own).

    .venv/bin/python bench/ingest_stages.py CORPUS [--embedder minilm|hash]

Prints one JSON object: documents, chunks, sentence units, tokens embedded, seconds per stage,
documents/s, chunks/s, tokens/s and peak RSS. Stages: parse (loaders) and chunk (chunker),
timed file by file in a first pass; then the real update (`index.update.update_index`, a fresh
index), whose own progress stages give embed chunks and embed sentences; write is the rest of
the update (SQLite, FTS5, FAISS, fsync, publish). The first pass's parse+chunk is repeated inside
the update, so the update's total is parse + chunk + embed + write.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.embedder import load_embedder  # noqa: E402
from index.update import update_index  # noqa: E402
from ingest.chunker import ChunkSettings, chunk_document  # noqa: E402
from ingest.corpus import scan_corpus, with_collection  # noqa: E402
from ingest.document import LoadError, embedding_input  # noqa: E402
from ingest.loaders import load_document  # noqa: E402
from ingest.sentence_units import chunk_units  # noqa: E402
from ingest.tokens import load_token_counter  # noqa: E402


class StageTimes:
    """A Progress that notes when each stage starts (the update names them as it goes)."""

    def __init__(self) -> None:
        self.starts: list[tuple[str, float]] = []

    def stage(self, name: str, total: int) -> None:
        self.starts.append((name, time.perf_counter()))

    def advance(self, n: int = 1) -> None:
        pass

    def seconds(self, end: float) -> dict[str, float]:
        marks = self.starts + [("end", end)]
        return {name: b - a for (name, a), (_, b) in zip(marks, marks[1:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--embedder", default="minilm", choices=("minilm", "hash"))
    args = parser.parse_args()
    counter = load_token_counter()
    settings = ChunkSettings()
    parse = chunk = 0.0
    inputs: list[str] = []
    scan = scan_corpus(args.corpus)
    for item in scan.files:
        started = time.perf_counter()
        try:
            doc = with_collection(load_document(item.path, item.doc_id))
        except LoadError:
            continue
        parsed = time.perf_counter()
        chunks = chunk_document(doc, counter, settings)
        chunk += time.perf_counter() - parsed
        parse += parsed - started
        inputs += [c.embed_text for c in chunks]
        inputs += [
            embedding_input(c.context, doc.text[a:b])
            for c in chunks
            for a, b in chunk_units(doc.text, c.char_start, c.char_end)
        ]
    unique = list(dict.fromkeys(inputs))
    tokens = sum(min(n, counter.max_text_tokens + 2) for n in counter.count_many(unique))
    embedder = load_embedder(args.embedder)
    if args.embedder == "minilm":
        embedder.embed(["load the model before the clock starts"])
    times = StageTimes()
    with tempfile.TemporaryDirectory() as kb:
        started = time.perf_counter()
        report = update_index(args.corpus, Path(kb) / "kb", embedder, settings, progress=times)
        total = time.perf_counter() - started
    stage = times.seconds(started + total)
    files = stage.get("files", 0.0)
    embed_chunks, embed_units = stage.get("chunks", 0.0), stage.get("sentences", 0.0)
    write = total - files - embed_chunks - embed_units
    embed = embed_chunks + embed_units
    print(
        json.dumps(
            {
                "corpus": str(args.corpus),
                "embedder": args.embedder,
                "documents": report.documents,
                "chunks": report.chunks,
                "inputs_embedded": len(unique),
                "tokens_embedded": tokens,
                "seconds": {
                    "parse": round(parse, 2),
                    "chunk": round(chunk, 2),
                    "embed_chunks": round(embed_chunks, 2),
                    "embed_sentences": round(embed_units, 2),
                    "write": round(write, 2),
                    "update_total": round(total, 2),
                },
                "documents_per_s": round(report.documents / total, 1),
                "chunks_per_s": round(report.chunks / total, 1),
                "tokens_per_s_embedding": round(tokens / embed, 1) if embed else None,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
