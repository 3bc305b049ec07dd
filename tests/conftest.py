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
    from index.update import update_index

    kb = tmp_path_factory.mktemp("real") / "kb"
    report = update_index(CORPUS, kb, model)
    assert report.totals()["failed"] == 0, report.files
    return kb


@pytest.fixture(scope="session")
def hash_index(tmp_path_factory) -> Path:
    """The real corpus indexed with the hashing stand-in embedder: for tests of everything but ranking quality."""
    from index.embedder import HashEmbedder
    from index.update import update_index

    kb = tmp_path_factory.mktemp("hashed") / "kb"
    report = update_index(CORPUS, kb, HashEmbedder())
    assert report.totals()["failed"] == 0, report.files
    return kb


@pytest.fixture(scope="session")
def real_searcher(real_index, model):
    """A searcher over the real index."""
    from index.search import Searcher

    return Searcher(real_index, model)


CONDITIONS = ("Holmes-Adie syndrome", "cervical dystonia", "blepharospasm", "writer's cramp", "Wilson disease",
              "myoclonus-dystonia", "spasmodic dysphonia", "Meige syndrome", "tardive dyskinesia", "chorea")


def write_generated_corpus(folder: Path, documents: int = 277) -> Path:
    """A corpus made here, not read from ../shared: MedQuAD-schema XML files with varied Q&A text.

    Big enough that a reindex takes a measurable while (for kill-at-a-moment and two-writer tests).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(documents):
        condition = f"{CONDITIONS[n % len(CONDITIONS)]} type {n}"
        pairs = []
        for q, topic in enumerate(("What is", "What are the symptoms of", "How is", "What research is done on")):
            sentences = " ".join(
                f"Sentence {s} about {condition} notes finding {n * 7 + s * 3 + q} in muscle group {s % 9}."
                for s in range(6 + (n + q) % 5)
            )
            pairs.append(f"<QAPair><Question>{topic} {condition} ?</Question><Answer>{sentences}</Answer></QAPair>")
        (folder / f"gen_{n:04d}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Document id="{n}" source="GEN" url="https://example.org/{n}">'
            f"<Focus>{condition}</Focus><QAPairs>{''.join(pairs)}</QAPairs></Document>\n",
            encoding="utf-8",
        )
    return folder
