"""The page server's embedder: the model in a child process, loaded in the background.

Run with the hashing stand-in in the child (`python -m index.model_process hash`): the pipe, the
restart after the child dies and the load-failure message are the same as with the real model.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import index.model_process as model_process
from index.embedder import HashEmbedder
from index.model_process import ModelProcessError, ProcessEmbedder


@pytest.fixture
def child():
    embedder = ProcessEmbedder("hash")
    yield embedder
    embedder.close()


def test_the_child_embeds_exactly_like_the_embedder_in_process(child):
    texts = [f"dystonia twisting movement {i} of the neck" for i in range(600)] + ["", "ö ∑ 🙂"]
    batches: list[int] = []
    vectors = child.embed(texts, on_batch=batches.append)
    assert vectors.dtype == np.float32 and vectors.shape == (len(texts), child.dimension)
    assert np.array_equal(vectors, HashEmbedder().embed(texts))
    assert batches == [256, 256, 90], "progress per slice, so a long reindex still reports"
    assert child.embed([]).shape == (0, child.dimension)
    assert (child.name, child.dimension) == (HashEmbedder.name, HashEmbedder().dimension)


def test_a_child_that_died_is_started_again(child):
    child.embed(["first"])
    first = child._child
    assert first is not None
    first.kill()
    first.wait()
    assert np.array_equal(child.embed(["second"]), HashEmbedder().embed(["second"]))
    assert child._child is not None and child._child.pid != first.pid


def test_a_child_that_dies_during_a_request_gives_a_message_and_the_next_call_restarts_it(child, monkeypatch):
    child.embed(["first"])
    dying = child._child
    assert dying is not None
    dying.kill()
    dying.wait()
    monkeypatch.setattr(child, "_running", lambda: dying)  # it was alive when the request began
    with pytest.raises(ModelProcessError, match=r"stopped \(exit code -9\); the next question restarts it"):
        child.embed(["second"])
    monkeypatch.undo()
    assert np.array_equal(child.embed(["third"]), HashEmbedder().embed(["third"]))


def test_a_model_that_cannot_load_says_why(monkeypatch):
    # The parent learns the name and dimension without loading; the child fails to load "broken".
    monkeypatch.setattr(model_process, "load_embedder", lambda kind: HashEmbedder())
    broken = ProcessEmbedder("broken")
    try:
        with pytest.raises(ModelProcessError, match="could not be loaded: unknown embedder 'broken'"):
            broken.embed(["x"])
    finally:
        broken.close()


def test_warming_starts_in_the_background_and_is_shared(monkeypatch):
    monkeypatch.setenv("KB_HASH_LOAD_SECONDS", "1.5")
    monkeypatch.setattr(model_process, "_SHARED", {})
    started = time.perf_counter()
    model_process.start_warming("hash")
    model_process.start_warming("hash")  # once per process
    assert time.perf_counter() - started < 0.5, "returns at once"
    assert not model_process.warm("hash")
    assert model_process.wait_until_warm("hash", timeout=30)
    assert time.perf_counter() - started >= 1.5
    shared = model_process.shared_embedder("hash")
    assert shared is model_process.shared_embedder("hash") and isinstance(shared, HashEmbedder)
    assert shared.calls == [1], "one warm-up embedding, however often warming was asked for"
    assert model_process.warming_problem("hash") == ""


def test_a_failed_load_is_tried_again_later_and_then_counts_as_warm(monkeypatch):
    """The first load fails (a passing problem); asked again after RETRY_AFTER, the load runs
    once more and, now that it works, the model counts as loaded and the problem is gone."""
    monkeypatch.setattr(model_process, "_SHARED", {})
    monkeypatch.setattr(model_process, "RETRY_AFTER", 0.2)
    state = model_process._shared("hash")
    real = state.embedder.embed
    attempts: list[int] = []

    def flaky(texts, on_batch=None):
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("out of memory")
        return real(texts, on_batch)

    monkeypatch.setattr(state.embedder, "embed", flaky)
    assert not model_process.wait_until_warm("hash", timeout=30)
    assert model_process.warming_problem("hash") == "out of memory"
    model_process.start_warming("hash")  # too soon: the failure stands
    assert model_process.warming_problem("hash") == "out of memory" and len(attempts) == 1
    time.sleep(0.3)
    assert model_process.wait_until_warm("hash", timeout=30)
    assert model_process.warm("hash") and model_process.warming_problem("hash") == "" and len(attempts) == 2
