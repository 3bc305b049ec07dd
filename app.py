"""The dystonia knowledge base page: ask a question, read cited passages, browse documents, curate.

Thin by design: it lays out widgets and calls `index` (and `ingest.uploads` for curators); retrieval
logic lives there, and the HTML and CSS live in `page_markup.py`, which escapes all document text.
Run with `make run` (or `streamlit run app.py`); KB_INDEX_DIR and KB_CORPUS_DIR choose the folders.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

import streamlit as st

from index.citations import citation_text, context_window
from index.config import corpus_dir, index_dir
from index.errors import IndexBusyError, KnowledgeBaseError, NoIndexError
from index.search import MODES, NO_ANSWER, Searcher
from page_markup import STYLE, context_html, document_html, document_meta_html, passage_card_html

st.set_page_config(page_title="Dystonia knowledge base", page_icon="🧠", layout="centered")

EXAMPLES = (
    "Does stress make dystonia worse?",
    "Which gene causes myoclonus-dystonia?",
    "Which part of the brain is involved in dystonia?",
    "How is dopa-responsive dystonia treated?",
)


@st.cache_resource(show_spinner="Loading the language model (once)…")
def get_embedder(kind: str):
    """The embedding model of this kind ($KB_EMBEDDER), shared by every session."""
    from index.embedder import load_embedder

    return load_embedder(kind)


def embedder_kind() -> str:
    """Which embedder the page uses: $KB_EMBEDDER, else the real model."""
    return os.environ.get("KB_EMBEDDER", "minilm")


@st.cache_resource(show_spinner=False)
def get_searcher(kb: str, kind: str) -> Searcher:
    """One searcher per index folder and embedder, shared by every session; it follows reindexes itself."""
    return Searcher(Path(kb), get_embedder(kind))


@st.cache_data(show_spinner="Searching…", max_entries=256)
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


def main() -> None:
    st.html(STYLE)
    st.title("Dystonia knowledge base")
    st.caption("Plain-language questions, answered with passages from trusted documents — each with its source.")
    st.info("This is health information, not medical advice. Talk to your doctor about your own care.", icon="ℹ️")
    kb = index_dir()
    searcher = get_searcher(str(kb), embedder_kind())
    try:
        snapshot = searcher.snapshot()
    except NoIndexError:
        snapshot = None
    except KnowledgeBaseError as error:
        st.error(f"The index cannot be used: {error}")
        snapshot = None
    ask, documents, curate = st.tabs(["Ask", "Documents", "Curate"])
    with ask:
        ask_tab(searcher, snapshot)
    with documents:
        documents_tab(snapshot)
    with curate:
        curate_tab(kb, snapshot)


def no_index_message(where: str) -> None:
    st.warning("There is no index yet, so there is nothing to search.")
    if is_curator():
        st.caption("Build it now from the documents folder:")
        if st.button("Build the index", type="primary", key=f"build-{where}"):
            reindex(index_dir())
    else:
        st.caption("Run `make run` (or `python -m ingest`) to build it, or sign in on the Curate tab.")


def ask_tab(searcher: Searcher, snapshot) -> None:
    if snapshot is None:
        no_index_message("ask")
        return
    if searcher.reload_error:
        st.warning(f"Showing the previous index version: {searcher.reload_error}")
    st.text_input(
        "Your question",
        key="question",
        placeholder="e.g. Does stress make dystonia worse?",
        help="Press Enter to search.",
    )
    st.caption("Try:")
    columns = st.columns(2)
    for i, example in enumerate(EXAMPLES):
        columns[i % 2].button(example, key=f"example-{i}", on_click=_set_question, args=(example,), width="stretch")
    k = st.slider("Number of passages", 1, 10, 5)
    with st.expander("Advanced"):
        mode = st.radio(
            "Search mode",
            MODES,
            horizontal=True,
            help="hybrid: meaning and exact words; dense: meaning only; keyword: exact words (BM25)",
        )
        collections = st.multiselect("Only these collections", snapshot.collections())
        titles = {d.doc_id: d.title for d in snapshot.documents()}
        docs = st.multiselect("Only these documents", list(titles), format_func=lambda d: f"{titles[d]} ({d})")
    question = st.session_state.get("question", "").strip()
    if not question:
        return
    try:
        result = run_search(
            str(searcher.kb_dir), embedder_kind(), snapshot.name, question, k, mode, tuple(collections), tuple(docs)
        )
    except KnowledgeBaseError as error:
        st.error(str(error))
        return
    if result.abstained:
        st.warning(result.message or NO_ANSWER)
        st.caption("Try other words, or ask about dystonia: its symptoms, causes, genes, diagnosis or treatment.")
        return
    st.subheader(f"{len(result.passages)} passage{'s' if len(result.passages) != 1 else ''}")
    for passage in result.passages:
        show_passage(passage, result.terms, snapshot, titles)


def _set_question(text: str) -> None:
    st.session_state["question"] = text


def show_passage(p, terms: tuple[str, ...], snapshot, titles: dict[str, str]) -> None:
    with st.container(border=True):
        st.html(passage_card_html(p, terms, titles))
        with st.expander("Show in context"):
            st.html(context_html(context_window(snapshot, p)))
        with st.expander("Copy citation"):
            st.code(citation_text(p), language=None, wrap_lines=True)


def documents_tab(snapshot) -> None:
    if snapshot is None:
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
    rows = [
        {
            "title": d.title,
            "collection": d.collection,
            "chunks": d.chunks,
            "indexed": d.indexed_at.replace("T", " ")[:16],
            "source": d.source,
            "document id": d.doc_id,
        }
        for d in documents
    ]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={"source": st.column_config.LinkColumn("source")},
    )
    titles = {d.doc_id: f"{d.title} ({d.doc_id})" for d in documents}
    chosen = st.selectbox(
        "Read a document",
        list(titles),
        index=None,
        format_func=lambda d: str(titles.get(d, d)),
        placeholder="Choose a document to read its full text",
    )
    if chosen:
        doc = snapshot.document(chosen)
        st.html(document_meta_html(doc.source, doc.collection, doc.format))
        st.html(document_html(doc.text))


def curate_tab(kb: Path, snapshot) -> None:
    password = admin_password()
    if not password:
        st.info(
            "Adding documents and reindexing are for curators. To turn them on, start the page with "
            "`KB_ADMIN_PASSWORD=…` set (or `admin_password` in `.streamlit/secrets.toml`), then sign in here."
        )
        return
    if not is_curator():
        given = st.text_input("Curator password", type="password", key="password")
        if st.button("Sign in"):
            if hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8")):
                st.session_state["curator"] = True
                st.rerun()
            else:
                st.error("Wrong password.")
        return
    if "report" in st.session_state:
        show_report(st.session_state["report"])
    upload_section(kb)
    st.divider()
    st.caption(f"Documents folder: {corpus_dir()} · index: {kb}")
    if st.button("Reindex now" if snapshot else "Build the index", key="build-curate"):
        reindex(kb)


def upload_section(kb: Path) -> None:
    from ingest.uploads import UploadError, check_upload, save_upload, upload_help, upload_types

    st.subheader("Add documents")
    files = st.file_uploader(
        upload_help(),
        type=upload_types(),
        accept_multiple_files=True,
        key=f"uploader-{st.session_state.get('uploader', 0)}",
    )
    accepted = []
    for upload in files or []:
        data = upload.getvalue()
        try:
            checked = check_upload(corpus_dir(), upload.name, data)
        except UploadError as error:
            st.error(str(error))
            continue
        if checked.exists:
            if not st.checkbox(f"Replace the existing {checked.doc_id}", key=f"replace-{checked.name}"):
                st.warning(f"{checked.doc_id} already exists: tick the box to replace it.")
                continue
        accepted.append((checked, data))
        st.write(f"Ready: `{checked.doc_id}` ({len(data) / 1024:.0f} KB)")
    if accepted and st.button("Save and reindex", type="primary"):
        for checked, data in accepted:
            try:
                save_upload(checked, data, replace=checked.exists)
            except (UploadError, OSError) as error:
                st.error(str(error))
        reindex(kb)


class StreamlitProgress:
    """Ingest progress as a Streamlit progress bar: files, then chunks."""

    def __init__(self) -> None:
        self.bar = st.progress(0.0, text="Starting…")
        self.name, self.total, self.done = "", 0, 0

    def stage(self, name: str, total: int) -> None:
        self.name, self.total, self.done = name, total, 0
        self.bar.progress(0.0, text=f"{name}: 0 of {total}")

    def advance(self, n: int = 1) -> None:
        self.done += n
        fraction = self.done / self.total if self.total else 1.0
        self.bar.progress(min(fraction, 1.0), text=f"{self.name}: {self.done} of {self.total}")


def reindex(kb: Path) -> None:
    """Bring the index up to date with the documents folder; the report shows on the Curate tab."""
    from index.update import update_index

    progress = StreamlitProgress()
    try:
        report = update_index(corpus_dir(), kb, get_embedder(embedder_kind()), wait_seconds=5, progress=progress)
    except IndexBusyError as error:
        st.warning(str(error))
        return
    except (KnowledgeBaseError, OSError) as error:
        st.error(f"Reindex failed; the previous index is still in use. {error}")
        return
    st.session_state["report"] = report
    st.session_state["uploader"] = st.session_state.get("uploader", 0) + 1  # a fresh, empty uploader
    st.rerun()


def show_report(report) -> None:
    """The last reindex: totals, and every file that did not stay unchanged."""
    totals = ", ".join(f"{n} {status}" for status, n in report.totals().items() if n)
    st.success(
        f"Index updated: {report.documents} documents, {report.chunks} passages ({totals}) "
        f"in {report.seconds:.1f} s. Searches use it now."
    )
    rows = [
        {"document": f.doc_id, "status": f.status, "chunks": f.chunks or None, "reason": f.reason}
        for f in report.files
        if f.status != "unchanged"
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


main()
