"""Reindex cost with the real model: does the cost follow the change, not the corpus?

For each corpus (the default corpus/, and the 277 NINDS fact sheets from ../shared), on a copy:
  - a full build;
  - no-change reindex, in-process and as `python -m ingest` (interpreter start-up included);
  - one document changed, two ways: a small edit (one sentence appended) and a rewrite (the
    text of every chunk changed), each timed as a reindex and divided by the time to load, chunk and embed
    that one document alone (the aim is a ratio close to 1, or below it for a small edit).
Medians of 5 runs. Prints a table; numbers go into README.md.
    python bench/reindex.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.embedder import load_embedder  # noqa: E402
from index.update import update_index  # noqa: E402
from ingest.chunker import ChunkSettings, chunk_document  # noqa: E402
from ingest.document import embedding_input  # noqa: E402
from ingest.loaders import load_document  # noqa: E402
from ingest.sentence_units import chunk_units  # noqa: E402
from ingest.tokens import load_token_counter  # noqa: E402

RUNS = 5
CORPORA = {
    "corpus/ (34 documents)": ROOT / "corpus",
    "NINDS (277 documents)": ROOT.parent / "shared/data/medquad/ninds",
}


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def embed_alone(path: Path, doc_id: str, embedder) -> float:
    """Load, chunk and embed one document by itself (its chunks, then their sentence units, as an
    update embeds them): the floor a reindex of it can reach."""
    def run():
        doc = load_document(path, doc_id)
        chunks = chunk_document(doc, load_token_counter(), ChunkSettings())
        inputs = [c.embed_text for c in chunks]
        embedder.embed(inputs)
        units = [
            embedding_input(c.context, doc.text[a:b])
            for c in chunks
            for a, b in chunk_units(doc.text, c.char_start, c.char_end)
        ]
        chunk_inputs = set(inputs)
        embedder.embed(list(dict.fromkeys(u for u in units if u not in chunk_inputs)))
    return timed(run)


def edit(path: Path, rewrite: bool, round_: int) -> None:
    """A small edit (one sentence added), or a rewrite that changes the text of every chunk."""
    text = path.read_text(encoding="utf-8")
    if rewrite:
        text = text.replace(" the ", " this ").replace(" and ", f" and (r{round_}) ")
    elif path.suffix == ".xml":
        for closing in ("</Answer>", "</answer>"):
            text = text.replace(closing, f" Note added in round {round_}.{closing}", 1)
    else:
        text += f"\nNote added in round {round_}.\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    embedder = load_embedder()
    embedder.embed(["warm up"])  # load the model outside every timing
    print(f"{'corpus':<24} {'measure':<44} {'median':>9}")
    for name, source in CORPORA.items():
        if not source.is_dir():
            print(f"{name:<24} (missing: {source})")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            corpus, kb = Path(tmp) / "corpus", Path(tmp) / "kb"
            shutil.copytree(source, corpus)
            # B023 below: timed() calls each lambda at once, in this iteration, so the loop variables are current.
            build_seconds = timed(lambda: update_index(corpus, kb, embedder))  # noqa: B023
            report = update_index(corpus, kb, embedder)
            print(f"{name:<24} {'full build (s)':<44} {build_seconds:>9.2f}   ({report.chunks} chunks)")
            no_change = [timed(lambda: update_index(corpus, kb, embedder)) for _ in range(RUNS)]  # noqa: B023
            print(f"{name:<24} {'no-change reindex, in process (s)':<44} {statistics.median(no_change):>9.3f}")
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            command = [sys.executable, "-m", "ingest", "--corpus", str(corpus), "--index-dir", str(kb)]
            cli = [
                timed(lambda: subprocess.run(command, env=env, capture_output=True, check=True))  # noqa: B023
                for _ in range(3)
            ]
            print(f"{name:<24} {'no-change reindex, python -m ingest (s)':<44} {statistics.median(cli):>9.3f}")
            documents = sorted(p for p in corpus.rglob("*") if p.suffix in (".xml", ".txt")
                               and not p.name.upper().startswith(("LICENSE", "README")))
            by_size = sorted(documents, key=lambda p: p.stat().st_size)
            picks = by_size[len(by_size) // 2 :: max(1, len(by_size) // (2 * RUNS))][:RUNS]
            for rewrite in (False, True):
                ratios, seconds, embedded = [], [], []
                for round_, path in enumerate(picks):
                    edit(path, rewrite, round_)
                    doc_id = path.relative_to(corpus).as_posix()
                    # B023: timed() calls the lambda at once, in this iteration, so the loop variables are current.
                    reindex = timed(
                        lambda: embedded.append(update_index(corpus, kb, embedder).embedded_chunks)  # noqa: B023
                    )
                    alone = embed_alone(path, doc_id, embedder)
                    seconds.append(reindex)
                    ratios.append(reindex / alone)
                kind = "rewrite" if rewrite else "small edit"
                print(f"{name:<24} {f'one document, {kind}: reindex (s)':<44} {statistics.median(seconds):>9.3f}"
                      f"   (chunks embedded: median {statistics.median(embedded):.0f})")
                print(
                    f"{name:<24} {f'one document, {kind}: reindex / embed alone':<44} {statistics.median(ratios):>9.2f}"
                )


if __name__ == "__main__":
    main()
