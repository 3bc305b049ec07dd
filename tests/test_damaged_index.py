"""A damaged index: one line naming the problem and the fix, never a traceback, in the CLI and on the
page; the fix (`build --full`, or a plain `build`) works while the live generation is damaged; the
page keeps serving the last good generation it has; `verify` finds what opening cannot afford to.

Every index here is the real corpus embedded with the hashing stand-in (KB_EMBEDDER=hash): no model."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, REPO
from streamlit.testing.v1 import AppTest

from index import cli as index_cli
from index.errors import IndexDamagedError, IndexMismatchError
from index.layout import CURRENT, DATABASE, MANIFEST, UNIT_IDS, UNIT_VECTORS, VECTORS, current_problem, read_current
from index.store import open_snapshot

FIX = "python -m index build --full"
APP = str(REPO / "app.py")


@pytest.fixture
def kb(hash_index, tmp_path, monkeypatch) -> Path:
    """A writable copy of the hash-embedded index of the real corpus, with the hash embedder selected."""
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    monkeypatch.delenv("KB_ADMIN_PASSWORD", raising=False)
    copy = tmp_path / "kb"
    shutil.copytree(hash_index, copy)
    return copy


def _live(kb: Path) -> Path:
    name = read_current(kb)
    assert name is not None
    return kb / name


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _overwrite(path: Path, at: int, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(at)
        handle.write(data)


def _edit_manifest(folder: Path, **changes) -> None:
    data = json.loads((folder / MANIFEST).read_text())
    data.update(changes)
    (folder / MANIFEST).write_text(json.dumps(data))


def _remove_current_keep_generations(kb: Path) -> None:
    (kb / CURRENT).unlink()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "vectors.faiss truncated": lambda kb: _truncate(_live(kb) / VECTORS),
    "vectors.faiss deleted": lambda kb: (_live(kb) / VECTORS).unlink(),
    "kb.sqlite header": lambda kb: _overwrite(_live(kb) / DATABASE, 0, b"NOT A DATABASE!!" * 4),
    "kb.sqlite truncated": lambda kb: _truncate(_live(kb) / DATABASE),
    "kb.sqlite deleted": lambda kb: (_live(kb) / DATABASE).unlink(),
    "manifest documents": lambda kb: _edit_manifest(_live(kb), documents=3),
    "manifest chunks": lambda kb: _edit_manifest(_live(kb), chunks=7),
    "manifest units": lambda kb: _edit_manifest(_live(kb), units=1),
    "manifest dimension": lambda kb: _edit_manifest(_live(kb), dimension=384),
    "manifest not json": lambda kb: (_live(kb) / MANIFEST).write_bytes(b"\xff\xfe{not json"),
    "manifest a list": lambda kb: (_live(kb) / MANIFEST).write_text("[1, 2]"),
    "manifest deleted": lambda kb: (_live(kb) / MANIFEST).unlink(),
    "unit vectors truncated": lambda kb: _truncate(_live(kb) / UNIT_VECTORS, 0.9),
    "unit vectors deleted": lambda kb: (_live(kb) / UNIT_VECTORS).unlink(),
    "unit ids truncated": lambda kb: _truncate(_live(kb) / UNIT_IDS, 0.9),
    "unit ids deleted": lambda kb: (_live(kb) / UNIT_IDS).unlink(),
    "unit ids shorter": lambda kb: np.save(_live(kb) / UNIT_IDS, np.load(_live(kb) / UNIT_IDS)[:-3]),
    "CURRENT missing": _remove_current_keep_generations,
    "CURRENT empty": lambda kb: (kb / CURRENT).write_bytes(b""),
    "CURRENT garbage": lambda kb: (kb / CURRENT).write_bytes(b"\xff\xfe\x00\x9c garbage \xe9"),
    "CURRENT long": lambda kb: (kb / CURRENT).write_bytes(b"gen-" + b"0" * 5000),
    "CURRENT ../x": lambda kb: (kb / CURRENT).write_text("../x\n"),
    "CURRENT absolute": lambda kb: (kb / CURRENT).write_text("/etc\n"),
    "CURRENT not a generation": lambda kb: (kb / CURRENT).write_text("lock\n"),
    "generation folder missing": lambda kb: (kb / CURRENT).write_text("gen-000099\n"),
}


def _cli(capsys, kb: Path, *args: str) -> tuple[int, str, str]:
    code = index_cli.main(["--index-dir", str(kb), "--corpus", str(CORPUS), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_clean_line(err: str, kb: Path) -> None:
    """One line on stderr, no traceback, no absolute path, and the fix named."""
    assert err.count("\n") == 1, err
    assert "Traceback" not in err and str(kb.parent) not in err and "/tmp" not in err and "/work" not in err
    assert FIX in err, err


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_index_is_one_line_in_every_command_and_the_fix_works(kb, capsys, case):
    DAMAGE[case](kb)
    for command in (["stats"], ["search", "dystonia and stress"], ["show", "founding/what_are_dystonias.txt"]):
        code, out, err = _cli(capsys, kb, *command)
        assert code == index_cli.EXIT_ERROR and out == "", (command, out)
        _one_clean_line(err, kb)
    code, out, err = _cli(capsys, kb, "verify")
    assert code == index_cli.EXIT_DAMAGED and FIX in out, out
    code, out, err = _cli(capsys, kb, "build", "--full")
    assert code == 0, err
    assert "34 documents" in out.splitlines()[-1]
    assert _cli(capsys, kb, "verify")[0] == 0
    code, out, _ = _cli(capsys, kb, "search", "dystonia", "--json")
    assert code == 0 and json.loads(out.splitlines()[0])["doc_id"]


@pytest.mark.parametrize("case", ["vectors.faiss truncated", "kb.sqlite header", "CURRENT garbage", "unit ids deleted"])
def test_a_plain_build_also_rebuilds_a_damaged_index_and_says_why(kb, capsys, case):
    DAMAGE[case](kb)
    code, out, err = _cli(capsys, kb, "build")
    assert code == 0, err
    assert out.startswith("Full rebuild: the existing index could not be used (") and "34 added" in out
    assert _cli(capsys, kb, "verify")[0] == 0


def test_a_damaged_index_is_one_line_for_build_dry_run_too(kb, capsys):
    DAMAGE["kb.sqlite truncated"](kb)
    code, out, err = _cli(capsys, kb, "build", "--dry-run")
    assert code == 0 and "Full rebuild" in out and "kb.sqlite is truncated" in out


def test_messages_name_the_file_and_the_generation(kb):
    name = read_current(kb)
    DAMAGE["vectors.faiss truncated"](kb)
    with pytest.raises(IndexDamagedError) as caught:
        open_snapshot(kb)
    assert str(caught.value) == (
        f"the index generation {name} is damaged (vectors.faiss is truncated or corrupt); "
        "rebuild it with: python -m index build --full"
    )


def test_a_manifest_naming_another_model_is_refused_for_search_and_rebuilt_by_build(kb, capsys):
    _edit_manifest(_live(kb), model="sentence-transformers/all-MiniLM-L6-v2")
    code, out, err = _cli(capsys, kb, "search", "dystonia")
    assert code == 1 and "configured model" in err and "--full" in err
    _one_clean_line(err, kb)
    with pytest.raises(IndexMismatchError):
        open_snapshot(kb, expected_model="test/hash-words")
    code, out, err = _cli(capsys, kb, "build")
    assert code == 0 and out.startswith("Full rebuild: the model changed")


# --- Garbage in the middle of kb.sqlite: what opening cannot see, queries and verify do ---------


@pytest.mark.parametrize("where", [0.3, 0.5, 0.7, 0.9])
def test_garbage_in_the_middle_of_the_database_never_gives_a_traceback(kb, capsys, where):
    path = _live(kb) / DATABASE
    size = path.stat().st_size
    page = 4096
    _overwrite(path, int(size * where) // page * page, bytes(range(256)) * 16)
    for command in (["stats"], ["search", "dystonia"], ["search", "gene"], ["show", "founding/what_are_dystonias.txt"]):
        code, out, err = _cli(capsys, kb, *command)
        assert code in (0, 1), (command, err)
        if code:
            _one_clean_line(err, kb)
    code, out, err = _cli(capsys, kb, "verify")
    assert code == index_cli.EXIT_DAMAGED, out
    assert all(line.startswith("problem: ") for line in out.splitlines()[:-1]) and "kb.sqlite" in out
    assert _cli(capsys, kb, "build", "--full")[0] == 0
    assert _cli(capsys, kb, "verify")[0] == 0


def test_verify_finds_a_chunk_missing_from_faiss(kb, capsys):
    import faiss

    path = _live(kb) / VECTORS
    vectors = faiss.read_index(str(path))
    ids = faiss.vector_to_array(vectors.id_map)
    vectors.remove_ids(np.array([ids[0]], dtype=np.int64))
    vectors.add_with_ids(np.zeros((1, vectors.d), dtype=np.float32), np.array([ids.max() + 1000], dtype=np.int64))
    faiss.write_index(vectors, str(path))
    code, out, _ = _cli(capsys, kb, "verify")
    assert code == index_cli.EXIT_DAMAGED
    assert "problem: chunk ids in vectors.faiss: 1 missing" in out and "1 unknown" in out


def test_verify_json_on_a_damaged_index(kb, capsys):
    DAMAGE["manifest chunks"](kb)
    code, out, _ = _cli(capsys, kb, "verify", "--json")
    record = json.loads(out)
    assert code == 5 and record["ok"] is False and record["chunks"] > 7
    assert any("the manifest says 7 chunks" in p for p in record["problems"])


# --- CURRENT is read defensively --------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe\x00garbage", "bytes that are not a generation name"),
        (b"\xe9t\xe9", "bytes that are not a generation name"),
        (b"", "is empty"),
        (b"  \n", "is empty"),
        (b"../x\n", "points outside the index folder"),
        (b"/etc/passwd", "points outside the index folder"),
        (b"gen-000001/../../x", "points outside the index folder"),
        (b"gen-12", "does not name a generation"),
        (b"gen-\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6", "bytes that are not a generation name"),
        (b"lock", "does not name a generation"),
    ],
)
def test_read_current_accepts_only_generation_names(tmp_path, content, problem):
    (tmp_path / CURRENT).write_bytes(content)
    assert read_current(tmp_path) is None
    assert problem in current_problem(tmp_path)
    with pytest.raises(IndexDamagedError, match=re.escape(problem)):
        open_snapshot(tmp_path)


def test_read_current_reads_a_generation_name(tmp_path):
    (tmp_path / CURRENT).write_text("gen-000012\n")
    assert read_current(tmp_path) == "gen-000012" and current_problem(tmp_path) == ""
    assert read_current(tmp_path / "nothing") is None and current_problem(tmp_path / "nothing") == ""


# --- The searcher and the page -----------------------------------------------------------------


def _publish_damaged_copy(kb: Path) -> str:
    """A new generation that is a damaged copy of the live one, published by CURRENT."""
    live = _live(kb)
    number = int(live.name.split("-")[1]) + 1
    name = f"gen-{number:06d}"
    shutil.copytree(live, kb / name)
    _truncate(kb / name / VECTORS)
    (kb / CURRENT).write_text(name + "\n")
    return name


def test_the_searcher_keeps_serving_the_last_good_generation(kb, hash_embedder):
    from index.search import Searcher

    searcher = Searcher(kb, hash_embedder)
    good = searcher.search("dystonia treatment").generation
    bad = _publish_damaged_copy(kb)
    result = searcher.search("dystonia treatment")
    assert result.generation == good and result.passages
    assert bad in searcher.reload_error and "vectors.faiss" in searcher.reload_error
    assert "/" not in searcher.reload_error.replace("python -m index build --full", "")


def _page(timeout: int = 120) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    return at


def _page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("error", "warning", "info", "caption", "markdown", "success") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def _page_env(kb: Path, monkeypatch) -> None:
    monkeypatch.setenv("KB_INDEX_DIR", str(kb))
    monkeypatch.setenv("KB_CORPUS_DIR", str(CORPUS))


@pytest.mark.parametrize("case", ["vectors.faiss truncated", "kb.sqlite header", "CURRENT garbage", "manifest chunks"])
def test_the_page_with_a_damaged_index_says_so_in_one_readable_message(kb, monkeypatch, case):
    DAMAGE[case](kb)
    _page_env(kb, monkeypatch)
    at = _page()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("The index cannot be used: ") and FIX in errors[0]
    text = _page_text(at)
    assert "no index yet" not in text and str(kb.parent) not in text and "/tmp" not in text
    assert "Traceback" not in text and not at.exception


def test_the_page_keeps_answering_from_the_last_good_generation(kb, monkeypatch):
    _page_env(kb, monkeypatch)
    at = _page()
    at.text_area(key="question").input("What is dystonia?").run()
    assert not at.exception and any('class="kb-card"' in h.value for h in at.get("html"))
    _publish_damaged_copy(kb)
    at.text_area(key="question").input("How is dystonia treated?").run()
    assert not at.exception, at.exception
    assert any('class="kb-card"' in h.value for h in at.get("html")), "still answering"
    warnings = [w.value for w in at.warning if w.value.startswith("Showing the previous index version")]
    assert warnings and "vectors.faiss" in warnings[0] and str(kb.parent) not in warnings[0]
    assert not at.error


def test_damage_found_by_a_query_is_one_message_on_the_page(kb, monkeypatch):
    from index.store import Snapshot

    def damaged(self, *args, **kwargs):
        raise IndexDamagedError(f"the index generation {self.name} is damaged (kb.sqlite: disk image is malformed)")

    monkeypatch.setattr(Snapshot, "documents", damaged)
    _page_env(kb, monkeypatch)
    at = _page()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and all(e.startswith("The index cannot be used: ") for e in errors)
    assert "disk image is malformed" in errors[0] and "no index yet" not in _page_text(at)


@pytest.mark.parametrize("case", ["CURRENT garbage", "CURRENT missing", "CURRENT empty"])
def test_clean_up_keeps_every_generation_while_current_names_none(kb, capsys, case):
    """Which generation was live is unknown: the clean-up before a build must not delete them all.
    The build's publish writes a valid CURRENT, and the clean-up after it removes the old one."""
    from index.builder import remove_stale
    from index.layout import generation_dirs

    before = [path.name for path in generation_dirs(kb)]
    DAMAGE[case](kb)
    (kb / "leftover.tmp").write_text("half-written")
    remove_stale(kb)
    assert [path.name for path in generation_dirs(kb)] == before
    assert not (kb / "leftover.tmp").exists()
    code, _, err = _cli(capsys, kb, "build")
    assert code == 0, err
    assert [path.name for path in generation_dirs(kb)] == [read_current(kb)]
    assert read_current(kb) not in before
