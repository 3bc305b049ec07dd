"""The dystonia knowledge base page: ask a question, read cited passages, browse documents, curate.

Thin by design: it lays out widgets and calls `index` (and `ingest.uploads` for curators); retrieval
logic lives there, and the HTML and CSS live in `page_markup.py`, which escapes all document text.
Run with `make run` (or `streamlit run app.py`); KB_INDEX_DIR and KB_CORPUS_DIR choose the folders.

`streamlit run app.py` finds the `st.App` at the bottom of this file, starts loading the model in
the background (its lifespan hook), and serves the page with one extra route,
`/kb-source/<document id>`, which sends the original corpus files that citations link to (only
document files inside the corpus folder: `index.display.corpus_file`). The page itself is this
same file, run by Streamlit as `__main__` for every session.
"""

from __future__ import annotations

import contextlib
import hmac
import math
import os
import re
import sqlite3
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from index.citations import citation_text, context_window
from index.config import corpus_dir, index_dir
from index.display import (
    SOURCE_ROUTE,
    collection_label,
    corpus_file,
    display_title,
    source_headers,
)
from index.errors import IndexBusyError, IndexWriteError, KnowledgeBaseError, NoIndexError, write_failure
from index.model_process import shared_embedder, start_warming, wait_until_warm, warm, warming_problem
from index.search import MODES, NO_ANSWER, Searcher
from page_markup import (
    ENTER_SCRIPT,
    STYLE,
    LibraryRow,
    context_html,
    document_html,
    document_meta_html,
    library_html,
    more_passage_html,
    passage_card_html,
    scroll_script,
)

EXAMPLES = (
    "Does stress make dystonia worse?",
    "Which gene causes myoclonus-dystonia?",
    "Which part of the brain is involved in dystonia?",
    "How is dopa-responsive dystonia treated?",
)
TABS = ("Ask", "Documents", "Curate")
MODEL_LOADING = (
    "Loading the language model… Type your question meanwhile: keyword matches show at once, "
    "and the full answer as soon as the model is ready."
)
KEYWORD_FOR_NOW = (
    "Keyword matches for now: the language model is still loading. "
    "They are replaced by the full answer by themselves in a few seconds."
)
# Passages asked for when showing "more from this document": few, because a search merges the
# neighbouring chunks it finds, and with many of one document's chunks that is the whole document.
MORE_FROM_DOCUMENT = 3
FREE_SIGN_IN_TRIES = 3  # wrong passwords before the gate starts to slow down
MAX_SIGN_IN_DELAY = 300  # seconds
QUESTION_LABEL = "Your question"
EMPTY_QUESTION = "Type a question in the box first, for example: Does stress make dystonia worse?"
QUESTION_ANCHOR = "kb-ask"  # the question box's place on the page, for "Ask another question"
LIBRARY_SORTS = ("Collection, then title", "Title", "Most passages", "Recently indexed")


def get_embedder(kind: str):
    """The embedding model of this kind ($KB_EMBEDDER): one per server process, shared by every session.

    It starts loading in the background when the server starts (`load_model_at_start`), or at the
    latest when a page first opens, so a reader types while it loads.
    """
    return shared_embedder(kind)


@contextlib.asynccontextmanager
async def load_model_at_start(_app):
    """The server's lifespan: begin loading the model before anyone opens the page."""
    start_warming(embedder_kind())
    yield None


@st.fragment(run_every=1.0)
def model_loading_note(kind: str) -> None:
    """Says the model is loading and looks again every second; once it is done, the page reruns without it."""
    if warm(kind) or warming_problem(kind):
        st.rerun(scope="app")
    st.info(MODEL_LOADING, icon="⏳")


def embedder_kind() -> str:
    """Which embedder the page uses: $KB_EMBEDDER, else the real model."""
    return os.environ.get("KB_EMBEDDER", "minilm")


@st.cache_resource(show_spinner=False)
def get_searcher(kb: str, kind: str) -> Searcher:
    """One searcher per index folder and embedder, shared by every session; it follows reindexes itself."""
    return Searcher(Path(kb), get_embedder(kind))


@st.cache_data(show_spinner=False, max_entries=256)
def run_search(kb: str, kind: str, generation: str, question: str, k: int, mode: str, collections: tuple, docs: tuple):
    """Cached per index generation, so a reindex never serves stale results."""
    return get_searcher(kb, kind).search(question, k=k, mode=mode, collections=list(collections), doc_ids=list(docs))


def admin_password() -> str:
    """The curator password from KB_ADMIN_PASSWORD or Streamlit secrets ('' when none is set)."""
    password = os.environ.get("KB_ADMIN_PASSWORD", "")
    if not password:
        try:
            password = str(st.secrets.get("admin_password", ""))
        except Exception:  # no secrets file at all
            password = ""
    return password


def is_curator() -> bool:
    return bool(st.session_state.get("curator")) and bool(admin_password())


def busy_retry_seconds() -> float:
    """How long a reindex waits for another update to finish ($KB_BUSY_RETRY_SECONDS, default 60)."""
    try:
        return max(0.0, float(os.environ.get("KB_BUSY_RETRY_SECONDS", "60")))
    except ValueError:
        return 60.0


def main() -> None:
    st.set_page_config(page_title="Dystonia knowledge base", page_icon="🧠", layout="centered")
    st.html(STYLE)
    st.html(ENTER_SCRIPT, unsafe_allow_javascript=True)
    st.title("Dystonia knowledge base")
    st.caption("Plain-language questions, answered with passages from trusted documents — each with its source.")
    st.info("This is health information, not medical advice. Talk to your doctor about your own care.", icon="ℹ️")
    kb = index_dir()
    searcher = get_searcher(str(kb), embedder_kind())
    problem = ""  # why an index that exists cannot be used (damaged), in the library's words (no paths)
    try:
        snapshot = searcher.snapshot()
    except NoIndexError:
        snapshot = None
    except KnowledgeBaseError as error:
        snapshot, problem = None, str(error)
    ask, documents, curate = st.tabs(TABS, key="tab", on_change="rerun")
    status = None
    with ask:
        # Damage the bounded checks at opening miss surfaces when a query reads it: one message, no traceback.
        try:
            status = ask_tab(searcher, snapshot, problem)
        except KnowledgeBaseError as error:
            unusable_index_message(str(error), "ask-read")
    with documents:
        try:
            documents_tab(snapshot, problem)
        except KnowledgeBaseError as error:
            st.error(f"The index cannot be used: {error}")
    with curate:
        try:
            curate_tab(kb, snapshot)
        except KnowledgeBaseError as error:
            st.error(f"The index cannot be used: {error}")
    kind = embedder_kind()
    if status is not None and not warm(kind):
        # Normally loading since the server started; this starts it when nothing did (AppTest, a bare server).
        start_warming(kind)
        with status.container():
            if warming_problem(kind):
                st.error(
                    f"The language model could not be loaded: {warming_problem(kind)}. Keyword search still works."
                )
            else:
                model_loading_note(kind)


def no_index_message(where: str) -> None:
    st.warning("There is no index yet, so there is nothing to search.")
    if is_curator():
        st.caption("Build it now from the documents folder:")
        if st.button("Build the index", type="primary", key=f"build-{where}"):
            reindex(index_dir())
    else:
        st.caption("Run `make run` (or `python -m ingest`) to build it, or sign in on the Curate tab.")


def unusable_index_message(problem: str, where: str) -> None:
    """An index exists but cannot be used (damaged): say why and how to fix it, in one message."""
    st.error(f"The index cannot be used: {problem}")
    if is_curator():
        st.caption("Rebuild it now from the documents folder:")
        if st.button("Rebuild the index", type="primary", key=f"rebuild-{where}"):
            reindex(index_dir())
    else:
        st.caption("A curator can rebuild it on the Curate tab, or run `python -m index build --full`.")


def ask_tab(searcher: Searcher, snapshot, problem: str = "") -> Any:
    """The question box, the search settings, the passages, then example questions.

    Returns the placeholder under the question box where the model's loading state shows.
    """
    if snapshot is None:
        if problem:
            unusable_index_message(problem, "ask")
        else:
            no_index_message("ask")
        return None
    if searcher.reload_error:
        st.warning(f"Showing the previous index version: {searcher.reload_error}")
    st.html(f'<div id="{QUESTION_ANCHOR}"></div>')
    st.text_area(
        QUESTION_LABEL,
        key="question",
        height="content",
        placeholder="e.g. Does stress make dystonia worse? Press Enter to ask.",
        help="Press Enter to ask. Shift+Enter starts a new line.",
    )
    # A visible button as well as Enter: a phone's keyboard may have no Enter key that asks. Leaving
    # the box hands its text to the page, so the button itself only has to rerun it.
    asked = st.button("Ask", key="ask", type="primary", icon=":material/search:")
    if asked and not (st.session_state.get("question") or "").strip():
        st.info(EMPTY_QUESTION, icon=":material/edit:")
    status = st.empty()
    documents = snapshot.documents()
    titles = {d.doc_id: display_title(d.title) for d in documents}
    with st.expander("Search settings"):
        k = st.slider("Number of passages", 1, 10, 5, key="k")
        mode = st.radio(
            "Search mode",
            MODES,
            horizontal=True,
            key="mode",
            help="hybrid: meaning and exact words; dense: meaning only; keyword: exact words (BM25)",
        )
        collections = st.multiselect("Only these collections", snapshot.collections(), key="collections")
        choices = [d.doc_id for d in documents if not collections or d.collection in collections]
        docs = st.multiselect(
            "Only these documents",
            choices,
            key="docs",
            format_func=lambda d: f"{titles.get(d, d)} ({d})",
            help="With collections chosen as well, a passage must be in both.",
        )
    question = (st.session_state.get("question") or "").strip()
    if question:
        search = {"question": question, "k": k, "mode": mode, "collections": tuple(collections), "docs": tuple(docs)}
        show_results(searcher, snapshot, search, titles, status)
        st.button("Ask another question", key="again", icon=":material/arrow_upward:", on_click=_ask_again)
        if st.session_state.pop("jump_to_question", False):  # once, right after the click
            jump = st.session_state.get("ask_again", 0)
            st.html(
                scroll_script(QUESTION_ANCHOR, jump, block="start", focus_box=QUESTION_LABEL),
                unsafe_allow_javascript=True,
            )
        st.divider()
    st.caption("Other questions to try:" if question else "Try:")
    columns = st.columns(2)
    for i, example in enumerate(EXAMPLES):
        columns[i % 2].button(example, key=f"example-{i}", on_click=_set_question, args=(example,), width="stretch")
    return status


def _search(searcher: Searcher, snapshot, search: dict[str, Any], **changes: Any):
    args = {**search, **changes}
    return run_search(
        str(searcher.kb_dir),
        embedder_kind(),
        snapshot.name,
        args["question"],
        args["k"],
        args["mode"],
        args["collections"],
        args["docs"],
    )


def show_results(searcher: Searcher, snapshot, search: dict[str, Any], titles: dict[str, str], status) -> None:
    kind = embedder_kind()
    for_now = False
    try:
        result = None
        if search["mode"] != "keyword" and not warm(kind):
            # While the model loads, keyword matches answer at once; the loading note's rerun replaces them.
            result = _keyword_for_now(searcher, snapshot, search, kind)
            if result is None:
                with status.container(), st.spinner("Loading the language model (a few seconds, once)…"):
                    wait_until_warm(kind)
            else:
                for_now = True
        if result is None:
            with st.spinner("Searching the documents…"):
                result = _search(searcher, snapshot, search)
    except KnowledgeBaseError as error:
        st.error(str(error))
        return
    if result.abstained:
        st.warning(result.message or NO_ANSWER)
        st.caption("Try other words, or ask about dystonia: its symptoms, causes, genes, diagnosis or treatment.")
        return
    st.subheader(f"{len(result.passages)} passage{'s' if len(result.passages) != 1 else ''}", anchor="kb-results")
    # On a phone the passages start below the screen: bring them up, once per new search. The notes
    # come under the heading, so the scroll never hides "No passage is about …" above the screen.
    nonce = zlib.crc32(repr(sorted(search.items())).encode("utf-8"))
    st.html(scroll_script("kb-results", nonce, block="start", only_below_fold=True), unsafe_allow_javascript=True)
    if for_now:
        st.info(KEYWORD_FOR_NOW, icon="⏳")
    if result.message:  # said even with passages: "Only the first 1,000 characters … were searched"
        st.info(result.message)
    note = getattr(result, "note", "")
    if note:
        st.info(note)
    for passage in result.passages:
        show_passage(passage, result, searcher, snapshot, search, titles)


def _keyword_for_now(searcher: Searcher, snapshot, search: dict[str, Any], kind: str):
    """Keyword passages to show while the model loads, or None: when the load failed (the search
    then says so) or when keyword search finds nothing (the reader waits for the model instead)."""
    if warming_problem(kind):
        return None
    result = _search(searcher, snapshot, search, mode="keyword")
    return None if result.abstained or not result.passages else result


def _set_question(text: str) -> None:
    st.session_state["question"] = text


def _ask_again() -> None:
    """Back up to the question box (after the passages on a phone), the last question kept and selected:
    typing replaces it, a tap edits it."""
    st.session_state["ask_again"] = st.session_state.get("ask_again", 0) + 1
    st.session_state["jump_to_question"] = True


def _open_in_reader(doc_id: str, start: int, end: int, rank: int = 0, evidence: tuple | None = None) -> None:
    """Switch to the Documents tab with this document open, scrolled to the passage (answer `rank`),
    its evidence (document offsets) marked."""
    st.session_state["tab"] = "Documents"
    st.session_state["reader_doc"] = doc_id
    st.session_state["reader_span"] = (doc_id, start, end, evidence)
    st.session_state["reader_from"] = rank
    st.session_state["reader_jump"] = st.session_state.get("reader_jump", 0) + 1


def _back_to_answers() -> None:
    """Back to the Ask tab, scrolled to the answer the reader was opened from."""
    st.session_state["tab"] = "Ask"
    st.session_state["back_to"] = st.session_state.get("reader_from", 0)
    st.session_state["back_jump"] = st.session_state.get("back_jump", 0) + 1


def show_passage(p, result, searcher: Searcher, snapshot, search: dict[str, Any], titles: dict[str, str]) -> None:
    with st.container(border=True):
        st.html(passage_card_html(p, result.terms, titles))
        read, more = st.columns(2)
        read.button(
            "Read it in the document",
            key=f"read-{p.rank}",
            icon=":material/menu_book:",
            on_click=_open_in_reader,
            args=(p.doc_id, p.char_start, p.char_end, p.rank, p.evidence_span),
            help="Open the whole document on the Documents tab, at this passage",
        )
        if more.toggle("More from this document", key=f"more-{p.doc_id}-{p.char_start}"):
            show_more(p, result, searcher, snapshot, search)
        # Keyed by the question too: a panel opened for one question is closed for the next one.
        card = f"{zlib.crc32(result.question.encode())}-{p.doc_id}-{p.char_start}"
        with st.expander("Show in context", key=f"context-{card}"):
            st.html(context_html(context_window(snapshot, p), p.highlight))
        with st.expander("Copy citation", key=f"cite-{card}"):
            st.code(citation_text(p), language=None, wrap_lines=True)
    if st.session_state.get("back_to") == p.rank:  # back from the reader: once, to this answer
        st.session_state.pop("back_to")
        jump = st.session_state.get("back_jump", 0)
        st.html(scroll_script(f"kb-card-{p.rank}", jump, block="start"), unsafe_allow_javascript=True)


def show_more(p, result, searcher: Searcher, snapshot, search: dict[str, Any]) -> None:
    """The document's other passages that match the question (those not already shown)."""
    shown = [(q.char_start, q.char_end) for q in result.passages if q.doc_id == p.doc_id]
    try:
        more = _search(searcher, snapshot, search, k=MORE_FROM_DOCUMENT, collections=(), docs=(p.doc_id,))
    except KnowledgeBaseError as error:
        st.error(str(error))
        return
    others = [q for q in more.passages if not any(q.char_start < b and a < q.char_end for a, b in shown)]
    if not others:
        if len(shown) > 1:
            st.caption(f"This document's passages that match the question are all among the answers ({len(shown)}).")
        else:
            st.caption("No other passage of this document matches the question.")
        return
    st.caption(f"{len(others)} more from {display_title(p.title)}:")
    for other in others:
        st.html(more_passage_html(other, more.terms))


def library_rows(documents, find: str, sort: str) -> list[LibraryRow]:
    """The library table's rows: filtered by words of title, collection or id, in the chosen order."""
    rows = [
        LibraryRow(
            doc_id=d.doc_id,
            title=display_title(d.title),
            collection=collection_label(d.collection, d.doc_id, d.source),
            chunks=d.chunks,
            indexed=d.indexed_at[:10],
            source=d.source,
        )
        for d in documents
    ]
    words = find.lower().split()
    if words:
        rows = [r for r in rows if all(w in f"{r.title} {r.collection} {r.doc_id}".lower() for w in words)]
    if sort == "Title":
        rows.sort(key=lambda r: (r.title.lower(), r.doc_id))
    elif sort == "Most passages":
        rows.sort(key=lambda r: (-r.chunks, r.title.lower()))
    elif sort == "Recently indexed":
        by_time = {d.doc_id: d.indexed_at for d in documents}
        rows.sort(key=lambda r: (by_time[r.doc_id], r.title.lower()), reverse=True)
    else:
        rows.sort(key=lambda r: (r.collection.lower(), r.title.lower(), r.doc_id))
    return rows


def documents_tab(snapshot, problem: str = "") -> None:
    if snapshot is None:
        if problem:
            st.warning("The index cannot be used, so there are no documents to list (see the Ask tab).")
        else:
            st.warning("There is no index yet, so there are no documents to list.")
        return
    manifest = snapshot.manifest
    a, b, c = st.columns(3)
    a.metric("Documents", manifest.documents)
    b.metric("Passages (chunks)", manifest.chunks)
    built = manifest.built_at.replace("T", " ").replace("+00:00", "")
    c.metric("Index built", built[:10], help=f"{built} UTC")
    st.caption(
        f"Built {built} UTC · model {manifest.model} ({manifest.dimension} dimensions) · exact search · "
        f"index version {snapshot.name}"
    )
    documents = snapshot.documents()
    find_column, sort_column = st.columns([3, 2])
    find = find_column.text_input(
        "Find a document", key="library_find", placeholder="words of a title, collection or id"
    )
    sort = sort_column.selectbox("Sort by", LIBRARY_SORTS, key="library_sort")
    rows = library_rows(documents, find, sort)
    st.caption(f"{len(rows)} of {len(documents)} documents")
    st.html(library_html(rows))
    titles = {d.doc_id: f"{display_title(d.title)} ({d.doc_id})" for d in documents}
    if st.session_state.get("reader_doc") not in (None, *titles):
        gone = st.session_state.pop("reader_doc")  # removed by a reindex (an answer's link may still name it)
        st.warning(
            f"`{gone}` is no longer in the knowledge base: a curator removed it. "
            "Ask the question again for answers from the current documents."
        )
    chosen = st.selectbox(
        "Read a document",
        list(titles),
        index=None,
        key="reader_doc",
        format_func=lambda d: str(titles.get(d, d)),
        placeholder="Choose a document to read its full text",
    )
    if not chosen:
        return
    doc = snapshot.document(chosen)
    if doc is None:
        st.warning("This document is no longer in the index.")
        return
    span = st.session_state.get("reader_span")
    passage = (span[1], span[2]) if span and span[0] == chosen else None
    evidence = span[3] if span and passage else None
    st.html(document_meta_html(doc.source, doc.doc_id, doc.collection, doc.format))
    if doc.pages:
        st.caption(f"{len(doc.pages)} page{'s' if len(doc.pages) != 1 else ''}; each page starts at a “Page N” line.")
    if passage:  # opened from an answer: a way back to it, above the text and (long on a phone) below it
        st.button("Back to the answers", key="back-top", icon=":material/arrow_back:", on_click=_back_to_answers)
    st.html(document_html(doc.text, doc.sections, doc.pages, passage, evidence))
    if passage:
        st.button("Back to the answers", key="back-end", icon=":material/arrow_back:", on_click=_back_to_answers)
        st.html(scroll_script("kb-target", st.session_state.get("reader_jump", 0)), unsafe_allow_javascript=True)


def curate_tab(kb: Path, snapshot) -> None:
    password = admin_password()
    if not password:
        st.info(
            "Adding documents and reindexing are for curators. To turn them on, start the page with "
            "`KB_ADMIN_PASSWORD=…` set (or `admin_password` in `.streamlit/secrets.toml`), then sign in here."
        )
        return
    if not is_curator():
        sign_in_form(password)
        return
    st.button("Sign out", key="sign-out", icon=":material/logout:", on_click=_sign_out)
    slot = st.container()  # a reindex shows its progress here, at the top of the tab
    if "report" in st.session_state:
        show_report(st.session_state["report"], st.session_state.get("rejected", []))
    elif (kb / LAST_REINDEX).is_file():
        with st.expander("The last reindex", expanded=False):
            st.text((kb / LAST_REINDEX).read_text(encoding="utf-8", errors="replace"))
    pending = upload_section(kb, slot)
    st.divider()
    remove_section(snapshot, kb, slot)
    st.divider()
    st.caption(f"Documents folder: {corpus_dir()} · index: {kb}")
    if pending:  # reindexing now would empty the upload box and leave the file unsaved
        files = "1 file is" if pending == 1 else f"{pending} files are"
        st.caption(f"{files} ready under Add documents but not saved yet: press **Save and reindex** to add them.")
    label = "Reindex now" if snapshot else "Build the index"
    if st.button(label, key="build-curate", disabled=bool(pending)):
        reindex(kb, slot)


def _sign_out() -> None:
    """End this session's curator rights (a shared computer); the password is asked for again."""
    st.session_state.pop("curator", None)


def sign_in_delay(failures: int) -> int:
    """Seconds the gate stays shut after this many wrong passwords in a row: 0, 0, 2, 4, 8, … 300."""
    if failures < FREE_SIGN_IN_TRIES:
        return 0
    return min(2 ** (failures - FREE_SIGN_IN_TRIES + 1), MAX_SIGN_IN_DELAY)


def sign_in_form(password: str) -> None:
    """The password box (Enter signs in); wrong passwords make the next try wait longer and longer.

    The count and the time the gate opens again live in this session's state, on the server.
    """
    with st.form("sign-in", clear_on_submit=True, border=False):
        given = st.text_input("Curator password", type="password", key="password")
        submitted = st.form_submit_button("Sign in")
    if not submitted:
        return
    now = time.time()
    opens_at = float(st.session_state.get("sign_in_opens_at", 0.0))
    if now < opens_at:
        st.error(f"Too many wrong passwords: wait {math.ceil(opens_at - now)} s, then try again.")
        return
    if hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8")):
        st.session_state["curator"] = True
        st.session_state.pop("sign_in_failures", None)
        st.session_state.pop("sign_in_opens_at", None)
        st.rerun()
    failures = int(st.session_state.get("sign_in_failures", 0)) + 1
    st.session_state["sign_in_failures"] = failures
    delay = sign_in_delay(failures)
    if delay:
        st.session_state["sign_in_opens_at"] = now + delay
        st.error(f"Wrong password. After {failures} wrong tries, wait {delay} s before the next one.")
    else:
        left = FREE_SIGN_IN_TRIES - failures
        tries = "1 more try" if left == 1 else f"{left} more tries"
        st.error(
            f"Wrong password. {tries} at once; after that, each wrong password makes you wait before the next try."
        )


def upload_section(kb: Path, slot) -> int:
    """The upload box and its Save and reindex button; returns how many files are ready but not saved."""
    from ingest.uploads import UploadError, check_upload, save_upload, upload_help, upload_types

    st.subheader("Add documents")
    files = st.file_uploader(
        upload_help(),
        type=upload_types(),
        accept_multiple_files=True,
        key=f"uploader-{st.session_state.get('round', 0)}",
    )
    accepted, refused = [], []
    for upload in files or []:
        data = upload.getvalue()
        try:
            checked = check_upload(corpus_dir(), upload.name, data)
        except UploadError as error:
            st.error(str(error))
            refused.append((upload.name, str(error)))
            continue
        if checked.exists:
            if not st.checkbox(f"Replace the existing {checked.doc_id}", key=f"replace-{checked.name}"):
                st.warning(f"{checked.doc_id} already exists: tick the box to replace it.")
                refused.append((checked.doc_id, "already exists and was not replaced (tick the box to replace it)"))
                continue
        accepted.append((checked, data))
        st.write(f"Ready: `{checked.doc_id}` ({len(data) / 1024:.0f} KB)")
    if accepted and st.button("Save and reindex", type="primary"):
        for checked, data in accepted:
            try:
                save_upload(checked, data, replace=checked.exists)
            except (UploadError, OSError) as error:
                refused.append((checked.doc_id, str(error)))
        reindex(kb, slot, refused)
        return 0
    return len(accepted)


def remove_section(snapshot, kb: Path, slot) -> None:
    """Delete a document's file from the documents folder (after a confirmation), then reindex."""
    st.subheader("Remove a document")
    if snapshot is None:
        st.caption("There is no usable index, so there is nothing to remove.")
        return
    # The most recently indexed first: what a curator removes is most often what was just added.
    documents = sorted(snapshot.documents(), key=lambda d: d.indexed_at, reverse=True)
    titles = {d.doc_id: f"{display_title(d.title)} ({d.doc_id})" for d in documents}
    round_ = st.session_state.get("round", 0)
    chosen = st.selectbox(
        "Document to remove",
        list(titles),
        index=None,
        key=f"remove-{round_}",
        format_func=lambda d: str(titles.get(d, d)),
        placeholder="Choose a document",
    )
    if not chosen:
        return
    path = corpus_file(corpus_dir(), chosen)
    if path is None:
        st.warning(f"{chosen} is not a document file in the documents folder, so it cannot be removed here.")
        return
    sure = st.checkbox(
        f"Yes, delete `{chosen}` from the documents folder. This cannot be undone.", key=f"remove-sure-{round_}"
    )
    if st.button("Delete and reindex", type="primary", disabled=not sure, key=f"remove-go-{round_}"):
        try:
            path.unlink()
        except OSError as error:
            st.error(f"{chosen} could not be deleted: {error.strerror or error}")
            return
        reindex(kb, slot)


class StreamlitProgress:
    """Ingest progress as a Streamlit progress bar: files, then chunks."""

    def __init__(self) -> None:
        self.bar = st.progress(0.0, text="Starting…")
        self.name, self.total, self.done = "", 0, 0

    def stage(self, name: str, total: int) -> None:
        self.name, self.total, self.done = name, total, 0
        self.bar.progress(0.0 if total else 1.0, text=f"{name.capitalize()}: 0 of {total}" if total else "Finishing…")

    def advance(self, n: int = 1) -> None:
        self.done += n
        fraction = self.done / self.total if self.total else 1.0
        self.bar.progress(min(fraction, 1.0), text=f"{self.name.capitalize()}: {self.done} of {self.total}")


def reindex(kb: Path, slot=None, refused: Sequence[tuple[str, str]] = ()) -> None:
    """Bring the index up to date with the documents folder; progress shows in `slot` (the top of the
    Curate tab), the report on the Curate tab after. Waits for another update that is running."""

    with slot if slot is not None else st.container():
        notice = st.empty()
        progress = StreamlitProgress()
    embedder = get_embedder(embedder_kind())
    try:
        report = _logged_update(kb, embedder, progress, notice, refused)
    except IndexBusyError:
        progress.bar.empty()
        notice.warning("Another update of the index is still running; try again in a moment.")
        return
    except KnowledgeBaseError as error:
        progress.bar.empty()
        message = f"Reindex failed: {str(error).rstrip('.')}."
        if not isinstance(error, IndexWriteError) and snapshot_exists(kb):  # a write error says so itself
            message += " The previous index is still in use."
        notice.error(message)
        return
    except (OSError, sqlite3.Error, RuntimeError) as error:  # storage errors that escaped the update
        progress.bar.empty()
        notice.error(f"Reindex failed: {write_failure(error, previous=snapshot_exists(kb))}")
        return
    progress.bar.empty()
    notice.empty()
    st.session_state["report"] = report
    st.session_state["rejected"] = list(refused)
    st.session_state["round"] = st.session_state.get("round", 0) + 1  # fresh, empty upload and remove widgets
    st.rerun()


LAST_REINDEX = "last-reindex.txt"  # in the index folder: what the last in-page reindex did


def _logged_update(kb: Path, embedder, progress, notice, refused: Sequence[tuple[str, str]] = ()):
    """Run the update (retrying once while another one finishes) and write what happened to
    <index>/last-reindex.txt, also when the curator closes the tab mid-way (Streamlit then stops
    this script): the Curate tab shows that log on the next visit, so no reindex ends unseen. Files
    refused at upload (`refused`: name and reason) head the log: they never reached the folder."""
    from datetime import UTC, datetime

    from index.report import format_report, printable
    from index.update import update_index

    uploads = "".join(
        f"rejected   {printable(name)}  {printable(reason.removeprefix(f'{name}: '))} (at upload)\n"
        for name, reason in refused
    )

    def log(text: str) -> None:
        try:
            stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            (kb / LAST_REINDEX).write_text(f"{stamp}\n{uploads}{text}\n", encoding="utf-8")
        except OSError:
            pass  # the log is a courtesy; a full disk has already been reported

    try:
        try:
            report = update_index(corpus_dir(), kb, embedder, progress=progress)
        except IndexBusyError:
            notice.info(
                "Another update of the index is running; trying again in a moment…", icon=":material/hourglass_top:"
            )
            report = update_index(corpus_dir(), kb, embedder, wait_seconds=busy_retry_seconds(), progress=progress)
    except Exception as error:
        log(f"Reindex failed: {error}")
        raise
    except BaseException:  # the tab was closed (Streamlit stopped the script) or the server stopped
        log(
            "Reindex interrupted before it finished (the page was closed or the server stopped); the index "
            "in use is the previous one. The next reindex resumes from the vectors already embedded."
        )
        raise
    log(format_report(report))
    return report


def show_report(report, refused: list[tuple[str, str]]) -> None:
    """The last reindex: totals, a warning when files were refused or failed, then every file that
    did not stay unchanged (uploads refused before saving included), collapsed."""
    totals = ", ".join(f"{n} {status}" for status, n in report.totals().items() if n)
    st.success(
        f"Index updated: {report.documents} documents, {report.chunks} passages ({totals}) "
        f"in {report.seconds:.1f} s. Searches use it now."
    )
    rows = [{"document": name, "status": "rejected", "chunks": "", "reason": reason} for name, reason in refused]
    rows += [
        {"document": f.doc_id, "status": f.status, "chunks": str(f.chunks or ""), "reason": f.reason}
        for f in report.files
        if f.status != "unchanged"
    ]
    problems = [row for row in rows if row["status"] in ("rejected", "failed")]
    if problems:
        # Each reason in full: a table cell cuts a long one off ("not a readable PDF: the file is …").
        said = [
            row["reason"] if row["reason"].startswith(f"{row['document']}:") else f"{row['document']}: {row['reason']}"
            for row in problems
        ]  # an upload's refusal already names its file
        lines = "\n".join(f"- {_markdown_escaped(line)}" for line in said)
        st.warning(f"{len(problems)} file{'s' if len(problems) != 1 else ''} could not be added:\n\n{lines}")
    if rows:
        with st.expander(f"Details: {len(rows)} file{'s' if len(rows) != 1 else ''}", expanded=False):
            st.dataframe(rows, hide_index=True, width="stretch")


def _markdown_escaped(text: str) -> str:
    """Text shown literally inside Streamlit Markdown (a file named "*draft*.txt" stays as written)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)


def snapshot_exists(kb: Path) -> bool:
    """Whether a live generation is named (the one that keeps serving when a reindex fails)."""
    from index.layout import read_current

    try:
        return read_current(kb) is not None
    except OSError:
        return False


def source_routes() -> list:
    """The route that serves original corpus files: PDFs, text and HTML (sandboxed) open, Word and XML download."""
    from starlette.responses import FileResponse, PlainTextResponse
    from starlette.routing import Route

    async def serve_source(request):
        path = corpus_file(corpus_dir(), request.path_params["doc_id"])
        if path is None:
            return PlainTextResponse(
                "No such document file.", status_code=404, headers={"X-Content-Type-Options": "nosniff"}
            )
        headers = source_headers(path)  # its Content-Type is sent as it is (Starlette adds no charset)
        return FileResponse(path, media_type=headers["Content-Type"], headers=headers)

    return [Route(f"{SOURCE_ROUTE}/{{doc_id:path}}", serve_source, methods=["GET", "HEAD"])]


if __name__ == "__main__":  # Streamlit runs the page as __main__ for every session
    main()
else:  # `streamlit run app.py` imports this module to serve the page, with the source route
    app = st.App(__file__, routes=source_routes(), lifespan=load_model_at_start)
