"""BENCHMARKS.md from one `make bench` run's figures (bench/out/bench.json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

STAGES = ("embed", "dense", "keyword", "fusion", "rescore", "passages", "evidence", "total")


def render_markdown(f: dict) -> str:
    m = f["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"One run of `make bench` ({m['minutes']} min), {m['date']}, commit {m['commit']}. Machine: {m['cpu']}, "
        f"{m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}. Load average {m['load_at_start']:.2f} at "
        f"start, {m.get('load_at_end', 0):.2f} at end (what else ran is said in the notes below). Raw figures: "
        "bench/out/bench.json. Every figure below comes from that run unless a line says otherwise.",
        "",
    ]
    lines += _ceiling(f.get("ceiling", {}))
    lines += _ingest(f.get("ingest", {}))
    lines += _scale(f.get("scale", []))
    lines += _startup(f.get("startup", {}))
    lines += _txtai(f.get("txtai"))
    return "\n".join(lines) + "\n"


def _ceiling(c: dict) -> list[str]:
    if "error" in c or not c:
        return ["## Ceiling", "", f"Not measured: {c.get('error', 'no figures')}", ""]
    return [
        "## Ceiling: how close embedding comes to the hardware",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| fp32 matmul (torch, 1024², best of 20, {c['torch_threads']} threads) | {c['matmul_gflops']} GFLOP/s |",
        f"| model FLOPs per token (6 layers, h 384, f 1536, mean {c['mean_tokens_per_text']} tokens) "
        f"| {c['model_mflops_per_token']} MFLOP |",
        f"| ceiling: matmul ÷ FLOPs per token | {c['ceiling_tokens_per_s']:,} tokens/s |",
        f"| measured: `MiniLMEmbedder.embed` in float32 on {c['texts']} real chunk texts "
        f"| {c['tokens_per_s']:,} tokens/s |",
        f"| **share of the ceiling (float32)** | **{c['share_of_ceiling']:.2f}** |",
        *_default_precision(c),
        "",
    ]


def _default_precision(c: dict) -> list[str]:
    """Rows for the default precision when it is not float32 (bfloat16 where the CPU has it)."""
    if c.get("default_precision", "float32") == "float32":
        return []
    return [
        f"| {c['default_precision']} matmul (torch, 1024², best of 20) | {c['default_matmul_gflops']} GFLOP/s |",
        f"| ceiling in {c['default_precision']} | {c['default_ceiling_tokens_per_s']:,} tokens/s |",
        f"| measured: `MiniLMEmbedder.embed` as ingest runs it ({c['default_precision']}) | "
        f"{c['default_tokens_per_s']:,} tokens/s |",
        f"| **share of the {c['default_precision']} ceiling** | **{c['default_share_of_ceiling']:.2f}** |",
        f"| {c['default_precision']} throughput ÷ float32 ceiling | {c['default_vs_float32_ceiling']:.2f} |",
    ]


def _ingest(ingest: dict) -> list[str]:
    out = [
        "## Ingest, by stage",
        "",
        "`bench/ingest_stages.py CORPUS`: a fresh index, one process per corpus (peak memory is its own). Parse and "
        "chunk are timed file by file in a first pass; embed chunks, embed sentences and write come from the update's "
        "own stages; tokens are real word pieces of the unique inputs embedded (chunks and sentence units).",
        "",
        "| corpus | docs | chunks | inputs | parse s | chunk s | embed chunks s | embed sentences s | write s "
        "| update s | docs/s | chunks/s | tokens/s (embedding) | peak MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in ingest.items():
        if "error" in r:
            out.append(f"| {name} | failed: {r['error']} |")
            continue
        s = r["seconds"]
        out.append(
            f"| {name} | {r['documents']:,} | {r['chunks']:,} | {r['inputs_embedded']:,} | {s['parse']} | {s['chunk']} "
            f"| {s['embed_chunks']} | {s['embed_sentences']} | {s['write']} | {s['update_total']} "
            f"| {r['documents_per_s']} | {r['chunks_per_s']} | {r['tokens_per_s_embedding'] or '–'} "
            f"| {r['peak_rss_mb']:,} |"
        )
    return out + [
        "",
        "The generated corpus uses the hashing embedder, so its embed columns are not the model's: it measures "
        "parse, chunk and write at 10k documents. At the model's measured tokens/s its embedding would take "
        "(tokens embedded ÷ tokens/s) longer; that is arithmetic, not a measurement.",
        "",
    ]


def _scale(scale: list[dict]) -> list[str]:
    out = [
        "## Query latency by stage (warm, ms)",
        "",
        "`bench/scale.py`: indexes of 10k, 100k and 1M one-chunk documents made from the real SciFact index "
        "(text, sentence units and vectors copied, vectors with Gaussian noise, cosine ≈ 0.86 to their source), "
        "searched with SciFact test claims embedded by the real model, 5 passages with evidence, per stage "
        "with `index.search.StageClock`, after a warm-up; hybrid mode.",
        "",
        "| chunks | index | stat | " + " | ".join(STAGES) + " |",
        "| ---: | --- | --- | " + " | ".join("---:" for _ in STAGES) + " |",
    ]
    for r in scale:
        kind = r["index_type"].split(":")[0]
        for stat in ("p50", "p95", "p99"):
            cells = " | ".join(f"{r['stages'][s][stat]:.1f}" for s in STAGES)
            out.append(f"| {r['chunks']:,} | {kind} | {stat} | {cells} |")
    out += ["", "| chunks | sentence units | recall@10 vs exact | build s | disk MB | peak RSS MB | searches |"]
    out += ["| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in scale:
        recall = "exact" if r["recall_at_10"] is None else f"{r['recall_at_10']:.3f}"
        out.append(
            f"| {r['chunks']:,} | {r['units']:,} | {recall} | {r['build_seconds']:.0f} | {r['disk_mb']:,.0f} "
            f"| {r['rss_mb']:,.0f} | {r['searches']} |"
        )
    return out + [""]


def _startup(s: dict) -> list[str]:
    if not s or "error" in s:
        return ["## Start-up", "", f"Not measured: {s.get('error', 'no figures') if s else 'no figures'}", ""]
    out = ["## Start-up", "", "| command (fresh process, median of 3) | seconds |", "| --- | ---: |"]
    out += [f"| `python -m index {name}` | {sec} |" for name, sec in s["cli_seconds"].items()]
    out += [f"| a process that only loads the model and embeds one word | {s['model_load_seconds']} |", ""]
    if "page" in s:
        p = s["page"]
        out += [
            "| page (`streamlit run app.py`, headless Chromium) | seconds |",
            "| --- | ---: |",
            f"| server start → page shown | {p['page_shown']} |",
            f"| page shown → first passages (question typed at once; keyword matches while the model loads) "
            f"| {p.get('first_passages_after_page_shown', '—')} |",
            f"| page shown → full answer (question typed at once) | {p['first_answer_after_page_shown']} |",
            f"| server start → full answer | {p['first_answer_after_server_start']} |",
            f"| page shown → answer, page opened once the model has loaded | "
            f"{p.get('answer_after_page_shown_once_model_loaded', '–')} |",
            "",
        ]
    return out


def _txtai(t: dict | None) -> list[str]:
    if not t:
        return ["## Side by side with txtai", "", "Not run (`make bench BENCH_ARGS=--txtai`).", ""]
    when = f"started {t['started_at'][:16]} UTC (load {t['load'][0] if t['load'] else '?'})"
    if t.get("in_this_run"):
        head = f"**From this run:** `bench/txtai_compare.py`, {when}; full table in bench/results/txtai.md."
    else:
        head = (
            f"**Not from this run:** the last `bench/txtai_compare.py` run, {when}; full table in "
            "bench/results/txtai.md. Re-run with `make bench BENCH_ARGS=--txtai` (~50 min)."
        )
    out = ["## Side by side with txtai", "", head, ""]
    report = Path(__file__).parent / "results" / "txtai.md"
    if report.exists():
        body = report.read_text(encoding="utf-8").split("\n")
        out += [line.replace("### ", "### txtai: ") for line in body[1:] if not line.startswith("Machine:")]
    return out


if __name__ == "__main__":
    print(render_markdown(json.loads(Path(sys.argv[1]).read_text())))
