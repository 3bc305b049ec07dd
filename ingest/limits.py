"""The limits that keep one hostile or oversized file from exhausting memory, time or the index.

Every limit lives here, with the check that enforces it. A file over a limit is refused with a
`LoadError` whose message starts with "refused:" and names the measured size and the limit,
so the ingest report says exactly why; the rest of the corpus is indexed as usual, and a
refused file that was indexed before keeps its previous version. The one limit that does not
refuse is `MAX_CHUNK_CHARS`: the chunker cuts text into pieces that respect it.
"""

from __future__ import annotations

from ingest.document import LoadError

MAX_FILE_BYTES = 50 * 2**20
"""A corpus file larger than this is refused before it is read (its size comes from the file system)."""

MAX_UPLOAD_BYTES = 20 * 2**20
"""A curator's upload larger than this is refused before anything is written."""

MAX_ARCHIVE_INFLATED_BYTES = 200 * 2**20
"""A .docx (a zip archive) whose members add up to more than this when inflated is refused,
judged from the sizes in the zip directory before any member is read."""

MAX_ARCHIVE_RATIO = 100
"""A .docx that inflates to more than this many times its size on disk is refused (a zip bomb);
only checked once it inflates past `ARCHIVE_RATIO_FROM_BYTES`, so tiny files never trip it."""

ARCHIVE_RATIO_FROM_BYTES = 2**20

MAX_PDF_PAGES = 2000
"""A PDF with more pages than this is refused before any page is read."""

MAX_CHUNKS_PER_DOCUMENT = 20_000
"""A document that would make more chunks than this is refused; when its word count alone
proves it (every chunk holds at most the chunk budget of word pieces, a word at least one),
it is refused before any tokenising."""

MAX_CHUNK_CHARS = 4000
"""No chunk is longer than this many characters, whatever its word-piece count: a run of
text without spaces (one giant "word" counts as a single unknown word piece) is cut."""


def size_text(size: float) -> str:
    """A byte count for people: "312 KB", "50 MB", "10.2 GB" (binary units, one decimal below 100)."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            number = f"{size:.0f}" if unit in ("bytes", "KB") or size >= 100 else f"{size:.1f}".removesuffix(".0")
            return f"{number} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def check_file_size(size: int) -> None:
    """Refuse a file larger than MAX_FILE_BYTES."""
    if size > MAX_FILE_BYTES:
        raise LoadError(f"refused: the file is {size_text(size)} (limit {size_text(MAX_FILE_BYTES)})")


def check_archive(suffix: str, inflated: int, packed: int) -> None:
    """Refuse an archive that would inflate past MAX_ARCHIVE_INFLATED_BYTES or MAX_ARCHIVE_RATIO."""
    if inflated > MAX_ARCHIVE_INFLATED_BYTES:
        raise LoadError(
            f"refused: the {suffix} would inflate to {size_text(inflated)} "
            f"(limit {size_text(MAX_ARCHIVE_INFLATED_BYTES)})"
        )
    ratio = inflated / max(packed, 1)
    if inflated > ARCHIVE_RATIO_FROM_BYTES and ratio > MAX_ARCHIVE_RATIO:
        raise LoadError(
            f"refused: the {suffix} would inflate {ratio:,.0f} times, from {size_text(packed)} "
            f"to {size_text(inflated)} (limit {MAX_ARCHIVE_RATIO} times)"
        )


def check_pdf_pages(pages: int) -> None:
    """Refuse a PDF with more than MAX_PDF_PAGES pages."""
    if pages > MAX_PDF_PAGES:
        raise LoadError(f"refused: the PDF has {pages:,} pages (limit {MAX_PDF_PAGES:,})")


def check_chunk_count(chunks: int, at_least: bool = False) -> None:
    """Refuse a document with more than MAX_CHUNKS_PER_DOCUMENT chunks (`at_least`: a lower bound)."""
    if chunks > MAX_CHUNKS_PER_DOCUMENT:
        count = f"at least {chunks:,}" if at_least else f"{chunks:,}"
        raise LoadError(f"refused: the text would make {count} chunks (limit {MAX_CHUNKS_PER_DOCUMENT:,} per document)")
