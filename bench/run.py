"""`make bench`: every benchmark in one run, written to BENCHMARKS.md (machine, date, commands, figures).

    .venv/bin/python bench/run.py [--sizes 10000 100000 1000000] [--txtai] [--out BENCHMARKS.md]

Steps, each a process of its own printing JSON (raw figures also go to bench/out/bench.json):
ceiling (bench/ceiling.py), ingest by stage (bench/ingest_stages.py: corpus/, the 277 NINDS
sheets, a generated 10k-document corpus with the hashing embedder), query latency by stage at
each size (bench/scale.py), start-up (bench/startup.py), and with --txtai the side-by-side run
(bench/txtai_compare.py, ~50 min; without it the last run's figures are quoted with their date).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
OUT = ROOT / "bench" / "out"
NINDS = ROOT.parent / "shared" / "data" / "medquad" / "ninds"
TXTAI_RESULTS = OUT / "txtai-work" / "results.json"


def run_json(*args: str) -> dict:
    """Run a benchmark script; its last stdout line is its JSON."""
    print("$", " ".join(args), file=sys.stderr, flush=True)
    done = subprocess.run([PY, *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    with open("/proc/meminfo") as meminfo:
        memory = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**20, 1),
        "python": platform.python_version(),
        "commit": commit.stdout.strip() or "?",
        "load_at_start": os.getloadavg()[0],
    }


def generated_corpus(folder: Path, documents: int) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import write_generated_corpus

    return write_generated_corpus(folder, documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--generated", type=int, default=10_000, help="documents in the generated corpus")
    parser.add_argument("--txtai", action="store_true", help="also run the txtai comparison (~50 min)")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    figures: dict = {"machine": machine()}
    figures["ceiling"] = run_json("bench/ceiling.py")
    ingest = {"corpus/ (default corpus)": run_json("bench/ingest_stages.py", "corpus")}
    if NINDS.is_dir():
        ingest["277 NINDS fact sheets"] = run_json("bench/ingest_stages.py", str(NINDS))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = generated_corpus(Path(tmp) / "generated", args.generated)
        ingest[f"{args.generated:,} generated documents (hashing embedder)"] = run_json(
            "bench/ingest_stages.py", str(corpus), "--embedder", "hash"
        )
    figures["ingest"] = ingest
    scale_json = OUT / "scale.json"
    sizes = [str(n) for n in args.sizes]
    scale = subprocess.run([PY, "bench/scale.py", "--sizes", *sizes, "--json", str(scale_json)], cwd=ROOT)
    figures["scale"] = json.loads(scale_json.read_text())["results"] if scale.returncode == 0 else []
    if not (ROOT / ".kb" / "CURRENT").exists():
        subprocess.run([PY, "-m", "index", "build"], cwd=ROOT, check=True)
    figures["startup"] = run_json("bench/startup.py")
    if args.txtai:
        subprocess.run([PY, "bench/txtai_compare.py"], cwd=ROOT, check=False)
    if TXTAI_RESULTS.exists():
        figures["txtai"] = json.loads(TXTAI_RESULTS.read_text())
        figures["txtai"]["in_this_run"] = bool(args.txtai)
    figures["machine"]["load_at_end"] = os.getloadavg()[0]
    figures["machine"]["minutes"] = round((time.monotonic() - started) / 60, 1)
    (OUT / "bench.json").write_text(json.dumps(figures, indent=2))
    Path(args.out).write_text(render(figures), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


def render(f: dict) -> str:
    """BENCHMARKS.md from the figures of one run."""
    from bench_render import render_markdown

    return render_markdown(f)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
