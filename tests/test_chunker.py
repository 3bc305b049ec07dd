"""Sentence splitting and chunking: offsets are exact, no chunk exceeds the model limit, nothing is lost."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, NINDS, needs_shared

from ingest.chunker import ChunkSettings, chunk_document, context_line
from ingest.document import Document, Page, Section
from ingest.loaders import SUPPORTED_SUFFIXES, load_document
from ingest.records import find_records
from ingest.sentences import split_sentences
from ingest.tokens import load_token_counter

SETTINGS = ChunkSettings()


def _documents(folder: Path) -> list[Document]:
    paths = [p for p in sorted(folder.rglob("*")) if p.suffix.lower() in SUPPORTED_SUFFIXES]
    paths = [p for p in paths if not p.name.upper().startswith(("LICENSE", "README"))]
    return [load_document(p, p.relative_to(folder).as_posix()) for p in paths]


def _check_invariants(doc: Document) -> list:
    counter = load_token_counter()
    chunks = chunk_document(doc, counter, SETTINGS)
    assert chunks, doc.doc_id
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        # The citation invariant: offsets cut exactly the chunk's text out of the document.
        assert doc.text[chunk.char_start : chunk.char_end] == chunk.text, chunk.chunk_id
        assert chunk.text == chunk.text.strip() and chunk.text
        # The model sees context + text whole: never past its limit, special tokens included.
        assert counter.count(chunk.embed_text) + 2 <= counter.max_sequence, chunk.chunk_id
        assert counter.count(chunk.text) <= SETTINGS.max_tokens
        inside = [s for s in doc.sections if s.start <= chunk.char_start and chunk.char_end <= s.end]
        assert len(inside) == 1 and inside[0].heading == chunk.section, chunk.chunk_id
        if doc.pages:
            page = next(p for p in doc.pages if p.start <= chunk.char_start and chunk.char_end <= p.end)
            assert page.number == chunk.page
    # Every word of every section body is in some chunk: nothing is dropped.
    covered = bytearray(len(doc.text))
    for chunk in chunks:
        covered[chunk.char_start : chunk.char_end] = b"\x01" * (chunk.char_end - chunk.char_start)
    for section in doc.sections:
        for match in re.finditer(r"\S+", doc.text[section.start : section.end]):
            assert covered[section.start + match.start()], (doc.doc_id, match.group())
    return chunks


def test_every_document_of_the_real_corpus_keeps_the_invariants():
    documents = _documents(CORPUS)
    assert len(documents) == 34
    for doc in documents:
        _check_invariants(doc)


@needs_shared
def test_every_ninds_fact_sheet_keeps_the_invariants():
    documents = _documents(NINDS)
    assert len(documents) == 277
    for doc in documents:
        _check_invariants(doc)


def _check_records_whole(doc: Document, chunks: list) -> None:
    """No chunk starts or ends inside a record that fits in one chunk (a table: inside a row)."""
    counter = load_token_counter()
    for section in doc.sections:
        for record in find_records(doc.text, section.start, section.end):
            fits = counter.count(doc.text[record.start : record.end]) <= SETTINGS.max_tokens
            for a, b in [(record.start, record.end)] if fits or not record.parts else record.parts:
                for chunk in chunks:
                    assert (
                        chunk.char_end <= a or b <= chunk.char_start or (chunk.char_start <= a and b <= chunk.char_end)
                    ), (
                        doc.doc_id,
                        doc.text[a:b],
                    )


def test_records_stay_whole_in_the_real_corpus():
    for doc in _documents(CORPUS):
        _check_records_whole(doc, _check_invariants(doc))


def test_every_fixture_format_keeps_the_invariants():
    for name in ("sample.txt", "sample.md", "sample.html", "sample.pdf", "sample.docx", "medquad_main.xml"):
        _check_invariants(load_document(FIXTURES / name, name))


def test_web_residue_never_becomes_a_passage():
    chunks = [c for doc in _documents(CORPUS / "founding") for c in _check_invariants(doc)]
    texts = " ".join(c.text for c in chunks)
    assert "Read More" not in texts and "#6006" not in texts
    assert "cell-based" in texts and "basal ganglia" in texts


def _doc(text: str, sections=None, pages=()) -> Document:
    return Document("t.txt", "Title", "t.txt", text, tuple(sections or [Section("", 0, len(text))]), pages)


def test_a_sentence_longer_than_a_chunk_is_cut_at_word_boundaries():
    text = " ".join(f"word{i} café—naïve" for i in range(400))  # one sentence, ~3,000 word pieces
    chunks = _check_invariants(_doc(text))
    assert len(chunks) > 5
    assert all(not c.text.startswith(("##", " ")) for c in chunks)
    assert all(text[c.char_end] == " " for c in chunks[:-1])  # every cut falls between words


def test_a_giant_word_without_spaces_still_fits():
    chunks = _check_invariants(_doc("x" * 5000 + ". End."))
    assert "".join(c.text for c in chunks).startswith("x" * 5000)


def test_chunks_overlap_by_whole_sentences_and_never_cross_sections():
    sentences = [f"Sentence number {i} talks about dystonia and the basal ganglia in some detail." for i in range(40)]
    first = " ".join(sentences[:20])
    second = " ".join(sentences[20:])
    text = f"{first}\n\n{second}"
    doc = _doc(text, [Section("A", 0, len(first)), Section("B", len(first) + 2, len(text))])
    chunks = _check_invariants(doc)
    a_chunks = [c for c in chunks if c.section == "A"]
    assert len(a_chunks) >= 2
    overlap = a_chunks[0].char_end - a_chunks[1].char_start
    assert overlap > 0 and text[a_chunks[1].char_start : a_chunks[0].char_end].endswith(".")
    assert all(c.char_end <= len(first) for c in a_chunks)


def test_chunks_never_cross_pages():
    page1, page2 = "First page sentence. " * 5, "Second page sentence. " * 5
    text = page1.strip() + "\n\n" + page2.strip()
    p1_end = len(page1.strip())
    doc = _doc(text, pages=(Page(1, 0, p1_end), Page(2, p1_end + 2, len(text))))
    chunks = _check_invariants(doc)
    assert [c.page for c in chunks] == [1, 2]


def test_a_very_long_heading_is_clipped_in_the_context_line():
    heading = "What is " + "very " * 200 + "long?"
    text = "A short answer."
    doc = Document(
        "x.md",
        "T",
        "x.md",
        "T\n" + heading + "\n" + text,
        (Section(heading, len(heading) + 3, len(heading) + 3 + len(text)),),
    )
    chunk = _check_invariants(doc)[0]
    assert chunk.context.endswith("…") and len(chunk.context) < 300


def test_context_line_names_title_and_section():
    assert context_line("Dystonia", "") == "Dystonia"
    assert context_line("Dystonia", "Is there any treatment?") == "Dystonia — Is there any treatment?"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("See e.g. the neck. Dr. Smith agreed.", ["See e.g. the neck.", "Dr. Smith agreed."]),
        ("Phone: 312.755.0198\nFax: 312.803.0138", ["Phone: 312.755.0198", "Fax: 312.803.0138"]),
        ("It costs 5.50 dollars. 1 in 2 inherit it.", ["It costs 5.50 dollars.", "1 in 2 inherit it."]),
        ("“Quoted.” Next one.", ["“Quoted.”", "Next one."]),
        ("Café au lait. Ménière disease.", ["Café au lait.", "Ménière disease."]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text)] == expected
