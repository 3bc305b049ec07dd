"""The index on disk: a save/load round trip, and every check that refuses a mismatched index."""

from __future__ import annotations

import json

import faiss
import numpy as np
import pytest

from index.errors import IndexMismatchError, NoIndexError
from index.layout import MANIFEST, VECTORS, read_current
from index.store import open_snapshot
from index.update import update_index
from ingest.loaders import load_document


def test_round_trip_keeps_documents_chunks_and_vectors(small_corpus, tmp_path, hash_embedder):
    kb = tmp_path / "kb"
    report = update_index(small_corpus, kb, hash_embedder)
    snapshot = open_snapshot(kb, expected_model=hash_embedder.name)
    manifest = snapshot.manifest
    assert (manifest.documents, manifest.chunks) == (report.documents, report.chunks) == (8, snapshot.vectors.ntotal)
    assert manifest.model == hash_embedder.name and manifest.dimension == hash_embedder.dimension
    assert manifest.chunking["max_tokens"] > 0 and manifest.built_at
    for path in sorted(small_corpus.rglob("*.*")):
        doc_id = path.relative_to(small_corpus).as_posix()
        original = load_document(path, doc_id)
        stored = snapshot.document(doc_id)
        assert stored.text == original.text and stored.title == original.title
        assert stored.sections == original.sections and stored.pages == original.pages
        assert stored.source == original.source
        chunks = snapshot.chunks_of(doc_id)
        assert chunks and all(stored.text[c.char_start : c.char_end] == c.text for c in chunks)
        # Each chunk's vector is the embedding of its own text: ids line up across FAISS and SQLite.
        vector_id, chunk = snapshot.stored_chunks(doc_id)[0]
        vector = snapshot.vectors.reconstruct(vector_id)
        expected = hash_embedder.embed([f"{chunk.context}\n{chunk.text}" if chunk.context else chunk.text])[0]
        np.testing.assert_allclose(vector, expected, atol=1e-6)
    assert "café" in snapshot.document("sample.txt").text
    ids = [path.relative_to(small_corpus).as_posix() for path in sorted(small_corpus.rglob("*.*"))]
    texts = snapshot.document_texts([*ids, "no/such.txt"])  # one query for a search's candidates
    assert texts == {doc_id: snapshot.document_text(doc_id) for doc_id in ids} and snapshot.document_texts([]) == {}


def test_no_index_is_a_clear_error(tmp_path):
    with pytest.raises(NoIndexError, match="python -m ingest"):
        open_snapshot(tmp_path / "nothing")


@pytest.fixture
def built(small_corpus, tmp_path, hash_embedder):
    kb = tmp_path / "kb"
    update_index(small_corpus, kb, hash_embedder)
    return kb, kb / read_current(kb)


def _edit_manifest(folder, **changes):
    data = json.loads((folder / MANIFEST).read_text())
    data.update(changes)
    (folder / MANIFEST).write_text(json.dumps(data))


def test_a_different_model_is_refused(built):
    kb, _ = built
    with pytest.raises(IndexMismatchError, match="sentence-transformers/all-MiniLM-L6-v2.*--full"):
        open_snapshot(kb, expected_model="sentence-transformers/all-MiniLM-L6-v2")


def test_a_dimension_mismatch_is_refused(built):
    kb, folder = built
    _edit_manifest(folder, dimension=384)
    with pytest.raises(IndexMismatchError, match="dimension"):
        open_snapshot(kb)


def test_a_count_mismatch_is_refused(built):
    kb, folder = built
    _edit_manifest(folder, chunks=3)
    with pytest.raises(IndexMismatchError, match="disagree"):
        open_snapshot(kb)


def test_vectors_missing_rows_are_refused(built):
    kb, folder = built
    vectors = faiss.read_index(str(folder / VECTORS))
    vectors.remove_ids(np.array([1], dtype=np.int64))
    faiss.write_index(vectors, str(folder / VECTORS))
    with pytest.raises(IndexMismatchError, match="disagree"):
        open_snapshot(kb)


def test_an_unknown_format_version_is_refused(built):
    kb, folder = built
    _edit_manifest(folder, format_version=99)
    with pytest.raises(IndexMismatchError, match="v99"):
        open_snapshot(kb)


def test_a_garbled_manifest_is_refused(built):
    kb, folder = built
    (folder / MANIFEST).write_text("{not json")
    with pytest.raises(IndexMismatchError, match="unreadable"):
        open_snapshot(kb)


def test_collection_and_document_filters_intersect(small_corpus, tmp_path, hash_embedder):
    (small_corpus / "notes").mkdir()
    (small_corpus / "notes" / "extra.txt").write_text("Extra notes\n\nDystonia notes kept apart.\n", encoding="utf-8")
    kb = tmp_path / "kb"
    update_index(small_corpus, kb, hash_embedder)
    snapshot = open_snapshot(kb)
    owners = dict(snapshot.chunk_owners())
    founding = snapshot.chunk_ids_where(["founding"], [])
    assert founding and {owners[i] for i in founding} == {
        "founding/dystonia_treatment_news.txt",
        "founding/what_are_dystonias.txt",
    }
    both = snapshot.chunk_ids_where(["founding"], ["founding/what_are_dystonias.txt", "notes/extra.txt"])
    assert {owners[i] for i in both} == {"founding/what_are_dystonias.txt"}, "both filters: the intersection"
    assert snapshot.chunk_ids_where(["founding"], ["notes/extra.txt"]) == set()
    assert {owners[i] for i in snapshot.chunk_ids_where([], ["notes/extra.txt"])} == {"notes/extra.txt"}
    assert snapshot.chunk_ids_where([], []) == set(owners)
    assert {d.collection for d in snapshot.documents()} == {"corpus", "founding", "notes"}, "the first folder"
