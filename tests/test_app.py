"""The Streamlit page through `streamlit.testing.v1.AppTest`.

Most tests run on the real corpus indexed with the hashing stand-in embedder (no model load);
the ones that judge what a real question finds use the real model and index (marked `model`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, REPO
from streamlit.testing.v1 import AppTest

APP = str(REPO / "app.py")
TIMEOUT = 120
HOSTILE = (
    "Hostile page\n\n"
    "Dystonia note <script>alert('xss')</script> and <img src=x onerror=alert(1)> "
    "with **bold** and [a link](javascript:alert(1)) about blepharospasm eyelids zqxjv.\n"
)


def _env(index: Path, tmp_path: Path, monkeypatch, embedder: str) -> tuple[Path, Path]:
    corpus, kb = tmp_path / "corpus", tmp_path / "kb"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(index, kb)
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KB_INDEX_DIR", str(kb))
    monkeypatch.delenv("KB_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("KB_EMBEDDER", embedder)
    return corpus, kb


@pytest.fixture
def page_env(hash_index, tmp_path, monkeypatch):
    """Writable copies of the corpus and its hash-embedded index; no curator password unless a test sets one."""
    return _env(hash_index, tmp_path, monkeypatch, "hash")


@pytest.fixture
def real_page_env(real_index, tmp_path, monkeypatch):
    """Writable copies of the corpus and the real-model index."""
    return _env(real_index, tmp_path, monkeypatch, "minilm")


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _ask(at: AppTest, question: str) -> AppTest:
    at.text_input(key="question").input(question).run()
    assert not at.exception, at.exception
    return at


def _cards(at: AppTest) -> list[str]:
    return [h.value for h in at.get("html") if 'class="kb-card"' in h.value]


@pytest.mark.model
def test_a_question_returns_cited_passages(real_page_env):
    at = _ask(_page(), "Which part of the brain is believed to be involved in dystonia?")
    cards = _cards(at)
    assert 1 <= len(cards) <= 5 and '<span class="kb-rank">[1]</span>' in cards[0]
    assert any("basal ganglia" in card for card in cards[:3])
    assert any('href="http://www.ninds.nih.gov/disorders/dystonias/dystonias.htm"' in card for card in cards)
    assert any('<mark class="evidence">' in card for card in cards)
    assert "not medical advice" in at.info[0].value
    labels = [e.label for e in at.expander]
    assert labels.count("Show in context") == len(cards) and labels.count("Copy citation") == len(cards)
    citation = at.code[0].value
    assert " — " in citation and "“" in citation  # title — section — source, then the quoted passage
    context = [h.value for h in at.get("html") if 'class="kb-context"' in h.value][0]
    assert '<mark class="passage">' in context


@pytest.mark.model
def test_an_example_question_can_be_clicked(real_page_env):
    at = _page()
    at.button(key="example-1").click().run()
    assert at.text_input(key="question").value == "Which gene causes myoclonus-dystonia?"
    assert any("SGCE" in card for card in _cards(at))


@pytest.mark.model
def test_unanswerable_question_says_so(real_page_env):
    at = _ask(_page(), "What is the capital of France?")
    assert _cards(at) == []
    assert any("No passage in the knowledge base answers this question." in w.value for w in at.warning)


def test_filter_by_collection(page_env):
    at = _page()
    at.multiselect[0].set_value(["founding"]).run()
    at = _ask(at, "What treatments are there for dystonia?")
    cards = _cards(at)
    assert cards and all("founding" in card and "MedQuAD" not in card for card in cards)


def test_library_lists_documents_and_opens_one(page_env):
    at = _page()
    table = at.dataframe[0].value
    assert len(table) == 34 and {"title", "source", "collection", "chunks", "indexed"} <= set(table.columns)
    assert [m.value for m in at.metric][:2] == ["34", str(table["chunks"].sum())]
    at.selectbox[0].set_value("founding/what_are_dystonias.txt").run()
    full = [h.value for h in at.get("html") if 'class="kb-doc"' in h.value][0]
    assert "What are Dystonias?" in full and "1 East Wacker Drive" in full


def test_curator_tools_are_closed_without_a_password(page_env):
    at = _page()
    assert len(at.get("file_uploader")) == 0
    assert not [b for b in at.button if b.label in ("Reindex now", "Save and reindex", "Sign in")]
    assert any("KB_ADMIN_PASSWORD" in i.value for i in at.info)


def test_wrong_password_keeps_the_gate_closed(page_env, monkeypatch):
    monkeypatch.setenv("KB_ADMIN_PASSWORD", "correct horse")
    at = _page()
    at.text_input(key="password").input("wrong").run()
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert any("Wrong password" in e.value for e in at.error)
    assert len(at.get("file_uploader")) == 0


def _sign_in(monkeypatch) -> AppTest:
    monkeypatch.setenv("KB_ADMIN_PASSWORD", "correct horse")
    at = _page()
    at.text_input(key="password").input("correct horse").run()
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert len(at.get("file_uploader")) == 1
    return at


def test_upload_and_reindex_then_search_finds_it(page_env, monkeypatch):
    corpus, kb = page_env
    at = _sign_in(monkeypatch)
    data = (FIXTURES / "sample.docx").read_bytes()
    at.get("file_uploader")[0].set_value(("../../sneaky/Trial notes.docx", data, "application/octet-stream")).run()
    next(b for b in at.button if b.label == "Save and reindex").click().run()
    assert not at.exception, at.exception
    assert (corpus / "uploads" / "Trial notes.docx").read_bytes() == data
    assert any("Index updated: 35 documents" in s.value for s in at.success)
    assert at.get("file_uploader")[0].value in (None, [])  # emptied, ready for the next upload
    report = at.dataframe[-1].value
    assert list(report["document"]) == ["uploads/Trial notes.docx"] and list(report["status"]) == ["added"]
    at = _ask(at, "Is there dystonia care in São Paulo?")
    assert "uploads/Trial notes.docx" in _cards(at)[0]


def test_upload_with_wrong_content_is_refused(page_env, monkeypatch):
    corpus, _ = page_env
    at = _sign_in(monkeypatch)
    at.get("file_uploader")[0].set_value(("report.pdf", b"this is not a pdf", "application/pdf")).run()
    assert any("not a valid .pdf" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Save and reindex"]
    assert not (corpus / "uploads").exists()


def test_replacing_a_document_needs_confirmation(page_env, monkeypatch):
    corpus, _ = page_env
    (corpus / "uploads").mkdir()
    (corpus / "uploads" / "notes.txt").write_text("Old notes\n\nOld text.\n", encoding="utf-8")
    at = _sign_in(monkeypatch)
    at.get("file_uploader")[0].set_value(("notes.txt", b"New notes\n\nNew text.\n", "text/plain")).run()
    assert any("already exists" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label == "Save and reindex"]
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Save and reindex").click().run()
    assert (corpus / "uploads" / "notes.txt").read_text(encoding="utf-8") == "New notes\n\nNew text.\n"


def test_document_text_with_markup_is_shown_as_text(page_env, monkeypatch):
    corpus, kb = page_env
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    from index.embedder import HashEmbedder
    from index.update import update_index

    update_index(corpus, kb, HashEmbedder())
    at = _ask(_page(), "zqxjv blepharospasm eyelids")
    card = next(c for c in _cards(at) if "Hostile page" in c)
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card
    assert "<script" not in card and "<img" not in card and "<strong>" not in card
    assert "**bold**" in card and "[a link](javascript:alert(1))" in card  # Markdown stays literal
    at.selectbox[0].set_value("hostile.txt").run()
    full = next(h.value for h in at.get("html") if 'class="kb-doc"' in h.value)
    assert "&lt;script&gt;" in full and "<script" not in full


def test_no_index_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("KB_CORPUS_DIR", str(CORPUS))
    monkeypatch.delenv("KB_ADMIN_PASSWORD", raising=False)
    at = _page()
    assert any("no index yet" in w.value for w in at.warning)
    assert any("python -m ingest" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label in ("Build the index", "Sign in")]


@pytest.mark.model
def test_a_curator_can_build_a_missing_index(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "minilm")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "founding", corpus / "founding")
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    at = _sign_in(monkeypatch)
    at.button(key="build-ask").click().run()
    assert any("Index updated: 2 documents" in s.value for s in at.success)
    at = _ask(at, "Which part of the brain is believed to be involved in dystonia?")
    assert any("basal ganglia" in card for card in _cards(at))
    assert Path(tmp_path / "kb" / "CURRENT").exists()
