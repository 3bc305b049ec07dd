"""`python -m index`: build or update the index, search it, show a document, print stats, evaluate.

One program, six subcommands (`build`, `search`, `show`, `stats`, `eval`, `verify`). The common options
`--index-dir`, `--corpus` and `--json` work before or after the subcommand. Results on stdout
(human text, or JSON with --json), progress on stderr, errors as one line on stderr with a
non-zero exit code, never a traceback. `search` with no question reads one question a line
from stdin, so many questions cost one model load. `python -m ingest` is `build`.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sqlite3
import sys
import textwrap

from index.arguments import ArgumentParser
from index.config import corpus_dir, index_dir
from index.errors import IndexBusyError, KnowledgeBaseError

# Exit codes (also in every --help): 2 is argparse's for bad arguments.
EXIT_OK, EXIT_ERROR, EXIT_BUSY, EXIT_FAILED_FILES, EXIT_DAMAGED = 0, 1, 3, 4, 5
EXIT_CODES = (
    "exit codes: 0 done; 1 error (no index, damaged index, unknown document, collection or folder); "
    "2 bad arguments; 3 another ingest is running (see --wait); 4 build finished but some files failed "
    "(listed in the report); 5 verify found problems (listed, one a line)"
)
DASH_HINT = "use `--` before a document id that starts with a dash: python -m index show -- -rf.txt"
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


class _Parser(ArgumentParser):
    """The shared one-line errors, plus a hint when a document id starting with a dash was taken
    for an option (`show -rf.txt`)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        if "doc_id" in message or "unrecognized arguments: -" in message:
            message = f"{message}; {DASH_HINT}"
        super().error(message)


def build_parser(prog: str = "python -m index") -> ArgumentParser:
    """The parser of the whole program."""
    parser = _Parser(prog=prog, description=(__doc__ or "").splitlines()[0], epilog=EXIT_CODES)
    _add_common(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        # `python -m ingest` is `build` itself: its help and errors carry that name, not "ingest build".
        own = prog if name == "build" and not prog.endswith(" index") else None
        sub = commands.add_parser(name, prog=own, help=help_text, description=help_text, epilog=EXIT_CODES)
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
    search.add_argument(
        "--mode",
        choices=MODES,
        default="hybrid",
        help="hybrid: meaning and exact words (default); dense: meaning only; keyword: exact words (BM25)",
    )
    search.add_argument(
        "--collection",
        action="append",
        help="search only this collection, the first folder under the corpus (repeatable); with --doc, "
        "a passage must match both",
    )
    search.add_argument("--doc", action="append", help="search only this document id (repeatable)")

    show = command("show", "a document's metadata and extracted text")
    show.add_argument("doc_id", help="the document's id: its path under the corpus folder, e.g. founding/x.txt")

    command("stats", "documents, chunks, model, build time")

    evaluate = command("eval", "hit@k, MRR and abstention on question sets; BEIR nDCG")
    evaluate.add_argument("paths", nargs="+", help="question files (.jsonl) or BEIR data set folders")
    evaluate.add_argument(
        "--mode", action="append", choices=MODES, help="modes to evaluate (repeatable; default: all three)"
    )
    evaluate.add_argument("--split", default="test", help="BEIR qrels split (default test)")
    evaluate.add_argument("--beir-cache", help="where BEIR indexes are cached (default .kb-beir/)")

    command(
        "verify",
        "full integrity check of the live index: SQLite and keyword index, every chunk in FAISS, sentence "
        "units, manifest counts; prints OK or one line per problem (exit 5)",
    )
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m index") -> int:
    """Run one command; returns the exit code."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if getattr(args, "k", 1) < 1:
        parser.error("-k must be at least 1")
    handlers = {"build": _build, "search": _search, "show": _show, "stats": _stats, "eval": _eval, "verify": _verify}
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
    kb = index_dir(args.index_dir)
    try:
        report = update_index(
            corpus_dir(args.corpus),
            kb,
            load_embedder(),
            full=args.full,
            dry_run=args.dry_run,
            wait_seconds=args.wait,
            progress=progress,
        )
    except (OSError, sqlite3.Error, RuntimeError) as error:  # writing the new generation (faiss: RuntimeError)
        raise _update_failure(error, kb) from None
    finally:
        progress.close()
    print(report.to_json() if args.json else format_report(report))
    failed = report.totals().get("failed", 0)
    if failed:  # the index is updated all the same; scripts learn from the exit code that something is missing
        print(f"{failed} file{'s' if failed != 1 else ''} failed; the report says why (exit code 4)", file=sys.stderr)
        return EXIT_FAILED_FILES
    return EXIT_OK


def _update_failure(error: BaseException, kb) -> KnowledgeBaseError:
    """One line for a storage error that escaped the update: the old generation, if any, still serves."""
    from index.errors import write_failure
    from index.layout import read_current

    try:
        previous = read_current(kb) is not None
    except OSError:
        previous = False
    return write_failure(error, previous)


def _verify(args: argparse.Namespace) -> int:
    from index.errors import REBUILD
    from index.verify import verify_index

    result = verify_index(index_dir(args.index_dir))
    if args.json:
        record = {"ok": result.ok, "generation": result.generation, "problems": result.problems, **result.counts}
        print(json.dumps({**record, "model": result.model, "seconds": round(result.seconds, 3)}, ensure_ascii=False))
    else:
        for problem in result.problems:
            print(f"problem: {problem}")
        print(result.summary() + ("" if result.ok else f"; {REBUILD}"))
    return EXIT_OK if result.ok else EXIT_DAMAGED


def _open_store(args: argparse.Namespace):
    from index.store import open_snapshot

    return open_snapshot(index_dir(args.index_dir))


def _search(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder
    from index.search import Searcher

    kb = index_dir(args.index_dir)
    embedder = load_embedder()
    searcher = Searcher(kb, embedder)
    _check_filters(searcher.snapshot(), args.collection or [], args.doc or [])  # before loading the model
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


def _check_filters(snapshot, collections: list[str], doc_ids: list[str]) -> None:
    """Refuse a --collection or --doc the index does not have, naming the valid choices, and a
    combination no document satisfies (the filters intersect)."""
    known = snapshot.collections()
    unknown = [c for c in collections if c not in known]
    if unknown:
        raise KnowledgeBaseError(
            f"unknown collection {', '.join(map(repr, unknown))}: choose from {', '.join(known) or '(none)'}"
        )
    documents = {d.doc_id: d.collection for d in snapshot.documents()}
    missing = [d for d in doc_ids if d not in documents]
    if missing:
        matches = (difflib.get_close_matches(d, documents, n=3, cutoff=0.5) for d in missing)
        close = list(dict.fromkeys(c for found in matches for c in found))  # closest first
        guess = f"did you mean {' or '.join(close)}? " if close else ""
        if len(documents) <= 40:
            hint = f"choose from {', '.join(sorted(documents))}"
        else:  # too many to name on one line
            hint = f"none of the {len(documents)} indexed documents has that id"
        raise KnowledgeBaseError(f"unknown document {', '.join(map(repr, missing))}: {guess}{hint}")
    if collections and doc_ids and not any(documents[d] in collections for d in doc_ids):
        raise KnowledgeBaseError(
            f"no document is both in collection {', '.join(collections)} and among --doc {', '.join(doc_ids)}: "
            f"those documents are in {', '.join(sorted({documents[d] for d in doc_ids}))}"
        )


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
    from index.display import publisher

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
            "pages": list(p.page_range) if p.page_range else None,
            "char_start": p.char_start,
            "char_end": p.char_end,
            "text": p.text,
            "highlight": list(p.highlight) if p.highlight else None,
            "collection": p.collection,
            "publisher": publisher(p.doc_id, p.source, p.publisher),
            "also_in": p.also_in,
            "mode": result.mode,
        }
        if result.note:  # e.g. "No passage is about X; these are the nearest passages."
            record["note"] = result.note
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def format_result(result, with_query: bool = False) -> str:
    """Human-readable passages, evidence sentence between » and «."""
    from index.citations import citation_line
    from index.display import readable_parts

    lines = [f"Q: {result.question}"] if with_query else []
    if result.abstained:
        lines.append(result.message)
        return "\n".join(lines) + "\n"
    if result.note:
        lines.append(result.note)
    for p in result.passages:
        before, inside, after = readable_parts(p.text, p.highlight)  # no Markdown markup for a reader
        text = f"{before}»{inside}«{after}" if p.highlight else before
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
