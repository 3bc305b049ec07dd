"""Where the corpus and the index live: command-line flag, else environment, else the repo default."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def corpus_dir(flag: str | None = None) -> Path:
    """--corpus, else $KB_CORPUS_DIR, else corpus/ at the repo root."""
    return Path(flag or os.environ.get("KB_CORPUS_DIR") or REPO_ROOT / "corpus")


def index_dir(flag: str | None = None) -> Path:
    """--index-dir, else $KB_INDEX_DIR, else .kb/ at the repo root."""
    return Path(flag or os.environ.get("KB_INDEX_DIR") or REPO_ROOT / ".kb")
