"""Past a size, a generation switches itself to an approximate (IVF) index; updates keep working."""

from __future__ import annotations

import shutil
from pathlib import Path

import faiss
import numpy as np
import pytest
from conftest import write_generated_corpus

import index.vector_index as vector_index
from index.embedder import HashEmbedder
from index.search import Searcher
from index.store import open_snapshot
from index.update import update_index
from index.vector_index import EXACT, _all_vectors, fitted, new_exact


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(vector_index, "APPROXIMATE_ABOVE", 300)
    monkeypatch.setattr(vector_index, "BACK_TO_EXACT_BELOW", 150)


def _ids(kb: Path) -> list[int]:
    return sorted(row[0] for row in open_snapshot(kb)._rows("SELECT id FROM chunks"))


def test_the_index_turns_approximate_past_the_threshold_and_updates_keep_working(tmp_path, small_threshold):
    corpus = write_generated_corpus(tmp_path / "corpus", documents=60)
    kb = tmp_path / "kb"
    update_index(corpus, kb, HashEmbedder())
    snapshot = open_snapshot(kb)
    assert snapshot.manifest.chunks > 300 and snapshot.manifest.index_type.startswith("IndexIVFFlat")
    # edit one document, delete another: rows, FTS and IVF ids still agree
    (corpus / "gen_0003.xml").unlink()
    text = (corpus / "gen_0004.xml").read_text(encoding="utf-8").replace("Sentence 0", "A changed sentence 0")
    (corpus / "gen_0004.xml").write_text(text, encoding="utf-8")
    update_index(corpus, kb, HashEmbedder())
    snapshot = open_snapshot(kb)
    assert snapshot.manifest.index_type.startswith("IndexIVFFlat")
    assert snapshot.vectors.ntotal == snapshot.manifest.chunks
    assert sorted(_all_vectors(snapshot.vectors, 64)[1].tolist()) == _ids(kb)
    result = Searcher(kb, HashEmbedder()).search("blepharospasm type 10 muscle group", k=3, mode="dense")
    assert result.passages, "the approximate index answers"


def test_approximate_search_finds_what_exact_search_finds_on_real_like_vectors(small_threshold):
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((40, 32)).astype(np.float32)
    vectors = centres[rng.integers(0, 40, 2000)] + 0.3 * rng.standard_normal((2000, 32)).astype(np.float32)
    faiss.normalize_L2(vectors)
    exact = new_exact(32)
    exact.add_with_ids(vectors, np.arange(2000, dtype=np.int64) * 3)
    approximate = fitted(exact, 32, retrain=False)
    assert vector_index.describe(approximate) != EXACT
    queries = vectors[:50] + 0.05
    _, want = new_exact_copy(vectors).search(queries, 10)
    _, got = approximate.search(queries, 10)
    recall = np.mean([len(set(g) & set(w * 3)) / 10 for g, w in zip(got, want)])
    assert recall >= 0.95
    assert np.allclose(approximate.reconstruct(3 * 7), vectors[7]), "ids and vectors survive the switch"


def new_exact_copy(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def test_a_shrinking_index_returns_to_exact_search(tmp_path, small_threshold):
    corpus = write_generated_corpus(tmp_path / "corpus", documents=60)
    kb = tmp_path / "kb"
    update_index(corpus, kb, HashEmbedder())
    for path in sorted(corpus.iterdir())[15:]:
        path.unlink()
    update_index(corpus, kb, HashEmbedder())
    snapshot = open_snapshot(kb)
    assert snapshot.manifest.chunks < 150 and snapshot.manifest.index_type == EXACT
    assert sorted(faiss.vector_to_array(snapshot.vectors.id_map).tolist()) == _ids(kb)
    shutil.rmtree(kb)


@pytest.mark.parametrize("exact_up_to", [10_000, 0], ids=["read-back", "id-selector"])
def test_a_filtered_search_finds_the_allowed_nearest_on_either_kind_of_index(small_threshold, monkeypatch, exact_up_to):
    """An IVF index probing a few lists would miss allowed vectors in other lists: a filtered
    search must return exactly the nearest allowed ones."""
    monkeypatch.setattr(vector_index, "EXACT_FILTER_UP_TO", exact_up_to)
    rng = np.random.default_rng(2)
    vectors = rng.standard_normal((2000, 32)).astype(np.float32)
    faiss.normalize_L2(vectors)
    ids = np.arange(2000, dtype=np.int64) * 3
    exact = new_exact(32)
    exact.add_with_ids(vectors, ids)
    approximate = fitted(exact, 32, retrain=False)
    approximate_ivf = faiss.extract_index_ivf(approximate)
    approximate_ivf.nprobe = 1  # the worst case: one list of many
    query = vectors[5]
    allowed = np.sort(ids[rng.choice(2000, 120, replace=False)])
    truth = allowed[np.argsort(-(vectors[allowed // 3] @ query))[:10]]
    for index in (exact, approximate):
        scores, found = vector_index.search_within(index, query, allowed, 10)
        if exact_up_to:
            assert found.tolist() == truth.tolist() and np.all(np.diff(scores) <= 1e-6)
        else:  # the selector path: exact on the exact index; on IVF it scans the probed lists only
            assert set(found.tolist()) <= set(allowed.tolist())
            if index is exact:
                assert found.tolist() == truth.tolist()
    assert vector_index.search_within(exact, query, allowed[:0], 10)[1].size == 0


def test_an_ivf_index_opens_with_this_versions_nprobe(tmp_path, small_threshold, monkeypatch):
    """nprobe is a search-time setting: an index saved with another value searches with NPROBE."""
    corpus = write_generated_corpus(tmp_path / "corpus", documents=60)
    kb = tmp_path / "kb"
    update_index(corpus, kb, HashEmbedder())
    monkeypatch.setattr(vector_index, "NPROBE", 7)
    assert faiss.extract_index_ivf(open_snapshot(kb).vectors).nprobe == 7
