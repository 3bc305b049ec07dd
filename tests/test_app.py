"""The Streamlit page through `streamlit.testing.v1.AppTest`.

Most tests run on the real corpus indexed with the hashing stand-in embedder (no model load);
the ones that judge what a real question finds use the real model and index (marked `model`).
Layout, scrolling, colours and the served files are checked in a real browser (test_browser.py)."""

from __future__ import annotations

import random
import re
import shutil
import threading
import time
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
PASSWORD = "correct horse"


def _env(index: Path, tmp_path: Path, monkeypatch, embedder: str) -> tuple[Path, Path]:
    corpus, kb = tmp_path / "corpus", tmp_path / "kb"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(index, kb)
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KB_INDEX_DIR", str(kb))
    monkeypatch.delenv("KB_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("KB_BUSY_RETRY_SECONDS", raising=False)
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
    at.text_area(key="question").input(question).run()
    assert not at.exception, at.exception
    return at


def _cards(at: AppTest) -> list[str]:
    return [h.value for h in at.get("html") if 'class="kb-card"' in h.value]


def _html(at: AppTest, css_class: str) -> list[str]:
    return [h.value for h in at.get("html") if f'class="{css_class}"' in h.value]


def _add_to_index(corpus: Path, kb: Path, name: str, data: bytes) -> None:
    from index.embedder import HashEmbedder
    from index.update import update_index

    (corpus / name).parent.mkdir(parents=True, exist_ok=True)
    (corpus / name).write_bytes(data)
    update_index(corpus, kb, HashEmbedder())


# --- Asking ---------------------------------------------------------------------------


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
    context = _html(at, "kb-context")[0]
    assert '<mark class="passage">' in context


def test_asking_with_an_empty_box_says_what_to_do(page_env):
    """A new user pressed Ask with nothing typed and saw nothing happen."""
    from app import EMPTY_QUESTION

    at = _page()
    at.button(key="ask").click().run()
    assert not at.exception, at.exception
    assert EMPTY_QUESTION in [i.value for i in at.info] and _cards(at) == []
    at = _ask(at, "   ")
    assert EMPTY_QUESTION not in [i.value for i in at.info], "only a press of Ask says it, not every rerun"
    at.button(key="ask").click().run()
    assert EMPTY_QUESTION in [i.value for i in at.info], "a box of spaces is empty too"


@pytest.mark.model
def test_an_example_question_can_be_clicked(real_page_env):
    at = _page()
    at.button(key="example-1").click().run()
    assert at.text_area(key="question").value == "Which gene causes myoclonus-dystonia?"
    assert any("SGCE" in card for card in _cards(at))


@pytest.mark.model
def test_unanswerable_question_says_so(real_page_env):
    at = _ask(_page(), "What is the capital of France?")
    assert _cards(at) == []
    assert any("No passage in the knowledge base" in w.value for w in at.warning)


def test_keyword_matches_answer_while_the_model_loads_then_the_full_answer_replaces_them(page_env, monkeypatch):
    """A question asked before the model is ready is answered at once from keyword matches, said so;
    once the model has loaded, the same question gets the full (hybrid) answer and the note goes."""
    import index.model_process as model_process

    monkeypatch.setattr(model_process, "_SHARED", {})  # a model of its own, not yet loaded
    monkeypatch.setenv("KB_HASH_LOAD_SECONDS", "6")
    at = _page()
    asked = time.monotonic()
    at = _ask(at, "Which doctors treat eyelids that keep closing?")
    assert time.monotonic() - asked < 5, "the keyword answer did not wait for the model"
    assert not model_process.warm("hash")
    assert any("Keyword matches for now" in i.value for i in at.info)
    assert _cards(at)
    assert model_process.wait_until_warm("hash", timeout=60)
    at.run()
    assert not any("Keyword matches for now" in i.value for i in at.info)
    assert not any("Loading the language model" in i.value for i in at.info)
    assert _cards(at)


def test_a_question_keyword_search_cannot_answer_waits_for_the_model(page_env, monkeypatch):
    import index.model_process as model_process

    monkeypatch.setattr(model_process, "_SHARED", {})
    monkeypatch.setenv("KB_HASH_LOAD_SECONDS", "2")
    at = _ask(_page(), "zqxjv wbpfk")  # no keyword match: nothing to show for now
    assert model_process.warm("hash"), "the page waited for the model"
    assert not any("Keyword matches for now" in i.value for i in at.info)


def _in_order(node) -> list:
    """Every element under node, in page order."""
    children = getattr(node, "children", None)
    if children is None:
        return [node]
    return [leaf for _, child in sorted(children.items()) for leaf in _in_order(child)]


def test_results_come_before_the_examples_and_settings_fold_away(page_env):
    at = _page()
    box = at.text_area(key="question")
    assert "Press Enter to ask" in box.help
    assert [c.value for c in at.caption if c.value in ("Try:", "Other questions to try:")] == ["Try:"]
    at = _ask(at, "What treatments are there for dystonia?\nAnd for the neck?")
    order = [getattr(node, "value", None) for node in _in_order(at.main)]
    first_card = next(i for i, v in enumerate(order) if isinstance(v, str) and 'class="kb-card"' in v)
    examples = order.index("Other questions to try:")
    assert first_card < examples, "on a phone the first passage must not sit below the examples"
    settings = next(e for e in at.expander if e.label == "Search settings")
    assert settings.slider and settings.multiselect, "passages, mode and filters fold away above the results"


def test_titles_and_headings_read_as_written_and_sources_open(page_env):
    corpus, kb = page_env
    at = _ask(_page(), "dopa-responsive dystonia GTP cyclohydrolase")
    cards = _cards(at)
    heads = [card.split('<div class="kb-text">')[0] for card in cards]  # title and citation line; the text is exact
    assert heads and not any("(are)" in head or " ?" in head for head in heads)
    assert any(
        "What is dopa-responsive dystonia?" in head or "What is Dopa-responsive dystonia?" in head for head in heads
    )
    ghr = next(c for c in cards if "ghr.nlm.nih.gov" in c)
    assert 'class="kb-head"><span class="kb-rank">' in ghr and re.search(r"</span>[A-Z]", ghr), "capitalised title"
    assert "Genetics Home Reference (NIH)" in ghr and "medquad · GHR" not in ghr
    citation = next(c.value for c in at.code if "ghr.nlm.nih.gov" in c.value)
    assert "(are)" not in citation.splitlines()[0]
    at.multiselect(key="collections").set_value(["founding"]).run()
    at = _ask(at, "basal ganglia abnormality brain dystonia")
    local = next(c for c in _cards(at) if "founding/what_are_dystonias.txt" in c)
    assert 'href="/kb-source/founding/what_are_dystonias.txt"' in local
    # its publisher is the one its "Source: …" line names, not the folder it sits in
    assert "National Institutes of Health; National Institute of Neurological Disorders and Stroke" in local
    assert " · founding</div>" not in local
    at = _ask(at, "Duke University researchers dystonia treatment news")
    news = next(c for c in _cards(at) if "founding/dystonia_treatment_news.txt" in c)
    assert "founding/dystonia_treatment_news.txt</a> · founding" not in news, "a folder name is no publisher"


def test_a_pdf_passage_links_to_its_page(page_env):
    corpus, kb = page_env
    _add_to_index(corpus, kb, "papers/sample.pdf", (FIXTURES / "sample.pdf").read_bytes())
    at = _ask(_page(), "clinic São Paulo café botulinum toxin three months")
    card = next(c for c in _cards(at) if "papers/sample.pdf" in c)
    assert 'href="/kb-source/papers/sample.pdf#page=2"' in card and "page 2" in card


def test_read_it_in_the_document_opens_the_reader_at_the_passage(page_env):
    at = _ask(_page(), "basal ganglia abnormality brain dystonia")
    top = _cards(at)[0]
    at.button(key="read-1").click().run()
    assert not at.exception, at.exception
    assert at.session_state["tab"] == "Documents"
    doc_id = at.session_state["reader_doc"]
    assert at.selectbox(key="reader_doc").value == doc_id
    reader = _html(at, "kb-doc")[0]
    marked = re.search(r'<mark class="passage" id="kb-target">(.*?)</mark>', reader, re.S)
    text = re.sub(r"<[^>]+>", "", top.split('<div class="kb-text">')[1])
    assert marked and re.sub(r"<[^>]+>", "", marked.group(1))[:40] == text[:40]
    scripts = [h.value for h in at.get("html") if 'getElementById("kb-target")' in h.value]
    assert len(scripts) == 1  # scrolls the reader to the passage once its tab shows
    # The card's marked sentence is marked in the reader too, inside the passage
    evidence = re.search(r'<mark class="evidence">(.*?)</mark>', top, re.S)
    in_reader = re.search(r'<mark class="passage"[^>]*><mark class="evidence">(.*?)</mark>', reader, re.S)
    assert evidence and in_reader
    assert re.sub(r"<[^>]+>", "", in_reader.group(1))[:30] == re.sub(r"<[^>]+>", "", evidence.group(1))[:30]
    # and the way back leads to the Ask tab, scrolled to the answer the reader was opened from
    at.button(key="back-end").click().run()
    assert not at.exception, at.exception
    assert at.session_state["tab"] == "Ask" and _cards(at)[0] == top
    back = [h.value for h in at.get("html") if 'getElementById("kb-card-1")' in h.value]
    assert len(back) == 1 and 'id="kb-card-1"' in top
    at.run()
    assert not [h for h in at.get("html") if 'getElementById("kb-card-1")' in h.value], "once, not on every rerun"


def test_a_document_chosen_in_the_library_has_no_way_back_to_answers(page_env):
    at = _page()
    at.selectbox(key="reader_doc").set_value("founding/what_are_dystonias.txt").run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.label == "Back to the answers"]


def _long_notes() -> str:
    """A long document with three separate parts about one rare word, between varied filler parts."""
    rng = random.Random(7)
    words = "clinic parking forms waiting room hours desk nurse letter phone lunch bus train coffee paper".split()
    matches = iter(
        (
            "Blepharospasm zqxjv makes the eyelids close.",
            "Our zqxjv group meets about eyelid spasm on Mondays.",
            "A zqxjv diary helps track blepharospasm and the eyelids.",
        )
    )
    parts = [
        next(matches) if n % 6 == 2 else " ".join(rng.choice(words) + str(rng.randrange(999)) for _ in range(120)) + "."
        for n in range(16)
    ]
    return "Long notes\n\n" + "\n\n".join(f"Part {n}\n\n{text}" for n, text in enumerate(parts))


def test_more_from_this_document_lists_its_other_matching_passages(page_env):
    corpus, kb = page_env
    _add_to_index(corpus, kb, "notes/long.txt", _long_notes().encode("utf-8"))
    at = _page()
    at.slider(key="k").set_value(1).run()
    at = _ask(at, "zqxjv blepharospasm eyelids")
    [card] = _cards(at)
    assert "notes/long.txt" in card
    toggle = next(t for t in at.toggle if t.key.startswith("more-notes/long.txt"))
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    more = _html(at, "kb-more")
    assert more and all("zqxjv" in m for m in more), "the document's other matching parts"
    shown = card.split('class="kb-text">')[1]
    assert not any(m.split('class="kb-text">')[1][:80] in shown for m in more), "no passage twice"
    assert any(c.value == f"{len(more)} more from Long notes:" for c in at.caption)


def test_more_from_a_document_whose_matching_passages_are_all_shown_says_so(page_env):
    corpus, kb = page_env
    first, second = (
        " ".join(f"qwvzk twitching note {n} on the eyelid clinic visit" for n in range(a, a + 30)) for a in (0, 50)
    )
    _add_to_index(corpus, kb, "notes/two.txt", f"Two notes\n\nFirst\n\n{first}\n\nSecond\n\n{second}".encode())
    at = _ask(_page(), "qwvzk")
    cards = [c for c in _cards(at) if "notes/two.txt" in c]
    assert len(cards) == 2, "both of its passages are answers"
    next(t for t in at.toggle if t.key.startswith("more-notes/two.txt")).set_value(True).run()
    assert not at.exception, at.exception
    assert not _html(at, "kb-more")
    said = "This document's passages that match the question are all among the answers (2)."
    assert any(c.value == said for c in at.caption)


def test_a_document_removed_while_open_in_the_reader_is_said_to_be_gone(page_env):
    from index.embedder import HashEmbedder
    from index.update import update_index

    corpus, kb = page_env
    _add_to_index(corpus, kb, "uploads/removed.txt", b"Cooling vests\n\nA cooling vest may ease symptoms.\n")
    at = _page()
    at.selectbox(key="reader_doc").set_value("uploads/removed.txt").run()
    (corpus / "uploads" / "removed.txt").unlink()  # a curator removes it in another session
    update_index(corpus, kb, HashEmbedder())
    at.run()
    assert not at.exception, at.exception
    assert any("`uploads/removed.txt` is no longer in the knowledge base" in w.value for w in at.warning)
    assert at.selectbox(key="reader_doc").value is None


def test_filter_by_collection(page_env):
    at = _page()
    assert at.multiselect(key="collections").options == ["founding", "medquad"]
    at.multiselect(key="collections").set_value(["founding"]).run()
    at = _ask(at, "What treatments are there for dystonia?")
    cards = _cards(at)
    assert cards and all("founding" in card and "medquad" not in card for card in cards)


def test_collection_and_document_filters_intersect(page_env):
    at = _page()
    at.multiselect(key="collections").set_value(["medquad"]).run()
    options = at.multiselect(key="docs").options
    assert options and all("medquad/" in o for o in options), "only documents of the chosen collections"
    one = "medquad/3_GHR_QA__0000299.xml"
    at.multiselect(key="docs").set_value([one]).run()
    at = _ask(at, "What treatments are there for dystonia?")
    cards = _cards(at)
    assert cards and all("https://ghr.nlm.nih.gov/condition/dopa-responsive-dystonia" in card for card in cards)


# --- Documents ------------------------------------------------------------------------


def test_library_lists_documents_and_opens_one(page_env):
    at = _page()
    table = _html(at, "kb-table-wrap")[0]
    assert table.count("<tr>") == 35  # the header and 34 documents
    assert [m.value for m in at.metric][0] == "34"
    assert "medquad · GARD" in table and "medquad · GHR" in table and "MedQuAD GARD" not in table
    assert ">Dopa-responsive dystonia<" in table and ">dopa-responsive dystonia<" not in table
    assert 'href="/kb-source/founding/what_are_dystonias.txt"' in table
    at.selectbox(key="reader_doc").set_value("founding/what_are_dystonias.txt").run()
    full = _html(at, "kb-doc")[0]
    assert "What are Dystonias?" in full and "1 East Wacker Drive" in full
    assert '<span class="kb-heading" role="heading" aria-level="4">Is there any treatment?</span>' in full


def test_library_can_be_searched_and_sorted(page_env):
    at = _page()
    at.text_input(key="library_find").input("ghr").run()
    table = _html(at, "kb-table-wrap")[0]
    assert table.count("<tr>") == 10 and "GARD" not in table
    assert any(c.value == "9 of 34 documents" for c in at.caption)
    at.text_input(key="library_find").input("").run()
    at.selectbox(key="library_sort").set_value("Title").run()
    titles = re.findall(r'<td class="kb-title" data-label="Title">(.*?)</td>', _html(at, "kb-table-wrap")[0])
    assert titles == sorted(titles, key=str.lower) and len(titles) == 34
    at.selectbox(key="library_sort").set_value("Collection, then title").run()
    table = _html(at, "kb-table-wrap")[0]
    assert table.index("founding/") < table.index("medquad/")


def test_reader_shows_pdf_pages(page_env):
    corpus, kb = page_env
    _add_to_index(corpus, kb, "papers/sample.pdf", (FIXTURES / "sample.pdf").read_bytes())
    at = _page()
    at.selectbox(key="reader_doc").set_value("papers/sample.pdf").run()
    full = _html(at, "kb-doc")[0]
    assert full.count('<span class="kb-page" role="separator">Page ') == 2
    assert any("2 pages" in c.value for c in at.caption)


# --- Curating -------------------------------------------------------------------------


def test_curator_tools_are_closed_without_a_password(page_env):
    at = _page()
    assert len(at.get("file_uploader")) == 0
    assert not [b for b in at.button if b.label in ("Reindex now", "Save and reindex", "Sign in")]
    assert any("KB_ADMIN_PASSWORD" in i.value for i in at.info)


def _try_password(at: AppTest, password: str) -> AppTest:
    at.text_input(key="password").input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception, at.exception
    return at


def test_a_curator_signs_out(page_env, monkeypatch):
    at = _sign_in(monkeypatch)
    at.button(key="sign-out").click().run()
    assert not at.exception, at.exception
    assert len(at.get("file_uploader")) == 0
    assert [b for b in at.button if b.label == "Sign in"], "the password is asked for again"


def test_wrong_password_keeps_the_gate_closed(page_env, monkeypatch):
    monkeypatch.setenv("KB_ADMIN_PASSWORD", PASSWORD)
    at = _try_password(_page(), "wrong")
    assert any("Wrong password" in e.value for e in at.error)
    assert len(at.get("file_uploader")) == 0
    assert next(b for b in at.button if b.label == "Sign in").form_id, "the password box is a form: Enter signs in"


def test_repeated_wrong_passwords_slow_the_gate_down(page_env, monkeypatch):
    monkeypatch.setenv("KB_ADMIN_PASSWORD", PASSWORD)
    at = _page()
    waits, messages = [], []
    for _ in range(5):
        at.session_state["sign_in_opens_at"] = 0.0  # the test does not sit out each delay
        at = _try_password(at, "wrong")
        message = next(e.value for e in at.error if "Wrong password" in e.value)
        messages.append(message)
        found = re.search(r"wait (\d+) s", message)
        waits.append(int(found.group(1)) if found else 0)
    assert waits == [0, 0, 2, 4, 8], "a growing delay after the third wrong try"
    assert "2 more tries at once;" in messages[0] and "1 more try at once;" in messages[1], messages[:2]
    assert at.session_state["sign_in_failures"] == 5
    at = _try_password(at, PASSWORD)  # even the right password waits its turn
    assert any("Too many wrong passwords" in e.value for e in at.error)
    assert len(at.get("file_uploader")) == 0
    at.session_state["sign_in_opens_at"] = time.time() - 1
    at = _try_password(at, PASSWORD)
    assert len(at.get("file_uploader")) == 1 and "sign_in_failures" not in at.session_state


def _sign_in(monkeypatch) -> AppTest:
    monkeypatch.setenv("KB_ADMIN_PASSWORD", PASSWORD)
    at = _try_password(_page(), PASSWORD)
    assert len(at.get("file_uploader")) == 1
    return at


def _report(at: AppTest):
    details = next(e for e in at.expander if e.label.startswith("Details:"))
    return details.dataframe[0].value


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
    report = _report(at)
    assert list(report["document"]) == ["uploads/Trial notes.docx"] and list(report["status"]) == ["added"]
    remove = next(s for s in at.selectbox if s.label == "Document to remove")
    assert remove.options[0].endswith("(uploads/Trial notes.docx)"), "the newest document comes first"
    at = _ask(at, "Is there dystonia care in São Paulo?")
    card = next(c for c in _cards(at) if "uploads/Trial notes.docx" in c)
    assert 'href="/kb-source/uploads/Trial%20notes.docx"' in card


def test_a_file_ready_to_add_is_not_lost_to_reindex_now(page_env, monkeypatch):
    """Reindexing empties the upload box: while a file is ready but unsaved, only Save and reindex runs."""
    corpus, _ = page_env
    at = _sign_in(monkeypatch)
    assert not at.button(key="build-curate").disabled
    tricks = ("tricks.txt", b"Sensory tricks\n\nTouching the chin helps.\n", "text/plain")
    at.get("file_uploader")[0].set_value(tricks).run()
    assert at.button(key="build-curate").disabled
    assert any("1 file is ready under Add documents but not saved yet" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Save and reindex").click().run()
    assert (corpus / "uploads" / "tricks.txt").is_file()
    assert not at.button(key="build-curate").disabled


def test_upload_with_wrong_content_is_refused(page_env, monkeypatch):
    corpus, _ = page_env
    at = _sign_in(monkeypatch)
    at.get("file_uploader")[0].set_value(("report.pdf", b"this is not a pdf", "application/pdf")).run()
    assert any("not a valid .pdf" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Save and reindex"]
    assert not (corpus / "uploads").exists()


def test_upload_rejections_are_in_the_reindex_report(page_env, monkeypatch):
    corpus, _ = page_env
    at = _sign_in(monkeypatch)
    at.get("file_uploader")[0].set_value(
        [
            ("good notes.txt", b"Good notes\n\nDystonia notes that are fine.\n", "text/plain"),
            ("report.pdf", b"this is not a pdf", "application/pdf"),
        ]
    ).run()
    next(b for b in at.button if b.label == "Save and reindex").click().run()
    assert not at.exception, at.exception
    assert any("Index updated: 35 documents" in s.value for s in at.success)
    warning = next(w.value for w in at.warning if "1 file could not be added" in w.value)
    assert "- report\\.pdf: the content is not a valid \\.pdf file" in warning, warning
    report = _report(at)
    rows = dict(zip(report["document"], report["status"]))
    assert rows == {"report.pdf": "rejected", "uploads/good notes.txt": "added"}
    reason = report["reason"][list(report["document"]).index("report.pdf")]
    assert "not a valid .pdf" in reason
    log = (page_env[1] / "last-reindex.txt").read_text(encoding="utf-8").splitlines()
    assert log[1] == "rejected   report.pdf  the content is not a valid .pdf file (at upload)", log
    assert any(line.startswith("added") and "good notes.txt" in line for line in log)


def test_replacing_a_document_needs_confirmation(page_env, monkeypatch):
    corpus, _ = page_env
    (corpus / "uploads").mkdir()
    (corpus / "uploads" / "notes.txt").write_text("Old notes\n\nOld text.\n", encoding="utf-8")
    at = _sign_in(monkeypatch)
    at.get("file_uploader")[0].set_value(("notes.txt", b"New notes\n\nNew text.\n", "text/plain")).run()
    assert any("already exists" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label == "Save and reindex"]
    at.checkbox(key="replace-notes.txt").check().run()
    next(b for b in at.button if b.label == "Save and reindex").click().run()
    assert (corpus / "uploads" / "notes.txt").read_text(encoding="utf-8") == "New notes\n\nNew text.\n"


def test_a_curator_can_remove_a_document_after_confirming(page_env, monkeypatch):
    corpus, _ = page_env
    gone = "founding/dystonia_treatment_news.txt"
    at = _sign_in(monkeypatch)
    at.selectbox(key="remove-0").set_value(gone).run()
    assert at.button(key="remove-go-0").disabled, "nothing is deleted before the box is ticked"
    assert (corpus / gone).exists()
    at.checkbox(key="remove-sure-0").check().run()
    at.button(key="remove-go-0").click().run()
    assert not at.exception, at.exception
    assert not (corpus / gone).exists()
    assert any("Index updated: 33 documents" in s.value for s in at.success)
    report = _report(at)
    assert list(report["document"]) == [gone] and list(report["status"]) == ["removed"]
    assert gone not in _html(at, "kb-table-wrap")[0]
    assert at.selectbox(key="remove-1").value is None  # a fresh chooser


def test_a_busy_index_waits_and_speaks_to_the_reader(page_env, monkeypatch):
    from index.lock import writer_lock

    _, kb = page_env
    monkeypatch.setenv("KB_BUSY_RETRY_SECONDS", "0.2")
    at = _sign_in(monkeypatch)
    with writer_lock(kb):
        at.button(key="build-curate").click().run()
    assert not at.exception, at.exception
    messages = [w.value for w in at.warning]
    assert "Another update of the index is still running; try again in a moment." in messages
    assert not any("--wait" in m or "pid" in m for m in messages + [e.value for e in at.error])


def test_a_busy_index_is_retried_automatically(page_env, monkeypatch):
    from index.lock import writer_lock

    _, kb = page_env
    monkeypatch.setenv("KB_BUSY_RETRY_SECONDS", "30")
    at = _sign_in(monkeypatch)
    held, release = threading.Event(), threading.Event()

    def hold():
        with writer_lock(kb):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    threading.Timer(0.5, release.set).start()
    at.button(key="build-curate").click().run()
    holder.join()
    assert not at.exception, at.exception
    assert any("Index updated: 34 documents" in s.value for s in at.success)


def test_document_text_with_markup_is_shown_as_text(page_env, monkeypatch):
    corpus, kb = page_env
    _add_to_index(corpus, kb, "hostile.txt", HOSTILE.encode("utf-8"))
    at = _ask(_page(), "zqxjv blepharospasm eyelids")
    card = next(c for c in _cards(at) if "Hostile page" in c)
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card
    assert "<script" not in card and "<img" not in card and "<strong>" not in card
    # Markdown markup is not shown to a reader (display only), and a link's target never becomes one
    assert "bold" in card and "**" not in card and "a link" in card and "javascript:" not in card
    at.selectbox(key="reader_doc").set_value("hostile.txt").run()
    full = _html(at, "kb-doc")[0]
    assert "&lt;script&gt;" in full and "<script" not in full
    scripted = [h for h in at.get("html") if h.proto.unsafe_allow_javascript]
    assert scripted and not any("zqxjv" in h.value or "Hostile" in h.value for h in scripted)


def test_a_question_cut_to_the_length_limit_says_so_above_its_passages(page_env):
    at = _ask(_page(), "botulinum toxin for cervical dystonia in the neck " * 40)
    assert _cards(at)
    assert any(i.value.startswith("Only the first 1,000 characters of the question were searched") for i in at.info)


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


def test_a_reindex_stopped_by_a_closed_tab_is_logged_and_shown_next_time(page_env, monkeypatch):
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from index.embedder import HashEmbedder

    corpus, kb = page_env
    (corpus / "founding" / "new-note.txt").write_text("A new note about cervical dystonia.\n\nNeck pain.\n", "utf-8")

    def closed_tab(self, texts, on_batch=None):
        raise StopException()  # what Streamlit raises in the script when the browser tab goes away

    monkeypatch.setattr(HashEmbedder, "embed", closed_tab)
    at = _sign_in(monkeypatch)
    next(b for b in at.button if b.label == "Reindex now").click().run()
    log = (kb / "last-reindex.txt").read_text(encoding="utf-8")
    assert "interrupted" in log and "previous one" in log
    at = _sign_in(monkeypatch)
    shown = next(e for e in at.expander if e.label == "The last reindex")
    assert "interrupted" in shown.text[0].value
