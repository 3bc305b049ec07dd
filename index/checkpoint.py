"""Embedded vectors saved while a long build runs, so a crash or Ctrl-C resumes instead of restarting.

`EmbeddingCheckpoint` keeps parts (`part-000001.npz`: the SHA-1 of each embedded input and its
vector) in `<index dir>/embedding-checkpoint/`, each written whole to a temporary name and renamed,
so a crash mid-write loses at most the part being written. The next update loads every part made
by the same model and embeds only what is missing. The checkpoint is never a generation: readers
never see it, CURRENT never names it, and the update deletes it once its generation is published.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

FOLDER = "embedding-checkpoint"
_META = "meta.json"
_TMP_SUFFIX = ".tmp.npz"  # a part being written; renamed to part-NNNNNN.npz once whole
PART_SIZE = 1024  # inputs embedded between two saves: ~1 min of the real model on 2 cores


def input_key(text: str) -> bytes:
    """The fixed-size key of an embedding input."""
    return hashlib.sha1(text.encode("utf-8")).digest()


class EmbeddingCheckpoint:
    """The vectors embedded so far by one model, kept on disk between runs of an update."""

    def __init__(self, kb_dir: Path, model: str, dimension: int):
        self.folder = kb_dir / FOLDER
        self.model, self.dimension = model, dimension
        self._parts = 0

    def load(self) -> dict[bytes, np.ndarray]:
        """Vectors saved by earlier, unfinished runs of this model (none when another model made them)."""
        meta = {"model": self.model, "dimension": self.dimension}
        try:
            if json.loads((self.folder / _META).read_text(encoding="utf-8")) != meta:
                self.clear()
        except (OSError, ValueError):
            self.clear()
        found: dict[bytes, np.ndarray] = {}
        for path in sorted(self.folder.glob("part-*.npz")) if self.folder.is_dir() else []:
            if path.name.endswith(_TMP_SUFFIX):  # a part a killed run was still writing: never finished
                path.unlink(missing_ok=True)
                continue
            try:
                with np.load(path) as part:
                    keys, vectors = part["keys"], part["vectors"]
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
                continue  # a damaged part (cut short: EOFError; not a zip) only costs its vectors
            if keys.ndim == 2 and vectors.shape == (len(keys), self.dimension):
                found.update(zip((row.tobytes() for row in keys), vectors))
            self._parts = max(self._parts, _part_number(path))
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / _META).write_text(json.dumps(meta), encoding="utf-8")
        return found

    def save(self, texts: Iterable[str], vectors: np.ndarray) -> None:
        """Add one part: these inputs and their vectors."""
        # Raw digest bytes in a uint8 matrix: numpy's bytes dtype would drop a digest's trailing zeros.
        keys = np.frombuffer(b"".join(input_key(t) for t in texts), dtype=np.uint8).reshape(-1, 20)
        if not len(keys):
            return
        self._parts += 1
        path = self.folder / f"part-{self._parts:06d}.npz"
        tmp = self.folder / f"part-{self._parts:06d}{_TMP_SUFFIX}"
        with open(tmp, "wb") as handle:
            np.savez(handle, keys=keys, vectors=np.asarray(vectors, dtype=np.float32))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def clear(self) -> None:
        """Delete every part (after the generation they were for is published)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self._parts = 0


def _part_number(path: Path) -> int:
    digits = path.name.removeprefix("part-").split(".")[0]
    return int(digits) if digits.isdigit() else 0
