"""`python -m ingest`: build or update the index from the corpus and print what happened.

Results go to stdout (a line per file, then totals; or one JSON object with --json),
progress bars to stderr, and errors as one line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import sys

from index.arguments import ArgumentParser
from index.config import corpus_dir, index_dir
from index.errors import IndexBusyError, KnowledgeBaseError

EXIT_ERROR, EXIT_BUSY = 1, 3


class TqdmProgress:
    """Progress bars on stderr, one per stage; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self._bar = None

    def stage(self, name: str, total: int) -> None:
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(total=total, desc=name, unit=name[:-1] if name.endswith("s") else name,
                         file=sys.stderr, disable=None, leave=False)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="documents folder (default: $KB_CORPUS_DIR or corpus/)")
    parser.add_argument("--index-dir", help="index folder (default: $KB_INDEX_DIR or .kb/)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--full", action="store_true", help="re-embed every document")
    parser.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for another ingest to finish (default: fail at once)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run an ingest; returns the exit code."""
    args = build_parser().parse_args(argv)
    from index.embedder import load_embedder  # heavy imports after argument errors are out of the way
    from ingest.pipeline import ingest

    progress = TqdmProgress()
    try:
        corpus = corpus_dir(args.corpus)
        if not corpus.is_dir():
            raise KnowledgeBaseError(f"corpus folder {corpus} does not exist")
        report = ingest(
            corpus,
            index_dir(args.index_dir),
            load_embedder(),
            full=args.full,
            dry_run=args.dry_run,
            wait_seconds=args.wait,
            progress=progress,
        )
    except IndexBusyError as error:
        print(f"ingest: {error}", file=sys.stderr)
        return EXIT_BUSY
    except (KnowledgeBaseError, OSError) as error:
        print(f"ingest: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        progress.close()
    print(report.to_json() if args.json else format_report(report))
    return 0


def format_report(report) -> str:
    """Human-readable report: a line per file, then totals."""
    lines = []
    if report.dry_run:
        lines.append("Dry run: nothing was changed.")
    if report.rebuilt:
        lines.append(f"Full rebuild: {report.rebuilt}.")
    width = max((len(f.doc_id) for f in report.files), default=0)
    for result in report.files:
        detail = f"{result.chunks} chunks" if result.status in ("added", "updated") and not report.dry_run else ""
        if result.reason:
            detail = result.reason
        lines.append(f"{result.status:<10} {result.doc_id:<{width}}  {detail}".rstrip())
    totals = ", ".join(f"{count} {status}" for status, count in report.totals().items())
    where = f" ({report.generation})" if report.generation else ""
    lines.append(
        f"{len(report.files)} files: {totals}. Index: {report.documents} documents, "
        f"{report.chunks} chunks{where}; {report.embedded_chunks} chunks embedded. Took {report.seconds:.1f} s."
    )
    return "\n".join(lines)
