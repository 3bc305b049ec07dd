"""Both command lines through `main(argv)`, in tmp_path, with the fake embedder (KB_EMBEDDER=hash)."""

from __future__ import annotations

import io
import json
import os
import shutil

import pytest
from conftest import FIXTURES, REPO

from index import cli as index_cli


@pytest.fixture
def env(small_corpus, tmp_path, monkeypatch):
    """A corpus with good and bad files, an index dir, and the fake embedder selected."""
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    for name in ("not_a_pdf.pdf", "unsupported.xyz", "latin1.txt"):
        shutil.copy(FIXTURES / name, small_corpus / name)
    return small_corpus, tmp_path / "kb"


def _ingest(capsys, corpus, kb, *extra):
    code = index_cli.main(["build", "--corpus", str(corpus), "--index-dir", str(kb), *extra], prog="python -m ingest")
    return code, capsys.readouterr()


def test_ingest_reports_every_file_and_totals(env, capsys):
    corpus, kb = env
    code, out = _ingest(capsys, corpus, kb)
    assert code == index_cli.EXIT_FAILED_FILES == 4, "a file failed: scripts must notice"
    assert out.err.strip() == "2 files failed; the report says why (exit code 4)"
    lines = out.out.splitlines()
    assert any(line.startswith("added") and "sample.pdf" in line and "chunks" in line for line in lines)
    assert any(line.startswith("failed") and "not_a_pdf.pdf" in line and "PDF" in line for line in lines)
    assert any(line.startswith("failed") and "latin1.txt" in line and "UTF-8" in line for line in lines)
    assert any(line.startswith("skipped") and "unsupported.xyz" in line and "unsupported" in line for line in lines)
    assert "8 added" in lines[-1] and "2 failed" in lines[-1] and "1 skipped" in lines[-1]
    assert "8 documents" in lines[-1]


def test_ingest_json_is_one_object(env, capsys):
    corpus, kb = env
    code, out = _ingest(capsys, corpus, kb, "--json")
    report = json.loads(out.out)
    assert code == 4 and report["totals"]["added"] == 8 and report["documents"] == 8
    by_id = {f["doc_id"]: f for f in report["files"]}
    assert by_id["sample.docx"]["status"] == "added" and by_id["sample.docx"]["chunks"] >= 1
    assert by_id["not_a_pdf.pdf"]["status"] == "failed" and by_id["not_a_pdf.pdf"]["reason"]


def test_ingest_with_a_missing_corpus_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    code, out = _ingest(capsys, tmp_path / "missing", tmp_path / "kb")
    assert code == 1 and out.err.count("\n") == 1 and "does not exist" in out.err


def test_environment_variables_choose_the_folders(env, capsys, monkeypatch):
    corpus, kb = env
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KB_INDEX_DIR", str(kb))
    assert index_cli.main(["build"]) == 4  # two fixture files fail
    capsys.readouterr()
    assert index_cli.main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 8


@pytest.fixture
def indexed(env, capsys):
    corpus, kb = env
    _ingest(capsys, corpus, kb)
    return kb


def _index(capsys, kb, *args):
    code = index_cli.main(["--index-dir", str(kb), *args])
    return code, capsys.readouterr()


def test_search_json_has_citation_fields(indexed, capsys):
    code, out = _index(
        capsys, indexed, "search", "abnormality in an area of the brain called the basal ganglia", "-k", "3", "--json"
    )
    assert code == 0
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert 1 <= len(rows) <= 3 and [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        for field in ("rank", "score", "doc_id", "title", "source", "section", "page",
                      "char_start", "char_end", "text", "highlight"):
            assert field in row
    top = rows[0]
    assert "basal ganglia" in top["text"] and top["doc_id"] == "founding/what_are_dystonias.txt"
    # The offsets cite the document text that `show` prints.
    _, shown = _index(capsys, indexed, "show", top["doc_id"], "--json")
    assert json.loads(shown.out)["text"][top["char_start"] : top["char_end"]] == top["text"]


def test_search_text_output_has_numbered_citations(indexed, capsys):
    code, out = _index(capsys, indexed, "search", "basal ganglia", "-k", "2")
    assert code == 0
    assert out.out.startswith("[1] What are Dystonias? — ") and "\n[2] " in out.out
    assert "score" in out.out


def test_search_reads_questions_from_stdin(indexed, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("basal ganglia\n\ncafé Ménière\n"))
    code, out = _index(capsys, indexed, "search", "-k", "1", "--json")
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert code == 0 and [r["query"] for r in rows] == ["basal ganglia", "café Ménière"]
    assert "Ménière" in rows[1]["text"]


def test_search_with_fts_syntax_does_not_break(indexed, capsys):
    code, out = _index(capsys, indexed, "search", 'basal* "ganglia NEAR(AND) OR -', "--mode", "keyword", "--json")
    assert code == 0 and out.err == ""
    assert "basal ganglia" in json.loads(out.out.splitlines()[0])["text"]


def test_show_prints_metadata_and_extracted_text(indexed, capsys):
    code, out = _index(capsys, indexed, "show", "sample.pdf")
    assert code == 0 and "format:" in out.out and "pdf" in out.out and "pages: 2" in out.out
    code, out = _index(capsys, indexed, "show", "nope.txt")
    assert code == 1 and out.out == "" and out.err.count("\n") == 1 and "nope.txt" in out.err


def test_stats(indexed, capsys):
    code, out = _index(capsys, indexed, "stats", "--json")
    stats = json.loads(out.out)
    assert code == 0 and stats["documents"] == 8 and stats["model"] == "test/hash-words" and stats["built_at"]
    code, out = _index(capsys, indexed, "stats")
    assert "documents:" in out.out and "chunks:" in out.out


@pytest.mark.parametrize("command", [["search", "dystonia"], ["show", "x"], ["stats"]])
def test_no_index_yet_is_one_clear_line(tmp_path, capsys, monkeypatch, command):
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    code, out = _index(capsys, tmp_path / "empty", *command)
    assert code == 1 and out.out == ""
    assert out.err.count("\n") == 1 and "python -m ingest" in out.err and "Traceback" not in out.err


@pytest.mark.parametrize("argv", [["search", "x", "-k", "0"], ["search", "x", "--mode", "magic"], ["frobnicate"], []])
def test_bad_arguments_are_one_line(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        index_cli.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "--help" in err


def test_eval_scores_a_question_set_in_every_mode(indexed, capsys, tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        '{"id": "q1", "question": "abnormality basal ganglia brain", '
        '"answers": ["area of the brain called the basal ganglia"]}\n'
        '{"id": "q2", "question": "Ménière inner ear", "answers": ["affects the inner ear"]}\n',
        encoding="utf-8",
    )
    code, out = _index(capsys, indexed, "eval", str(questions), "--json")
    rows = [json.loads(line) for line in out.out.splitlines()]  # strict JSON: no NaN
    assert code == 0 and [r["mode"] for r in rows] == ["hybrid", "dense", "keyword"]
    keyword = rows[2]
    assert keyword["hit_at_1"] == 1.0 and keyword["mrr_at_10"] == 1.0 and keyword["abstained_unanswerable"] is None
    assert rows[0]["evidence"] is not None  # hybrid also scores the evidence marks


def test_eval_on_a_beir_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    beir = tmp_path / "tiny"
    (beir / "qrels").mkdir(parents=True)
    docs = {"d1": "Levodopa treats dopa-responsive dystonia.", "d2": "Botulinum toxin eases cervical dystonia.",
            "d3": "The basal ganglia process movement signals."}
    (beir / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "title": "", "text": v}) for k, v in docs.items()), encoding="utf-8")
    (beir / "queries.jsonl").write_text(
        json.dumps({"_id": "q1", "text": "levodopa dopa-responsive"}) + "\n"
        + json.dumps({"_id": "q2", "text": "botulinum toxin cervical"}), encoding="utf-8")
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n", encoding="utf-8")
    code, out = _index(capsys, tmp_path / "unused", "eval", str(beir), "--mode", "keyword", "--json",
                       "--beir-cache", str(tmp_path / "cache"))
    row = json.loads(out.out)
    assert code == 0 and row["queries"] == 2 and row["ndcg_at_10"] == 1.0 and row["recall_at_100"] == 1.0
    assert any((tmp_path / "cache").iterdir())


def test_ndcg_and_recall_by_hand():
    from index.evaluate import ndcg_at, recall_at

    assert ndcg_at(["a", "b"], {"b": 1}) == pytest.approx(1 / __import__("math").log2(3))
    assert ndcg_at(["x", "y"], {"b": 1}) == 0.0 and ndcg_at(["b"], {"b": 1}) == 1.0
    assert recall_at(["a", "b", "c"], {"b": 1, "z": 1}, k=2) == 0.5


@pytest.mark.parametrize("where", ["before", "after"])
def test_common_options_work_on_either_side_of_the_command(indexed, capsys, monkeypatch, where):
    monkeypatch.delenv("KB_INDEX_DIR", raising=False)
    options = ["--index-dir", str(indexed), "--json"]
    for command in (["stats"], ["search", "basal ganglia", "-k", "1"], ["show", "sample.pdf"]):
        argv = [*options, *command] if where == "before" else [*command, *options]
        code = index_cli.main(argv)
        out = capsys.readouterr()
        assert code == 0, out.err
        json.loads(out.out.splitlines()[0])  # --json was honoured, from the index named by --index-dir


def test_build_takes_the_corpus_option_on_either_side(env, capsys):
    corpus, kb = env
    assert index_cli.main(["--corpus", str(corpus), "build", "--index-dir", str(kb), "--json"]) == 4
    assert json.loads(capsys.readouterr().out)["documents"] == 8
    assert index_cli.main(["--index-dir", str(kb), "build", "--corpus", str(corpus), "--dry-run"]) == 0
    assert "8 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["build", "search", "show", "stats", "eval"])
def test_every_subcommand_help_lists_the_common_options(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        index_cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for option in ("--index-dir", "--corpus", "--json"):
        assert option in out


def test_python_dash_m_ingest_is_the_build_command(env):
    import subprocess
    import sys

    corpus, kb = env
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--corpus", str(corpus), "--index-dir", str(kb), "--json"],
        cwd=REPO, env={**os.environ, "KB_EMBEDDER": "hash"}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 4, done.stderr  # the corpus holds two files that fail
    assert json.loads(done.stdout)["totals"]["added"] == 8
    bad = subprocess.run([sys.executable, "-m", "ingest", "--frobnicate"], cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("python -m ingest")


def test_ingest_exits_zero_when_every_file_indexed(small_corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    code, out = _ingest(capsys, small_corpus, tmp_path / "kb")
    assert code == 0 and out.err == ""
    (small_corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    code, out = _ingest(capsys, small_corpus, tmp_path / "kb")
    assert code == 4 and "failed" in out.out and "broken.pdf" in out.out
    code, out = _ingest(capsys, small_corpus, tmp_path / "kb", "--dry-run")
    assert code == 0, "a dry run loads nothing, so nothing fails"


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (["--collection", "nope"], "unknown collection 'nope': choose from corpus, founding"),
        (["--doc", "sample.pfd"], "unknown document 'sample.pfd': did you mean sample.pdf or"),
        (["--collection", "founding", "--doc", "sample.md"], "no document is both in collection founding"),
    ],
)
def test_unknown_or_impossible_filters_are_errors_naming_the_choices(indexed, capsys, filters, message):
    code, out = _index(capsys, indexed, "search", "dystonia", *filters)
    assert code == 1 and out.out == "" and out.err.count("\n") == 1
    assert message in out.err
    if "--doc" in filters and "--collection" not in filters:
        assert "sample.pdf" in out.err  # the valid ids are all named


def test_collection_and_doc_filters_intersect_on_the_command_line(indexed, capsys):
    code, out = _index(capsys, indexed, "search", "dystonia", "--collection", "founding",
                       "--doc", "founding/what_are_dystonias.txt", "--doc", "sample.md", "--json", "-k", "10")
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert code == 0 and rows and {r["doc_id"] for r in rows} == {"founding/what_are_dystonias.txt"}


@pytest.mark.parametrize("command", ["build", "search", "show", "stats", "eval"])
def test_every_subcommand_help_lists_every_option_with_its_meaning(capsys, command):
    parser = index_cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    with pytest.raises(SystemExit):
        index_cli.main([command, "--help"])
    out = capsys.readouterr().out
    for action in sub._actions:
        names = action.option_strings or [action.dest]
        assert any(name in out for name in names), (command, names)
        assert action.help, f"{command} {names} has no help text"
    flat = " ".join(out.split())
    assert "exit codes:" in flat and "4 build finished but some files failed" in flat


# --- verify, dash-leading document ids, unprintable file names ---------------------------------


def test_verify_on_a_good_index_prints_ok_with_counts(indexed, capsys):
    code, out = _index(capsys, indexed, "verify")
    assert code == index_cli.EXIT_OK and out.err == ""
    assert out.out.startswith("OK: gen-") and "8 documents" in out.out and out.out.count("\n") == 1
    code, out = _index(capsys, indexed, "verify", "--json")
    record = json.loads(out.out)
    assert code == 0 and record["ok"] is True and record["problems"] == [] and record["documents"] == 8


def test_verify_without_an_index_is_one_line(tmp_path, capsys):
    code, out = _index(capsys, tmp_path / "none", "verify")
    assert code == 1 and out.err.count("\n") == 1 and "no index yet" in out.err


def test_help_lists_verify_and_its_exit_code(capsys):
    with pytest.raises(SystemExit):
        index_cli.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "verify" in out and "5 verify found problems" in out
    with pytest.raises(SystemExit):
        index_cli.main(["verify", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "integrity" in out and "5 verify found problems" in out


@pytest.mark.parametrize("argv", [["show", "-rf.txt"], ["show", "x", "-rf.txt"]])
def test_a_document_id_starting_with_a_dash_gets_a_hint(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        index_cli.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1
    assert "use `--` before a document id that starts with a dash" in err


def test_show_after_a_double_dash_finds_a_dash_leading_id(env, capsys):
    corpus, kb = env
    (corpus / "-rf.txt").write_text("Dash note\n\nA note whose name starts with a dash.\n", encoding="utf-8")
    _ingest(capsys, corpus, kb)
    code, out = _index(capsys, kb, "show", "--", "-rf.txt")
    assert code == 0 and "Dash note" in out.out


def test_the_text_report_escapes_newlines_and_control_characters_in_file_names(small_corpus, tmp_path, capsys,
                                                                                 monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    (small_corpus / "two\nlines.txt").write_text("Two lines\n\nA file name with a newline in it.\n", encoding="utf-8")
    (small_corpus / "esc\x1b[31mred.txt").write_text("Escape\n\nA file name with an escape.\n", encoding="utf-8")
    code, out = _ingest(capsys, small_corpus, tmp_path / "kb")
    lines = out.out.splitlines()
    assert code == 0 and all(line.split(" ")[0] in ("added", "updated", "unchanged", "removed", "failed",
                                                    "skipped") for line in lines[:-1]), lines
    assert any("two\\nlines.txt" in line for line in lines) and any("esc\\x1b[31mred.txt" in line for line in lines)
    assert "\x1b" not in out.out
    code, out = _ingest(capsys, small_corpus, tmp_path / "kb", "--json")  # JSON keeps the real names
    assert "two\nlines.txt" in {f["doc_id"] for f in json.loads(out.out)["files"]}


def test_search_json_carries_the_note_about_a_missing_subject(indexed, capsys):
    code, out = _index(
        capsys, indexed, "search", "basal ganglia and sumatriptan", "-k", "1", "--json", "--mode", "keyword"
    )
    row = json.loads(out.out.splitlines()[0])
    assert code == 0 and row["rank"] == 1 and row["note"].startswith("No passage is about sumatriptan")


def test_commands_that_read_no_document_import_no_parser_and_no_torch(indexed):
    """`stats` and a keyword search start in a fraction of a second: they load neither the model's
    libraries (torch) nor the document parsers (pypdf, python-docx, BeautifulSoup, PyYAML)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from index import cli\n"
        f"for argv in (['--index-dir', {str(indexed)!r}, 'stats'],\n"
        f"             ['--index-dir', {str(indexed)!r}, 'search', '--mode', 'keyword', 'dystonia']):\n"
        "    assert cli.main(argv) == 0\n"
        "names = ('torch', 'pypdf', 'docx', 'bs4', 'yaml', 'sentence_transformers')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env={**os.environ, "KB_EMBEDDER": "hash"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_an_unknown_precision_is_a_one_line_error_naming_the_choices(small_corpus, tmp_path, capsys, monkeypatch):
    """KB_PRECISION is checked before any weight is read; the message lists what it accepts."""
    monkeypatch.setenv("KB_EMBEDDER", "minilm")
    monkeypatch.setenv("KB_PRECISION", "fp8")
    assert index_cli.main(["--index-dir", str(tmp_path / "kb"), "--corpus", str(small_corpus), "build"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "KB_PRECISION='fp8'" in err and "auto, float32, bfloat16" in err
