"""Incremental, crash-safe reindexing: exact chunk sets after every kind of change, only changed
documents embedded, SIGKILL at many moments, two writers, readers that live through a reindex."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import faiss
import pytest
from conftest import FIXTURES, REPO, write_generated_corpus

from index.embedder import HashEmbedder
from index.errors import IndexBusyError
from index.layout import read_current
from index.lock import writer_lock
from index.search import Searcher
from index.store import Snapshot, open_snapshot
from index.templates import TEMPLATE_DOCUMENTS, sentence_hashes
from index.update import update_index
from index.verify import expected_sentence_keys
from ingest.chunker import ChunkSettings

LONG = " ".join(f"Sentence {i} explains how dystonia affects muscle number {i} in detail." for i in range(60))


def _state(kb: Path) -> dict:
    """Everything a reader can see, checked for internal consistency."""
    snapshot = open_snapshot(kb)
    chunks = snapshot._rows("SELECT id, doc_id, position, char_start, char_end, text FROM chunks")
    chunk_ids = sorted(row[0] for row in chunks)
    fts_ids = sorted(row[0] for row in snapshot._rows("SELECT rowid FROM chunks_fts"))
    vector_ids = sorted(faiss.vector_to_array(snapshot.vectors.id_map).tolist())
    assert chunk_ids == fts_ids == vector_ids, "FAISS, SQLite and FTS5 disagree"
    assert snapshot.manifest.chunks == len(chunks) == snapshot.vectors.ntotal
    docs = {d.doc_id: d.content_hash for d in snapshot.documents()}
    orphans = {row[1] for row in chunks} - set(docs)
    assert not orphans, f"chunks of removed documents: {orphans}"
    keys = [(row[1], row[2], row[3], row[4], row[5]) for row in chunks]
    assert len(keys) == len(set(keys)), "duplicate chunks"
    units = snapshot._rows(
        "SELECT u.id, c.doc_id, c.position, u.char_start, u.char_end FROM units u JOIN chunks c ON c.id = u.chunk_id"
    )
    all_units = snapshot._rows("SELECT count(*) FROM units")[0][0]
    assert len(units) == all_units == snapshot.manifest.units == len(snapshot.unit_ids) == len(snapshot.unit_vectors)
    assert sorted(u[0] for u in units) == snapshot.unit_ids.tolist(), "unit rows and unit vectors disagree"
    unit_keys = {(u[1], u[2], u[3], u[4]) for u in units}
    sentence_keys = dict(snapshot._rows("SELECT hash, documents FROM sentence_keys"))
    assert sentence_keys == expected_sentence_keys(snapshot._db), "sentence key counts disagree with the documents"
    return {
        "docs": docs,
        "chunks": set(keys),
        "units": unit_keys,
        "sentence_keys": sentence_keys,
        "generation": snapshot.name,
    }


def _fresh(corpus: Path, tmp_path: Path) -> dict:
    """The state a from-scratch build of the same corpus gives."""
    kb = tmp_path / f"fresh-{time.monotonic_ns()}"
    update_index(corpus, kb, HashEmbedder())
    return _state(kb)


def _statuses(report) -> dict[str, str]:
    return {f.doc_id: f.status for f in report.files}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "long.txt").write_text(f"Long document\n\n{LONG}\n", encoding="utf-8")
    (folder / "short.md").write_text(
        "---\ntitle: Short\n---\n# Short\n\nCafé patients with dystonia.\n", encoding="utf-8"
    )
    shutil.copy(FIXTURES / "medquad_main.xml", folder / "medquad.xml")
    return folder


@pytest.fixture
def kb(corpus: Path, tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    update_index(corpus, kb, HashEmbedder())
    return kb


def test_add(corpus, kb, tmp_path):
    (corpus / "new.txt").write_text("New document\n\nBotulinum toxin eases cervical dystonia.\n", encoding="utf-8")
    report = update_index(corpus, kb, HashEmbedder())
    assert _statuses(report) == {
        "long.txt": "unchanged",
        "short.md": "unchanged",
        "medquad.xml": "unchanged",
        "new.txt": "added",
    }
    state = _state(kb)
    assert state["chunks"] == _fresh(corpus, tmp_path)["chunks"]
    assert any(doc == "new.txt" for doc, *_ in state["chunks"])


def test_modify(corpus, kb, tmp_path):
    (corpus / "short.md").write_text(
        "---\ntitle: Short\n---\n# Short\n\nNaïve patients with spasms.\n", encoding="utf-8"
    )
    report = update_index(corpus, kb, HashEmbedder())
    assert _statuses(report)["short.md"] == "updated" and report.totals()["unchanged"] == 2
    state = _state(kb)
    assert state["chunks"] == _fresh(corpus, tmp_path)["chunks"]
    texts = [text for doc, _, _, _, text in state["chunks"] if doc == "short.md"]
    assert texts == ["Naïve patients with spasms."]


def test_shorten_leaves_no_stale_tail(corpus, kb, tmp_path):
    before = [c for c in _state(kb)["chunks"] if c[0] == "long.txt"]
    assert len(before) >= 3 and open_snapshot(kb).keyword_search('"explains"', 10)
    (corpus / "long.txt").write_text("Long document\n\nNow it is one sentence.\n", encoding="utf-8")
    update_index(corpus, kb, HashEmbedder())
    state = _state(kb)
    assert [c for c in state["chunks"] if c[0] == "long.txt"] == [("long.txt", 0, 15, 38, "Now it is one sentence.")]
    assert state["chunks"] == _fresh(corpus, tmp_path)["chunks"]
    # The keyword table forgot the old text too.
    assert open_snapshot(kb).keyword_search('"explains"', 10) == []


def test_delete_leaves_nothing_behind(corpus, kb, tmp_path):
    found = Searcher(kb, HashEmbedder()).search("dopa-responsive dystonia", k=10, mode="keyword")
    assert any(p.doc_id == "medquad.xml" for p in found.passages)
    (corpus / "medquad.xml").unlink()
    report = update_index(corpus, kb, HashEmbedder())
    assert _statuses(report)["medquad.xml"] == "removed"
    state = _state(kb)
    assert "medquad.xml" not in state["docs"] and all(c[0] != "medquad.xml" for c in state["chunks"])
    assert state["chunks"] == _fresh(corpus, tmp_path)["chunks"]
    searcher = Searcher(kb, HashEmbedder())
    for mode in ("hybrid", "dense", "keyword"):
        result = searcher.search("dopa-responsive dystonia", k=10, mode=mode)
        assert all(p.doc_id != "medquad.xml" for p in result.passages)


def test_rename_is_a_remove_plus_an_add(corpus, kb, tmp_path):
    (corpus / "sub").mkdir()
    (corpus / "short.md").rename(corpus / "sub" / "renamed.md")
    report = update_index(corpus, kb, HashEmbedder())
    statuses = _statuses(report)
    assert statuses["short.md"] == "removed" and statuses["sub/renamed.md"] == "added"
    state = _state(kb)
    assert set(state["docs"]) == {"long.txt", "medquad.xml", "sub/renamed.md"}
    assert state["chunks"] == _fresh(corpus, tmp_path)["chunks"]


def test_only_the_changed_document_is_embedded(corpus, kb):
    counting = HashEmbedder()
    (corpus / "short.md").write_text("---\ntitle: Short\n---\n# Short\n\nOne. Two. Three.\n", encoding="utf-8")
    report = update_index(corpus, kb, counting)
    assert sum(counting.calls) == report.embedded_chunks == 1  # one chunk of short.md, nothing else


def test_sentence_units_and_their_vectors_follow_every_kind_of_change(corpus, kb, tmp_path):
    (corpus / "new.txt").write_text("New document\n\nBotulinum toxin eases cervical dystonia in most people.\n")
    (corpus / "short.md").write_text(
        "# Short\n\nNaïve patients with spasms of the neck and the face.\n", encoding="utf-8"
    )
    (corpus / "medquad.xml").unlink()
    update_index(corpus, kb, HashEmbedder())
    state, fresh = _state(kb), _fresh(corpus, tmp_path)
    assert state["units"] == fresh["units"] and state["units"]
    assert all(doc != "medquad.xml" for doc, *_ in state["units"])
    snapshot = open_snapshot(kb)
    text = snapshot.document_text("new.txt")
    for (chunk_id, chunk) in snapshot.stored_chunks("new.txt"):
        for unit_id, start, end in snapshot.units_of([chunk_id])[chunk_id]:
            expected = HashEmbedder().embed([f"{chunk.context}\n{text[start:end]}"])[0]
            row = int(snapshot.unit_ids.tolist().index(unit_id))
            assert abs(snapshot.unit_vectors[row].astype("float32") - expected).max() < 1e-2  # float16


def test_an_edit_re_embeds_only_the_chunks_it_touched(corpus, kb):
    total = len([c for c in _state(kb)["chunks"] if c[0] == "long.txt"])
    edited = LONG.replace("Sentence 59 explains", "Sentence 59 now explains")  # the last sentence only
    (corpus / "long.txt").write_text(f"Long document\n\n{edited}\n", encoding="utf-8")
    counting = HashEmbedder()
    report = update_index(corpus, kb, counting)
    assert _statuses(report)["long.txt"] == "updated" and 1 <= sum(counting.calls) < total
    snapshot = open_snapshot(kb)
    for vector_id, chunk in snapshot.stored_chunks("long.txt"):  # reused and new vectors alike match their text
        expected = HashEmbedder().embed([f"{chunk.context}\n{chunk.text}"])[0]
        assert abs(snapshot.vectors.reconstruct(vector_id) - expected).max() < 1e-6


def test_no_change_embeds_nothing_and_keeps_the_generation(corpus, kb):
    counting = HashEmbedder()
    generation = read_current(kb)
    report = update_index(corpus, kb, counting)
    assert counting.calls == [] and report.totals()["unchanged"] == 3
    assert read_current(kb) == generation


def test_model_or_chunking_change_rebuilds_everything(corpus, kb):
    other_model = HashEmbedder(dimension=32)
    other_model.name = "test/other-model"
    report = update_index(corpus, kb, other_model)
    assert "model changed" in report.rebuilt and set(_statuses(report).values()) == {"added"}
    assert open_snapshot(kb).manifest.dimension == 32 and open_snapshot(kb).vectors.d == 32
    report = update_index(corpus, kb, other_model, ChunkSettings(max_tokens=64))
    assert "chunking" in report.rebuilt and report.embedded_chunks == report.chunks
    assert open_snapshot(kb).manifest.chunking["max_tokens"] == 64


def test_full_rebuild_and_dry_run(corpus, kb):
    report = update_index(corpus, kb, HashEmbedder(), full=True)
    assert report.rebuilt and report.totals()["added"] == 3
    before = (read_current(kb), _state(kb))
    (corpus / "short.md").unlink()
    (corpus / "new.txt").write_text("New\n\nText here.\n", encoding="utf-8")
    counting = HashEmbedder()
    report = update_index(corpus, kb, counting, dry_run=True)
    assert report.dry_run and _statuses(report) == {
        "long.txt": "unchanged", "medquad.xml": "unchanged", "short.md": "removed", "new.txt": "added"}
    assert counting.calls == [] and (read_current(kb), _state(kb)) == before


def test_a_failing_file_keeps_its_previous_version(corpus, kb):
    (corpus / "medquad.xml").write_text("<Document><broken", encoding="utf-8")
    report = update_index(corpus, kb, HashEmbedder())
    failed = next(f for f in report.files if f.doc_id == "medquad.xml")
    assert failed.status == "failed" and "previous version stays searchable" in failed.reason
    assert "medquad.xml" in _state(kb)["docs"]


def test_a_full_rebuild_still_keeps_the_previous_version_of_a_failing_file(corpus, kb):
    before = {c for c in _state(kb)["chunks"] if c[0] == "medquad.xml"}
    (corpus / "medquad.xml").write_text("<Document><broken", encoding="utf-8")
    report = update_index(corpus, kb, HashEmbedder(), full=True)
    failed = next(f for f in report.files if f.doc_id == "medquad.xml")
    assert failed.status == "failed" and "previous version stays searchable" in failed.reason
    assert {c for c in _state(kb)["chunks"] if c[0] == "medquad.xml"} == before
    result = Searcher(kb, HashEmbedder()).search("dopa-responsive", k=1, mode="keyword")
    assert result.passages[0].doc_id == "medquad.xml"


def test_a_new_model_cannot_keep_a_failing_file_and_says_so(corpus, kb):
    (corpus / "medquad.xml").write_text("<Document><broken", encoding="utf-8")
    other = HashEmbedder(dimension=32)
    other.name = "test/other-model"
    report = update_index(corpus, kb, other)
    failed = next(f for f in report.files if f.doc_id == "medquad.xml")
    assert failed.status == "failed" and "previous version is dropped" in failed.reason
    assert "medquad.xml" not in _state(kb)["docs"]


def test_old_generations_are_cleaned_up(corpus, kb):
    for i in range(3):
        (corpus / "short.md").write_text(f"# Short\n\nVersion {i}.\n", encoding="utf-8")
        update_index(corpus, kb, HashEmbedder())
    assert [p.name for p in kb.glob("gen-*")] == [read_current(kb)]


def test_a_reader_keeps_answering_during_a_reindex_and_then_sees_the_new_version(corpus, kb):
    searcher = Searcher(kb, HashEmbedder())
    old = searcher.snapshot()
    (corpus / "new.txt").write_text("New document\n\nBotulinum toxin eases cervical dystonia.\n", encoding="utf-8")
    update_index(corpus, kb, HashEmbedder())
    assert not (kb / old.name).exists()  # the old generation's files are gone from disk…
    assert old.keyword_search('"dystonia"', 5)  # …but a reader holding it still answers
    result = searcher.search("Botulinum toxin cervical", k=1, mode="keyword")
    assert result.passages[0].doc_id == "new.txt" and result.generation != old.name


def test_a_second_writer_fails_fast_or_waits(corpus, kb):
    with writer_lock(kb), pytest.raises(IndexBusyError, match=f"pid {os.getpid()}"):
        update_index(corpus, kb, HashEmbedder())
    held, release = threading.Event(), threading.Event()

    def hold_lock_briefly():
        with writer_lock(kb):
            held.set()
            release.wait(0.5)

    holder = threading.Thread(target=hold_lock_briefly)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    report = update_index(corpus, kb, HashEmbedder(), wait_seconds=10)  # waits for the holder, then runs
    holder.join()
    assert report.totals()["unchanged"] == 3 and time.monotonic() - started >= 0.3


# --- subprocesses: real `python -m ingest` runs -------------------------------------------------


def _ingest_process(corpus: Path, kb: Path, *extra: str, busy_seconds: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, "KB_EMBEDDER": "hash", "PYTHONPATH": str(REPO), "KB_HASH_SECONDS": str(busy_seconds)}
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "--corpus", str(corpus), "--index-dir", str(kb), *extra],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture
def ninds_corpus(tmp_path: Path) -> Path:
    """277 generated MedQuAD-schema documents (as many as the NINDS set), so these tests never skip."""
    return write_generated_corpus(tmp_path / "generated")


def _touch_many(folder: Path, round_: int) -> None:
    """Change a third of the documents, delete a few, add one: a reindex with real work to do."""
    files = sorted(folder.glob("*.xml"))
    for path in files[round_ % 3 :: 3]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("</Answer>", f" Revision {round_}.</Answer>", 1)
                        .replace("</answer>", f" Revision {round_}.</answer>", 1), encoding="utf-8")
    for path in files[round_ * 2 : round_ * 2 + 2]:
        path.unlink(missing_ok=True)
    shutil.copy(FIXTURES / "medquad_main.xml", folder / f"added-{round_}.xml")


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_a_loadable_consistent_index(ninds_corpus, tmp_path):
    kb = tmp_path / "kb"
    assert _ingest_process(ninds_corpus, kb).wait(120) == 0
    _touch_many(ninds_corpus, 99)
    timed = _ingest_process(ninds_corpus, kb)
    started = time.monotonic()
    assert timed.wait(120) == 0, timed.stderr.read()
    duration = time.monotonic() - started  # one reindex: start-up, parse, embed, write, publish
    trials = 24
    moments = random.Random(20261121).sample(range(1000), trials)  # seeded: the same moments every run
    for trial, moment in enumerate(moments):
        _touch_many(ninds_corpus, trial)
        process = _ingest_process(ninds_corpus, kb)
        time.sleep(duration * 1.1 * moment / 1000)  # anywhere from start-up to just after publishing
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        state = _state(kb)  # loads, and FAISS = SQLite = FTS5 = manifest
        assert len(state["docs"]) > 200
        result = Searcher(kb, HashEmbedder()).search("What is Holmes-Adie syndrome?", k=3, mode="keyword")
        assert result.passages and not result.abstained
    finisher = _ingest_process(ninds_corpus, kb)
    out, err = finisher.communicate(timeout=120)
    assert finisher.returncode == 0, err
    assert _state(kb)["chunks"] == _fresh(ninds_corpus, tmp_path)["chunks"]
    assert [p.name for p in kb.glob("gen-*")] == [read_current(kb)]


@pytest.mark.slow
def test_two_concurrent_ingests_never_write_together(ninds_corpus, tmp_path):
    kb = tmp_path / "kb"
    first = _ingest_process(ninds_corpus, kb, busy_seconds=8)  # holds the lock for 8 s or more
    deadline = time.monotonic() + 30
    while not ((kb / "lock").exists() and (kb / "lock").read_text().strip()):  # the first holds the lock
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.01)
    second = _ingest_process(ninds_corpus, kb)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 3 and "another ingest" in err and err.count("\n") == 1
    waiting = _ingest_process(ninds_corpus, kb, "--wait", "120", "--json")
    out, err = waiting.communicate(timeout=150)
    assert first.wait(120) == 0 and waiting.returncode == 0, err
    assert '"unchanged": 277' in out  # it waited, then found the first one's work done
    _state(kb)


INTRO = "The Human Phenotype Ontology provides the following list of signs and symptoms for {title}."


def _form(folder: Path, number: int, intro: bool = True) -> None:
    title = f"Dystonia {number}"
    lead = INTRO.format(title=title) + "\n\n" if intro else ""
    body = f"People with dystonia {number} have muscle spasms of type {number} and tremor number {number}."
    (folder / f"form{number}.txt").write_text(f"{title}\n\n{lead}{body}\n", encoding="utf-8")


def _is_template(kb: Path, number: int) -> bool:
    snapshot = open_snapshot(kb)
    hashes = sentence_hashes(INTRO.format(title=f"Dystonia {number}"), f"Dystonia {number}", [(0, 200)])
    return bool(snapshot.template_hashes(list(hashes), TEMPLATE_DOCUMENTS))


def test_sentence_key_counts_follow_every_kind_of_change(corpus, kb, tmp_path):
    for number in (7, 11, 16):
        _form(corpus, number)
    update_index(corpus, kb, HashEmbedder())
    assert _is_template(kb, 7), "three documents hold the sentence with only their title changed"
    assert _state(kb)["sentence_keys"] == _fresh(corpus, tmp_path)["sentence_keys"]
    (corpus / "form16.txt").unlink()
    update_index(corpus, kb, HashEmbedder())
    assert not _is_template(kb, 7), "two copies are a quotation, not a template"
    assert _state(kb)["sentence_keys"] == _fresh(corpus, tmp_path)["sentence_keys"]
    _form(corpus, 11, intro=False)
    _form(corpus, 3)
    update_index(corpus, kb, HashEmbedder())
    assert not _is_template(kb, 7)
    _form(corpus, 11)
    update_index(corpus, kb, HashEmbedder())
    assert _is_template(kb, 3) and _is_template(kb, 7)
    assert _state(kb)["sentence_keys"] == _fresh(corpus, tmp_path)["sentence_keys"]


def test_evidence_passes_over_a_template_whose_other_copies_are_not_candidates(corpus, kb, monkeypatch):
    for number in (7, 11, 16):
        _form(corpus, number)
    update_index(corpus, kb, HashEmbedder())
    question = "signs and symptoms of dystonia 7"
    searcher = Searcher(kb, HashEmbedder())

    def marked() -> str:
        # Only form7.txt is a candidate: its copies of the template sentence are out of sight.
        passage = searcher.search(question, k=1, doc_ids=["form7.txt"]).passages[0]
        start, end = passage.highlight
        return passage.text[start:end]

    assert marked().startswith("People with dystonia 7")
    monkeypatch.setattr(Snapshot, "template_hashes", lambda self, hashes, at_least: set())
    assert marked().startswith("The Human Phenotype Ontology"), "without the counts the template would be marked"
