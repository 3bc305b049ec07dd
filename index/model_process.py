"""The page server's embedder: loaded from the moment the server starts, without stalling it.

Loading the model is ~1.5 s of imports and weights (`index.bert`; ~5 s through
sentence-transformers). Done in a thread of the server, it holds the interpreter lock while the
page is being served (measured with sentence-transformers: the page showed 11 s after server start
instead of 4.4 s). So the real model lives in a child process
(`python -m index.model_process minilm`) that the server talks to over a pipe: the server stays
free to show the page while the child loads, and a question typed meanwhile waits only for what
is left of the load. The test stand-in (`hash`) stays in-process.

`shared_embedder(kind)` is the one embedder of a kind in this process; `start_warming(kind)` begins
loading it in the background and returns at once; `warm(kind)` says whether it has loaded.

Pipe protocol (pickle frames): the child first sends ("ready",) or ("error", message); then, per
request of a list of texts, ("ok", float32 array) or ("error", message). EOF or None stops it.
"""

from __future__ import annotations

import atexit
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from index.embedder import Embedder, OnBatch, load_embedder
from index.errors import KnowledgeBaseError

WARM_TEXT = "dystonia"  # one tiny embedding: loads the model and runs its first (slowest) forward pass
SLICE = 256  # texts per request, so a long reindex still reports progress
ROOT = Path(__file__).resolve().parents[1]
RETRY_AFTER = 30.0  # seconds before a failed model load is tried again
IN_PROCESS = ("hash",)  # kinds cheap enough to load in the server itself (tests can patch them there)


class ModelProcessError(KnowledgeBaseError):
    """The model's process could not load the model, or stopped."""


class ProcessEmbedder:
    """An embedder of `kind` running in a child process; same interface as the in-process ones.

    The child starts on the first `embed` (or `start_warming`); if it dies, the next call starts
    a new one. Calls from several threads take turns.
    """

    def __init__(self, kind: str):
        local = load_embedder(kind)  # constructs lazily: no model is loaded here
        self.kind = kind
        self.name: str = local.name
        self.dimension: int = local.dimension
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None

    def embed(self, texts: list[str], on_batch: OnBatch | None = None) -> np.ndarray:
        with self._lock:
            child = self._running()
            parts = []
            for at in range(0, len(texts), SLICE):
                part = texts[at : at + SLICE]
                parts.append(self._ask(child, part))
                if on_batch:
                    on_batch(len(part))
        return np.vstack(parts) if parts else np.zeros((0, self.dimension), dtype=np.float32)

    def close(self) -> None:
        """Stop the child (it also stops by itself when this process goes away)."""
        with self._lock:
            self._stop()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        self._stop()
        child = subprocess.Popen(
            [sys.executable, "-m", "index.model_process", self.kind],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._child = child
        self._reply(child)  # ("ready",): the model has loaded and embedded once
        return child

    def _ask(self, child: subprocess.Popen[bytes], texts: list[str]) -> np.ndarray:
        try:
            assert child.stdin is not None
            pickle.dump(texts, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            child.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._stopped(child) from None
        return self._reply(child)

    def _reply(self, child: subprocess.Popen[bytes]) -> Any:
        try:
            assert child.stdout is not None
            message = pickle.load(child.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            raise self._stopped(child) from None
        if message[0] == "error":
            if message[1].startswith("load:"):
                self._stop()
                raise ModelProcessError(f"the language model could not be loaded: {message[1][5:].strip()}")
            raise ModelProcessError(message[1])
        return message[1] if message[0] == "ok" else None

    def _stopped(self, child: subprocess.Popen[bytes]) -> ModelProcessError:
        code = child.poll()
        self._stop()
        return ModelProcessError(
            f"the language model's process stopped (exit code {code}); the next question restarts it"
        )

    def _stop(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        for stream in (child.stdin, child.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class _Shared:
    """One kind's process-wide embedder and the state of its background load."""

    def __init__(self, kind: str):
        self.embedder: Embedder = load_embedder(kind) if kind in IN_PROCESS else ProcessEmbedder(kind)
        self.done = threading.Event()
        self.problem = ""  # why loading failed, once it has
        self.failed_at = 0.0  # time.monotonic() of that failure
        self.thread: threading.Thread | None = None


_SHARED: dict[str, _Shared] = {}
_SHARED_LOCK = threading.Lock()


def _shared(kind: str | None) -> _Shared:
    kind = kind or os.environ.get("KB_EMBEDDER", "minilm")
    with _SHARED_LOCK:
        if kind not in _SHARED:
            _SHARED[kind] = _Shared(kind)
        return _SHARED[kind]


def shared_embedder(kind: str | None = None) -> Embedder:
    """This process's one embedder of `kind` (default $KB_EMBEDDER), shared by every caller."""
    return _shared(kind).embedder


def start_warming(kind: str | None = None) -> None:
    """Load the shared embedder in the background, once per process; returns at once. A load that
    failed is tried again when asked RETRY_AFTER seconds or more later (the child process
    restarts), so a page does not report a passing failure for the server's whole life."""
    state = _shared(kind)
    with _SHARED_LOCK:
        if state.thread is not None:
            failed = state.done.is_set() and state.problem
            if not failed or time.monotonic() - state.failed_at < RETRY_AFTER:
                return
            state.problem = ""
            state.done.clear()
        state.thread = threading.Thread(target=_warm, args=(state,), name="kb-model-warmup", daemon=True)
    state.thread.start()


def _warm(state: _Shared) -> None:
    try:
        state.embedder.embed([WARM_TEXT])
    except Exception as error:
        state.failed_at = time.monotonic()
        state.problem = str(error) or type(error).__name__
    finally:
        state.done.set()


def warm(kind: str | None = None) -> bool:
    """True once the shared embedder has loaded; never waits."""
    state = _shared(kind)
    return state.done.is_set() and not state.problem


def wait_until_warm(kind: str | None = None, timeout: float | None = None) -> bool:
    """Start warming if nobody has, and wait for it (at most `timeout` seconds); True when loaded."""
    start_warming(kind)
    state = _shared(kind)
    state.done.wait(timeout)
    return warm(kind)


def warming_problem(kind: str | None = None) -> str:
    """Why the background load failed ('' when it has not)."""
    return _shared(kind).problem


@atexit.register
def _stop_children() -> None:
    for state in list(_SHARED.values()):
        if isinstance(state.embedder, ProcessEmbedder):
            state.embedder.close()


# --- The child ------------------------------------------------------------------------------


def _send(out: BinaryIO, message: tuple) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def serve(kind: str, requests: BinaryIO, replies: BinaryIO) -> int:
    """Load the model, say so, then embed each list of texts that arrives until EOF or None."""
    started = time.perf_counter()
    try:
        embedder = load_embedder(kind)
        embedder.embed([WARM_TEXT])
    except Exception as error:
        _send(replies, ("error", f"load: {error or type(error).__name__}"))
        return 1
    _send(replies, ("ready",))
    print(f"kb: language model ({kind}) ready in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    while True:
        try:
            texts = pickle.load(requests)
        except EOFError:
            return 0
        except pickle.UnpicklingError as error:
            print(f"kb: the model process got a request it cannot read ({error}); stopping", file=sys.stderr)
            return 2
        if texts is None:
            return 0
        try:
            _send(replies, ("ok", embedder.embed(texts)))
        except Exception as error:
            _send(replies, ("error", str(error) or type(error).__name__))


def main(argv: list[str]) -> int:
    """`python -m index.model_process KIND`: the pipe is stdin/stdout; stray prints go to stderr."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a library's print must not corrupt the pipe
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return serve(argv[0] if argv else "minilm", sys.stdin.buffer, replies)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
