"""The index folder's layout: the one place that names its files and generations.

<index dir>/CURRENT              name of the live generation, replaced atomically
<index dir>/gen-000012/          one published (or unfinished) generation:
             manifest.json, vectors.faiss, kb.sqlite, units.f16.npy, unit_ids.npy
<index dir>/lock                 held by the one writer
"""

from __future__ import annotations

from pathlib import Path

CURRENT = "CURRENT"
LOCK = "lock"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
DATABASE = "kb.sqlite"
UNIT_VECTORS = "units.f16.npy"  # one float16 vector per sentence unit, rows in unit-id order
UNIT_IDS = "unit_ids.npy"  # the unit id of each row (ascending)
_PREFIX = "gen-"


def generation_name(number: int) -> str:
    """Directory name of generation `number`."""
    return f"{_PREFIX}{number:06d}"


def generation_number(name: str) -> int | None:
    """The number of a generation directory name, or None when the name is not one."""
    digits = name[len(_PREFIX) :]
    return int(digits) if name.startswith(_PREFIX) and digits.isdigit() else None


def generation_dirs(kb_dir: Path) -> list[Path]:
    """Every generation directory in kb_dir, published or not."""
    return [p for p in kb_dir.glob(f"{_PREFIX}*") if generation_number(p.name) is not None]


def next_generation_number(kb_dir: Path) -> int:
    """One more than the highest generation number present."""
    return max((generation_number(p.name) or 0 for p in generation_dirs(kb_dir)), default=0) + 1


def read_current(kb_dir: Path) -> str | None:
    """Name of the live generation, or None when nothing was ever published."""
    try:
        return (kb_dir / CURRENT).read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None
