"""`python -m index`: build or update the index, search it, show a document, print stats, evaluate.

One program, five subcommands (`build`, `search`, `show`, `stats`, `eval`). The common options
`--index-dir`, `--corpus` and `--json` work before or after the subcommand. Results on stdout
(human text, or JSON with --json), progress on stderr, errors as one line on stderr with a
non-zero exit code, never a traceback. `search` with no question reads one question a line
from stdin, so many questions cost one model load. `python -m ingest` is `build`.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from index.arguments import ArgumentParser
from index.config import corpus_dir, index_dir
from index.errors import IndexBusyError, KnowledgeBaseError

EXIT_ERROR, EXIT_BUSY = 1, 3
MODES = ("hybrid", "dense", "keyword")  # as index.search.MODES, without importing numpy for --help


def _add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    """The options every subcommand takes; on a subcommand they only count when given there."""
    unset = None if top else argparse.SUPPRESS
    parser.add_argument("--index-dir", default=unset, help="index folder (default: $KB_INDEX_DIR or .kb/)")
    parser.add_argument("--corpus", default=unset, help="documents folder (default: $KB_CORPUS_DIR or corpus/)")
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="print JSON for machines instead of text",
    )


def build_parser(prog: str = "python -m index") -> ArgumentParser:
    """The parser of the whole program."""
    parser = ArgumentParser(prog=prog, description=(__doc__ or "").splitlines()[0])
    _add_common(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _add_common(sub, top=False)
        return sub

    build = command("build", "build or update the index from the corpus (incremental; also `python -m ingest`)")
    build.add_argument("--full", action="store_true", help="re-embed every document")
    build.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    build.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another ingest to finish (default: fail at once)",
    )

    search = command("search", "ranked passages with citations")
    search.add_argument("question", nargs="?", help="the question; omitted: read questions from stdin")
    search.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    search.add_argument("--mode", choices=MODES, default="hybrid")
    search.add_argument("--collection", action="append", help="search only this collection (repeatable)")
    search.add_argument("--doc", action="append", help="search only this document id (repeatable)")

    show = command("show", "a document's metadata and extracted text")
    show.add_argument("doc_id")

    command("stats", "documents, chunks, model, build time")

    evaluate = command("eval", "hit@k, MRR and abstention on question sets; BEIR nDCG")
    evaluate.add_argument("paths", nargs="+", help="question files (.jsonl) or BEIR data set folders")
    evaluate.add_argument(
        "--mode", action="append", choices=MODES, help="modes to evaluate (repeatable; default: all three)"
    )
    evaluate.add_argument("--split", default="test", help="BEIR qrels split (default test)")
    evaluate.add_argument("--beir-cache", help="where BEIR indexes are cached (default .kb-beir/)")
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m index") -> int:
    """Run one command; returns the exit code."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if getattr(args, "k", 1) < 1:
        parser.error("-k must be at least 1")
    handlers = {"build": _build, "search": _search, "show": _show, "stats": _stats, "eval": _eval}
    name = prog.split()[-1]
    try:
        return handlers[args.command](args)
    except IndexBusyError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return EXIT_BUSY
    except (KnowledgeBaseError, OSError) as error:
        print(f"{name}: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return 0


def _build(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder  # heavy imports after argument errors are out of the way
    from index.progress import TqdmProgress
    from index.report import format_report
    from index.update import update_index

    progress = TqdmProgress()
    try:
        report = update_index(
            corpus_dir(args.corpus),
            index_dir(args.index_dir),
            load_embedder(),
            full=args.full,
            dry_run=args.dry_run,
            wait_seconds=args.wait,
            progress=progress,
        )
    finally:
        progress.close()
    print(report.to_json() if args.json else format_report(report))
    return 0


def _open_store(args: argparse.Namespace):
    from index.store import open_snapshot

    return open_snapshot(index_dir(args.index_dir))


def _search(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder
    from index.search import Searcher

    kb = index_dir(args.index_dir)
    embedder = load_embedder()
    searcher = Searcher(kb, embedder)
    searcher.snapshot()  # fail on a missing index before loading the model
    from_stdin = args.question is None
    questions = (line.strip() for line in sys.stdin) if from_stdin else iter([args.question])
    for question in questions:
        if from_stdin and not question:
            continue
        result = searcher.search(question, k=args.k, mode=args.mode, collections=args.collection, doc_ids=args.doc)
        if args.json:
            for line in result_json_lines(result, with_query=from_stdin):
                print(line)
        else:
            print(format_result(result, with_query=from_stdin))
        sys.stdout.flush()
    return 0


def result_json_lines(result, with_query: bool) -> list[str]:
    """One JSON object per passage; an abstention is one object with `abstained: true`."""
    extra = {"query": result.question} if with_query else {}
    if result.abstained:
        return [
            json.dumps(
                {
                    **extra,
                    "abstained": True,
                    "message": result.message,
                    "best_similarity": round(result.best_similarity, 4),
                },
                ensure_ascii=False,
            )
        ]
    lines = []
    for p in result.passages:
        record = {
            **extra,
            "rank": p.rank,
            "score": round(p.score, 6),
            "doc_id": p.doc_id,
            "title": p.title,
            "source": p.source,
            "section": p.section,
            "page": p.page,
            "char_start": p.char_start,
            "char_end": p.char_end,
            "text": p.text,
            "highlight": list(p.highlight) if p.highlight else None,
            "collection": p.collection,
            "also_in": p.also_in,
            "mode": result.mode,
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def format_result(result, with_query: bool = False) -> str:
    """Human-readable passages, evidence sentence between » and «."""
    from index.citations import citation_line

    lines = [f"Q: {result.question}"] if with_query else []
    if result.abstained:
        lines.append(result.message)
        return "\n".join(lines) + "\n"
    for p in result.passages:
        text = p.text
        if p.highlight:
            a, b = p.highlight
            text = f"{text[:a]}»{text[a:b]}«{text[b:]}"
        lines.append(f"[{p.rank}] {citation_line(p)}")
        lines.append(f"    score {p.score:.4f}" + (f" · also in {', '.join(p.also_in)}" if p.also_in else ""))
        for paragraph in text.split("\n"):
            lines.extend(textwrap.wrap(paragraph, width=100, initial_indent="    ", subsequent_indent="    ") or [""])
        lines.append("")
    return "\n".join(lines)


def _show(args) -> int:
    snapshot = _open_store(args)
    doc = snapshot.document(args.doc_id)
    if doc is None:
        raise KnowledgeBaseError(f"no document {args.doc_id!r} in the index (see `python -m index stats`)")
    info = next(d for d in snapshot.documents() if d.doc_id == doc.doc_id)
    meta = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "source": doc.source,
        "format": doc.format,
        "collection": doc.collection,
        "chunks": info.chunks,
        "indexed_at": info.indexed_at,
        "content_hash": info.content_hash,
        "sections": [{"heading": s.heading, "start": s.start, "end": s.end} for s in doc.sections],
        "pages": [{"number": p.number, "start": p.start, "end": p.end} for p in doc.pages],
    }
    if args.json:
        print(json.dumps({**meta, "text": doc.text}, ensure_ascii=False))
    else:
        for key in ("doc_id", "title", "source", "format", "collection", "chunks", "indexed_at"):
            print(f"{key + ':':<12} {meta[key]}")
        print(f"{'sections:':<12} {len(doc.sections)}" + (f", pages: {len(doc.pages)}" if doc.pages else ""))
        print("-" * 72)
        print(doc.text)
    return 0


def _stats(args) -> int:
    snapshot = _open_store(args)
    m = snapshot.manifest
    stats = {
        "documents": m.documents,
        "chunks": m.chunks,
        "model": m.model,
        "dimension": m.dimension,
        "built_at": m.built_at,
        "generation": snapshot.name,
        "index_dir": str(snapshot.kb_dir),
        "chunking": m.chunking,
        "index_type": m.index_type,
        "keyword_index": m.keyword_index,
        "collections": snapshot.collections(),
    }
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        for key, value in stats.items():
            print(f"{key + ':':<14} {value}")
    return 0


def _eval(args) -> int:
    from index.evaluate import run_cli

    return run_cli(args)
