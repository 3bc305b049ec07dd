"""Faults around writing and opening generations: a full disk and an unwritable index folder during a
reindex (the old index keeps serving, one clear line, nothing half-written published), and fresh
opens racing with publishing (each open succeeds or raises the library's error, never a raw one).

The full disk is simulated in-process: the write path raises what the system would (OSError ENOSPC,
SQLite's "database or disk is full", FAISS's RuntimeError). The unwritable folder is real: `chmod`,
or for root (whom `chmod` does not stop) the immutable attribute (`chattr +i`)."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np
import pytest
from conftest import CORPUS, REPO
from streamlit.testing.v1 import AppTest

import index.builder as builder_module
from index import cli as index_cli
from index.builder import GenerationBuilder
from index.errors import IndexWriteError, KnowledgeBaseError
from index.layout import generation_dirs, read_current
from index.search import Searcher
from index.store import open_snapshot
from index.update import update_index

FULL = "could not write the new index generation: no space left on device; the previous index is still in use"


@pytest.fixture
def built(tmp_path, monkeypatch, hash_embedder) -> tuple[Path, Path]:
    """The founding documents indexed (hash embedder), plus a new file waiting to be indexed."""
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    corpus, kb = tmp_path / "corpus", tmp_path / "kb"
    shutil.copytree(CORPUS / "founding", corpus / "founding")
    update_index(corpus, kb, hash_embedder)
    (corpus / "new.txt").write_text("New note\n\nBlepharospasm is a focal dystonia of the eyelids.\n", encoding="utf-8")
    return corpus, kb


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", "/somewhere/absolute/units.f16.npy")


def _faiss_full(*args, **kwargs):
    raise RuntimeError(
        "Error in faiss::FileIOWriter::FileIOWriter(const char*) at /project/faiss/impl/io.cpp:98: Error: "
        "'f' failed: could not open /somewhere/absolute/vectors.faiss for writing: No space left on device"
    )


def _sqlite_full(*args, **kwargs):
    raise sqlite3.OperationalError("database or disk is full")


FAULTS = {
    "unit vectors (np.save)": (np, "save", _no_space),
    "vectors (faiss.write_index)": (faiss, "write_index", _faiss_full),
    "rows (SQLite)": (GenerationBuilder, "add_document", _sqlite_full),
    "fsync before publishing": (builder_module, "_fsync_file", _no_space),
    "copying the live database": (shutil, "copyfile", _no_space),  # before the new generation is written to
}


def _build(capsys, corpus: Path, kb: Path) -> tuple[int, str, str]:
    code = index_cli.main(["build", "--corpus", str(corpus), "--index-dir", str(kb)])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_full_disk_during_a_reindex_is_one_line_and_the_old_index_keeps_serving(built, capsys, fault, hash_embedder):
    corpus, kb = built
    live = read_current(kb)
    searcher = Searcher(kb, hash_embedder)
    before = searcher.search("dystonia").passages
    target, name, replacement = FAULTS[fault]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(target, name, replacement)
        code, out, err = _build(capsys, corpus, kb)
    assert code == index_cli.EXIT_ERROR and out == ""
    assert err == f"ingest: {FULL}\n" or err == f"index: {FULL}\n", err
    assert "/somewhere" not in err and "Traceback" not in err
    assert read_current(kb) == live, "nothing was published"
    assert open_snapshot(kb).manifest.documents == 2
    assert searcher.search("dystonia").passages == before
    code, out, err = _build(capsys, corpus, kb)  # space again: the next run publishes and cleans up
    assert code == 0 and "1 added" in out
    assert [p.name for p in generation_dirs(kb)] == [read_current(kb)]


def test_a_full_disk_in_process_raises_the_library_error(built, hash_embedder, monkeypatch):
    corpus, kb = built
    monkeypatch.setattr(np, "save", _no_space)
    with pytest.raises(IndexWriteError, match=FULL):
        update_index(corpus, kb, hash_embedder)
    monkeypatch.undo()
    assert [p.name for p in generation_dirs(kb)] == [read_current(kb)], "the unfinished generation was removed"


def test_a_full_disk_on_the_first_build_says_no_index_was_published(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    monkeypatch.setattr(faiss, "write_index", _faiss_full)
    code, _, err = _build(capsys, CORPUS, tmp_path / "kb")
    assert code == 1 and "no space left on device; no index was published" in err
    assert read_current(tmp_path / "kb") is None


def _make_unwritable(folder: Path) -> Callable:
    """Make folder unwritable for this process; returns the undo. Skips when neither way works."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a folder unwritable")
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.strip()}")
    return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_an_unwritable_index_folder_is_one_line_and_the_old_index_keeps_serving(built, capsys, hash_embedder):
    corpus, kb = built
    live = read_current(kb)
    undo = _make_unwritable(kb)
    try:
        code, out, err = _build(capsys, corpus, kb)
        searcher = Searcher(kb, hash_embedder)
        assert searcher.search("dystonia").passages, "the old index keeps serving"
    finally:
        undo()
    assert code == index_cli.EXIT_ERROR and out == "" and err.count("\n") == 1, err
    assert "could not write the new index generation: " in err and "not writable" in err
    assert "the previous index is still in use" in err and str(kb) not in err
    assert read_current(kb) == live
    assert _build(capsys, corpus, kb)[0] == 0


def test_an_index_folder_that_cannot_be_created_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = _build(capsys, CORPUS, blocker / "kb")
    assert code == 1 and err.count("\n") == 1 and "cannot take the writer lock" in err and str(tmp_path) not in err


def test_a_reindex_on_a_full_disk_is_one_message_on_the_page(built, monkeypatch):
    corpus, kb = built
    monkeypatch.setenv("KB_INDEX_DIR", str(kb))
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KB_ADMIN_PASSWORD", "pw")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.text_input(key="password").input("pw")
    at.button[[b.label for b in at.button].index("Sign in")].click().run()
    assert not at.exception
    monkeypatch.setattr(np, "save", _no_space)
    at.button(key="build-curate").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [f"Reindex failed: {FULL}."]
    monkeypatch.undo()


# --- Opening while generations are published and deleted ----------------------------------------


@pytest.mark.slow
def test_fresh_opens_racing_with_publishing_never_raise_raw_errors(tmp_path, hash_embedder):
    corpus, kb = tmp_path / "corpus", tmp_path / "kb"
    corpus.mkdir()
    for n in range(4):
        (corpus / f"note{n}.txt").write_text(f"Note {n}\n\nDystonia note number {n} about muscles.\n")
    update_index(corpus, kb, hash_embedder)
    publishes, done = 60, threading.Event()
    opened, retried, clean, raw = [0], [0], [], []

    def publish() -> None:
        try:
            for _ in range(publishes):
                update_index(corpus, kb, hash_embedder, full=True)
        finally:
            done.set()

    def open_once() -> None:
        snapshot = open_snapshot(kb)
        try:
            snapshot.documents()
            snapshot.dense_search(hash_embedder.embed(["dystonia"])[0], 3)
        finally:
            snapshot.close()

    def open_repeatedly() -> None:
        for _ in range(20_000):  # bounded even if the publisher stalls
            if done.is_set():
                return
            try:
                try:
                    open_once()
                except KnowledgeBaseError:
                    retried[0] += 1
                    open_once()  # callers retry once
                opened[0] += 1
            except KnowledgeBaseError as error:
                clean.append(str(error))
            except Exception as error:  # what this test exists to catch
                raw.append(repr(error))

    threads = [threading.Thread(target=publish), threading.Thread(target=open_repeatedly)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not raw, raw[:5]
    assert not clean, clean[:5]
    assert opened[0] > 50 and read_current(kb) is not None
    print(f"{opened[0]} opens during {publishes} publishes; {retried[0]} retried once")

