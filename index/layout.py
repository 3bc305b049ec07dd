"""The index folder's layout: the one place that names its files and generations.

<index dir>/CURRENT              name of the live generation, replaced atomically
<index dir>/gen-000012/          one published (or unfinished) generation:
             manifest.json, vectors.faiss, kb.sqlite, units.f16.npy, unit_ids.npy
<index dir>/lock                 held by the one writer

CURRENT is trusted only as far as it holds a generation name: anything else in it (bytes that
are not ASCII, a path such as `../x` or `/etc`, an empty file) reads as "no live generation",
and `current_problem` says what is wrong with it.
"""

from __future__ import annotations

import re
from pathlib import Path

CURRENT = "CURRENT"
LOCK = "lock"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
DATABASE = "kb.sqlite"
UNIT_VECTORS = "units.f16.npy"  # one float16 vector per sentence unit, rows in unit-id order
UNIT_IDS = "unit_ids.npy"  # the unit id of each row (ascending)
_PREFIX = "gen-"
_NAME = re.compile(r"gen-[0-9]{6,}")  # what generation_name writes; nothing else is a generation
_CURRENT_MAX_BYTES = 64  # a generation name and a newline; a longer file is not one


def generation_name(number: int) -> str:
    """Directory name of generation `number`."""
    return f"{_PREFIX}{number:06d}"


def generation_number(name: str) -> int | None:
    """The number of a generation directory name, or None when the name is not one."""
    return int(name[len(_PREFIX) :]) if _NAME.fullmatch(name) else None


def generation_dirs(kb_dir: Path) -> list[Path]:
    """Every generation directory in kb_dir, published or not."""
    return [p for p in kb_dir.glob(f"{_PREFIX}*") if generation_number(p.name) is not None]


def next_generation_number(kb_dir: Path) -> int:
    """One more than the highest generation number present."""
    return max((generation_number(p.name) or 0 for p in generation_dirs(kb_dir)), default=0) + 1


def _current_text(kb_dir: Path) -> str | None:
    """CURRENT's content as text with surrounding whitespace dropped; None when there is no CURRENT,
    "\\0" (never a name) when its bytes are not short ASCII text."""
    try:
        with open(kb_dir / CURRENT, "rb") as handle:
            data = handle.read(_CURRENT_MAX_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if len(data) > _CURRENT_MAX_BYTES or not data.isascii():
        return "\0"
    return data.decode("ascii").strip()


def read_current(kb_dir: Path) -> str | None:
    """Name of the live generation, or None when nothing was published or CURRENT holds no generation name.

    Never raises for CURRENT's content (see `current_problem` for what is wrong with it); an
    unreadable file (permissions, I/O) raises OSError.
    """
    text = _current_text(kb_dir)
    return text if text is not None and generation_number(text) is not None else None


def current_problem(kb_dir: Path) -> str:
    """What is wrong with CURRENT, in words without paths; "" when it names a generation or when there
    is simply no index (no CURRENT and no generation folder)."""
    text = _current_text(kb_dir)
    if text is None:
        return "the index has generation folders but no CURRENT file naming the live one" if _any(kb_dir) else ""
    if generation_number(text) is not None:
        return ""
    if not text:
        return "the index's CURRENT file is empty"
    if text == "\0":
        return "the index's CURRENT file holds bytes that are not a generation name"
    if "/" in text or "\\" in text or text.startswith("."):
        return "the index's CURRENT file points outside the index folder"
    return "the index's CURRENT file does not name a generation (gen-NNNNNN)"


def _any(kb_dir: Path) -> bool:
    try:
        return bool(generation_dirs(kb_dir))
    except OSError:
        return False
