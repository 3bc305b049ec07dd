"""Shared fixtures: paths, a fake embedder, and the real model + real-corpus index built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared"
NINDS = SHARED / "data" / "medquad" / "ninds"
DEV_QUESTIONS = SHARED / "eval" / "dystonia_questions.jsonl"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} (shared test data) is not here")


@pytest.fixture
def hash_embedder():
    """The deterministic stand-in embedder; counts its calls."""
    from index.embedder import HashEmbedder

    return HashEmbedder()


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A corpus of one good fixture per format plus the founding documents."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("sample.txt", "sample.md", "sample.html", "sample.pdf", "sample.docx", "medquad_main.xml"):
        shutil.copy(FIXTURES / name, corpus / name)
    shutil.copytree(CORPUS / "founding", corpus / "founding")
    return corpus


@pytest.fixture(scope="session")
def model():
    """The real all-MiniLM-L6-v2 embedder, loaded once for the whole session."""
    from index.embedder import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def real_index(tmp_path_factory, model) -> Path:
    """The real corpus indexed with the real model, once per session."""
    from ingest.pipeline import ingest

    kb = tmp_path_factory.mktemp("real") / "kb"
    report = ingest(CORPUS, kb, model)
    assert report.totals()["failed"] == 0, report.files
    return kb


@pytest.fixture(scope="session")
def real_searcher(real_index, model):
    """A searcher over the real index."""
    from index.search import Searcher

    return Searcher(real_index, model)
