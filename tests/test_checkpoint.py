"""A long build saves its embedded vectors as it goes: an interrupted run resumes, never publishes half."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import write_generated_corpus

import index.update
from index.checkpoint import FOLDER, EmbeddingCheckpoint
from index.embedder import HashEmbedder
from index.layout import read_current
from index.store import open_snapshot
from index.update import update_index


class Interrupted(Exception):
    """Stands for a crash or Ctrl-C in the middle of embedding."""


class FailsAfter(HashEmbedder):
    """The hashing embedder, interrupted on its n-th call."""

    def __init__(self, calls_before_failing: int):
        super().__init__()
        self.left = calls_before_failing

    def embed(self, texts, on_batch=None):
        if self.left == 0:
            raise Interrupted
        self.left -= 1
        return super().embed(texts, on_batch)


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(index.update, "PART_SIZE", 50)


def _vectors(kb: Path) -> dict[str, np.ndarray]:
    snapshot = open_snapshot(kb)
    rows = snapshot._rows("SELECT id, text FROM chunks")
    return {text: snapshot.vectors.reconstruct(chunk_id) for chunk_id, text in rows}


def test_an_interrupted_build_resumes_from_its_checkpoint(tmp_path: Path, small_parts) -> None:
    corpus = write_generated_corpus(tmp_path / "corpus", documents=40)
    kb = tmp_path / "kb"
    with pytest.raises(Interrupted):
        update_index(corpus, kb, FailsAfter(calls_before_failing=3))
    assert read_current(kb) is None, "nothing is published by an interrupted first build"
    assert len(list((kb / FOLDER).glob("part-*.npz"))) == 3

    resumed = HashEmbedder()
    report = update_index(corpus, kb, resumed)
    clean_kb = tmp_path / "clean"
    clean = HashEmbedder()
    update_index(corpus, clean_kb, clean)
    assert sum(resumed.calls) == sum(clean.calls) - 3 * 50, "the three saved parts are not embedded again"
    assert report.embedded_chunks == report.chunks - 3 * 50
    assert not (kb / FOLDER).exists(), "the checkpoint goes once its generation is published"
    ours, theirs = _vectors(kb), _vectors(clean_kb)
    assert ours.keys() == theirs.keys()
    assert all(np.array_equal(ours[t], theirs[t]) for t in ours), "resumed vectors are the ones a clean run makes"


def test_an_interrupted_update_keeps_the_live_generation_serving(tmp_path: Path, small_parts) -> None:
    corpus = write_generated_corpus(tmp_path / "corpus", documents=5)
    kb = tmp_path / "kb"
    update_index(corpus, kb, HashEmbedder())
    live = read_current(kb)
    write_generated_corpus(tmp_path / "more", documents=30)
    for path in (tmp_path / "more").iterdir():
        path.rename(corpus / f"more_{path.name}")
    with pytest.raises(Interrupted):
        update_index(corpus, kb, FailsAfter(calls_before_failing=1))
    assert read_current(kb) == live and open_snapshot(kb).manifest.documents == 5
    update_index(corpus, kb, HashEmbedder())
    assert open_snapshot(kb).manifest.documents == 35


def test_vectors_of_another_model_are_never_resumed(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    EmbeddingCheckpoint(kb, "model-a", 4).load()
    EmbeddingCheckpoint(kb, "model-a", 4).save(["text"], np.ones((1, 4), dtype=np.float32))
    assert len(EmbeddingCheckpoint(kb, "model-a", 4).load()) == 1
    assert EmbeddingCheckpoint(kb, "model-b", 4).load() == {}
    assert EmbeddingCheckpoint(kb, "model-a", 4).load() == {}, "the other model's run cleared it"


def test_a_damaged_part_only_costs_its_own_vectors(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    checkpoint = EmbeddingCheckpoint(kb, "m", 4)
    checkpoint.load()
    checkpoint.save(["a"], np.ones((1, 4), dtype=np.float32))
    checkpoint.save(["b"], np.ones((1, 4), dtype=np.float32))
    (kb / FOLDER / "part-000001.npz").write_bytes(b"not a zip")
    assert len(EmbeddingCheckpoint(kb, "m", 4).load()) == 1


def test_a_part_cut_short_or_left_half_written_by_a_kill_is_skipped(tmp_path: Path) -> None:
    """A SIGKILL can leave a part's temporary file (or, on some file systems, a part) empty or cut
    short; the next run must resume, not stop on "No data left in file"."""
    kb = tmp_path / "kb"
    checkpoint = EmbeddingCheckpoint(kb, "m", 4)
    checkpoint.load()
    checkpoint.save(["a"], np.ones((1, 4), dtype=np.float32))
    checkpoint.save(["b"], np.ones((1, 4), dtype=np.float32))
    whole = (kb / FOLDER / "part-000002.npz").read_bytes()
    (kb / FOLDER / "part-000002.npz").write_bytes(b"")  # empty: np.load raises EOFError
    (kb / FOLDER / "part-000003.npz").write_bytes(whole[: len(whole) // 2])  # cut short
    (kb / FOLDER / "part-000004.tmp.npz").write_bytes(b"")  # being written when the run was killed
    resumed = EmbeddingCheckpoint(kb, "m", 4)
    assert len(resumed.load()) == 1
    assert not (kb / FOLDER / "part-000004.tmp.npz").exists(), "the unfinished part is removed"
    resumed.save(["c"], np.ones((1, 4), dtype=np.float32))
    assert len(EmbeddingCheckpoint(kb, "m", 4).load()) == 2
