"""The outcome of one index update, per file and in total, and its plain-text form."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass

STATUSES = ("added", "updated", "unchanged", "removed", "failed", "skipped")


@dataclass(frozen=True)
class FileResult:
    """What happened to one file: a status from STATUSES, chunk count, and why when relevant."""

    doc_id: str
    status: str
    chunks: int = 0
    reason: str = ""


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one run, per file and in total."""

    files: tuple[FileResult, ...]
    documents: int  # in the index after the run
    chunks: int
    seconds: float
    generation: str | None
    rebuilt: str = ""  # why everything was re-embedded, when it was
    dry_run: bool = False
    embedded_chunks: int = 0

    def totals(self) -> dict[str, int]:
        """Count of files per status."""
        counts = Counter(f.status for f in self.files)
        return {status: counts.get(status, 0) for status in STATUSES}

    def to_json(self) -> str:
        """One JSON object: files, totals and run facts."""
        data = asdict(self)
        data["totals"] = self.totals()
        return json.dumps(data, ensure_ascii=False)


def format_report(report: IngestReport) -> str:
    """Human-readable report: a line per file, then totals."""
    lines = []
    if report.dry_run:
        lines.append("Dry run: nothing was changed.")
    if report.rebuilt:
        lines.append(f"Full rebuild: {report.rebuilt}.")
    names = [printable(f.doc_id) for f in report.files]
    width = max(map(len, names), default=0)
    for result, name in zip(report.files, names):
        detail = f"{result.chunks} chunks" if result.status in ("added", "updated") and not report.dry_run else ""
        if result.reason:
            detail = printable(result.reason)
        lines.append(f"{result.status:<10} {name:<{width}}  {detail}".rstrip())
    totals = ", ".join(f"{count} {status}" for status, count in report.totals().items())
    where = f" ({report.generation})" if report.generation else ""
    lines.append(
        f"{len(report.files)} files: {totals}. Index: {report.documents} documents, "
        f"{report.chunks} chunks{where}; {report.embedded_chunks} chunks embedded. Took {report.seconds:.1f} s."
    )
    return "\n".join(lines)


def printable(text: str) -> str:
    """Text safe on one terminal line: control, format and line-separator characters (a newline or an
    escape sequence in a file name) are written as escapes such as \\n or \\x1b, a backslash as \\\\."""
    return "".join(_escape(c) if c == "\\" or unicodedata.category(c) in _UNPRINTABLE else c for c in text)


_UNPRINTABLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}  # controls, bidi and other format marks, line/paragraph separators


def _escape(char: str) -> str:
    return repr(char)[1:-1] if char.isascii() else f"\\u{ord(char):04x}"
