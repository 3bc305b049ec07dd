"""Structure-aware chunking and passages: records stay whole (contact entries, table rows under
their header, list items, Q&A pairs), the fact sheet's organisations are one chunk each under
"Organizations", "Source:" lines are not headings, merged passages never cross a section and
say so when they cross PDF pages. Every chunk keeps the offset invariant. No model, no index."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conftest import CORPUS
from fpdf import FPDF

from index.citations import citation_line
from index.embedder import HashEmbedder
from index.passages import Passage, merge_chunks, without_boilerplate
from index.search import Searcher
from index.store import StoredChunk
from ingest.chunker import CHUNKER_VERSION, ChunkSettings, chunk_document
from ingest.document import Chunk, Document, Section
from ingest.loaders import load_document
from ingest.loaders.text import CONTACT_SECTION
from ingest.records import find_records, is_contact_block, is_reference_list
from ingest.tokens import load_token_counter

SETTINGS = ChunkSettings()
FACT_SHEET = CORPUS / "founding" / "what_are_dystonias.txt"
ORGANISATIONS = (
    "Dystonia Medical Research Foundation",
    "National Spasmodic Torticollis Association",
    "WE MOVE (Worldwide Education & Awareness for Movement Disorders)",
    "American Speech-Language-Hearing Association (ASHA)",
    "Benign Essential Blepharospasm Research Foundation",
    "Bachmann-Strauss Dystonia & Parkinson Foundation",
    "Spasmodic Torticollis Dystonia/ST Dystonia",
    "American Dystonia Society",
)


def chunks_of(doc: Document) -> list[Chunk]:
    """The document's chunks, checked: exact offsets, within the model's limit, inside one section."""
    counter = load_token_counter()
    chunks = chunk_document(doc, counter, SETTINGS)
    assert chunks
    for chunk in chunks:
        assert doc.text[chunk.char_start : chunk.char_end] == chunk.text, chunk.chunk_id
        assert counter.count(chunk.embed_text) + 2 <= counter.max_sequence, chunk.chunk_id
        assert counter.count(chunk.text) <= SETTINGS.max_tokens
        assert any(s.start <= chunk.char_start and chunk.char_end <= s.end for s in doc.sections)
    return chunks


def assert_records_whole(doc: Document, chunks: list[Chunk], kind: str) -> int:
    """Every record of `kind` lies whole in a chunk and no chunk cuts into it; returns how many."""
    records = [r for s in doc.sections for r in find_records(doc.text, s.start, s.end) if r.kind == kind]
    for record in records:
        # A table longer than a chunk is cut between rows: then each row (its parts) is the record.
        whole = [(record.start, record.end)]
        fits = load_token_counter().count(doc.text[record.start : record.end]) <= SETTINGS.max_tokens
        for a, b in whole if fits or not record.parts else record.parts:
            assert any(c.char_start <= a and b <= c.char_end for c in chunks), doc.text[a:b]
            for c in chunks:
                disjoint = c.char_end <= a or b <= c.char_start
                inside = c.char_start <= a and b <= c.char_end
                assert disjoint or inside, (c.text, doc.text[a:b])
    return len(records)


def text_document(tmp_path: Path, name: str, text: str) -> Document:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_document(path, name)


def stored(chunks: list[Chunk], doc: Document) -> list[StoredChunk]:
    return [
        StoredChunk(
            i, c.doc_id, c.position, c.char_start, c.char_end, c.section, c.page, c.text, doc.title, doc.source, "c"
        )
        for i, c in enumerate(chunks)
    ]


# --- records ---------------------------------------------------------------------------------


def test_the_chunker_version_changed_with_the_chunk_shapes():
    assert CHUNKER_VERSION >= 2 and SETTINGS.as_dict()["version"] == CHUNKER_VERSION


def test_a_contact_list_gives_one_chunk_per_entry(tmp_path):
    entries = [
        f"Société {name} Foundation\n{n}0 Rue de la Paix, Suite {n}\nSão Paulo, SP 0130{n}-000\n"
        f"Phone: 555.123.40{n}{n}\nEmail: info{n}@{name.lower()}.org\nWeb: https://www.{name.lower()}.org"
        for n, name in enumerate(["Alpha", "Beta", "Gamma", "Delta", "Epsilon"], start=1)
    ]
    text = "Help for patients\n\nThese groups help people with dystonia and their families.\n\n" + "\n\n".join(entries)
    doc = text_document(tmp_path, "contacts.txt", text + "\n\nLast words of the document.\n")
    chunks = chunks_of(doc)
    assert assert_records_whole(doc, chunks, "contact") == 5
    for entry in entries:
        holding = [c for c in chunks if entry.split("\n")[0] in c.text]
        assert [c.text for c in holding] == [entry], "one chunk per organisation, its name inside, nothing else"
        assert holding[0].section == CONTACT_SECTION


def test_a_markdown_table_longer_than_a_chunk_repeats_its_header_in_the_context(tmp_path):
    header = "| Drug | Starting dose | Usual maximum |\n|---|---|---|"
    rows = [
        f"| Médicament {i} café | {i} mg twice a day with food | {10 * i} mg a day in divided doses |"
        for i in range(40)
    ]
    text = "# Doses\n\nThe table lists doses.\n\n" + header + "\n" + "\n".join(rows) + "\n\nAsk your doctor.\n"
    doc = text_document(tmp_path, "doses.md", text)
    chunks = chunks_of(doc)
    table = [c for c in chunks if "Médicament" in c.text]
    assert len(table) >= 3, "the table is longer than one chunk"
    assert header in table[0].text and "| Drug | Starting dose | Usual maximum |" not in table[0].context
    for chunk in table[1:]:
        assert chunk.context.startswith(doc.title) and chunk.context.endswith(" ".join(header.split()))
        assert not chunk.text.startswith("| Drug"), "the header is not copied into the exact text"
    assert assert_records_whole(doc, chunks, "table") == 1
    for row in rows:
        assert any(row in c.text for c in chunks), "every row whole in some chunk"
        assert not any(c.text != row and (c.text.startswith(row[5:]) or c.text.endswith(row[:-5])) for c in chunks)
    for c in chunks:  # no chunk starts or ends inside a row
        assert doc.text[c.char_start - 1] in "\n " or c.char_start == 0
        assert c.char_end == len(doc.text) or doc.text[c.char_end] == "\n"


def test_loader_table_rows_keep_their_header_too():
    header = "Drug | Starting dose | Usual maximum"
    rows = [f"Drug number {i} | {i} mg twice a day with food | {10 * i} mg a day in divided doses" for i in range(40)]
    text = "Doses\nIntro line.\n" + header + "\n" + "\n".join(rows)
    body_start = len("Doses\n")
    doc = Document("d.docx", "Doses", "d.docx", text, (Section("Doses", body_start, len(text)),), format="docx")
    chunks = chunks_of(doc)
    later = [c for c in chunks if header not in c.text]
    assert later and all(c.context.endswith(header) for c in later)
    assert all(c.text.split("\n")[-1] in rows or c.text.split("\n")[-1] == header for c in chunks[:-1])


def test_list_items_are_never_cut(tmp_path):
    items = [
        f"- Item {i}: botulinum toxin eases the neck. It lasts about three months. Then the café visit repeats."
        for i in range(30)
    ]
    doc = text_document(tmp_path, "list.md", "# Treatments\n\n" + "\n".join(items) + "\n")
    chunks = chunks_of(doc)
    assert len(chunks) >= 3
    assert assert_records_whole(doc, chunks, "list_item") == 30
    for c in chunks:
        assert c.text.startswith("- Item") and c.text.endswith("repeats.")


def test_a_question_and_its_answer_stay_together(tmp_path):
    prose = " ".join(f"Sentence {i} explains dystonia in some detail for the reader." for i in range(12))
    qa = (
        "Q: Can children get dystonia?\n"
        "A: Yes. Early-onset forms often start in childhood. They may spread to other limbs."
    )
    doc = text_document(tmp_path, "qa.txt", f"FAQ\n\n{prose}\n{qa}\n\n{prose}\n")
    chunks = chunks_of(doc)
    assert assert_records_whole(doc, chunks, "qa") == 1
    assert any(qa in c.text for c in chunks)


def test_a_record_longer_than_a_chunk_is_cut_but_leads_its_chunk(tmp_path):
    prose = "Some opening words about dystonia."
    answer = " ".join(f"Answer sentence {i} gives one more detail about early-onset dystonia." for i in range(30))
    doc = text_document(tmp_path, "long_qa.txt", f"FAQ\n\n{prose}\nQ: Can children get dystonia?\nA: {answer}\n")
    chunks = chunks_of(doc)
    assert chunks[0].text == prose, "the long pair does not start in the middle of another chunk"
    assert chunks[1].text.startswith("Q: Can children get dystonia?\nA: Answer sentence 0")
    assert len(chunks) >= 3


def test_markdown_headings_are_sections_and_chunks_stay_inside(tmp_path):
    text = (
        "# Dystonia\n\nIntro sentence.\n\n## Symptoms\n\n- Twisting\n- Tremor\n\n"
        "## Treatment\n\nBotulinum toxin helps.\n"
    )
    doc = text_document(tmp_path, "h.md", text)
    chunks = chunks_of(doc)
    assert [(c.section, c.text) for c in chunks] == [
        ("Dystonia", "Intro sentence."),
        ("Symptoms", "- Twisting\n- Tremor"),
        ("Treatment", "Botulinum toxin helps."),
    ]


# --- the founding fact sheet ------------------------------------------------------------------


def test_the_fact_sheets_organisations_are_one_chunk_each_under_organizations():
    doc = load_document(FACT_SHEET, "founding/what_are_dystonias.txt")
    chunks = chunks_of(doc)
    for name in ORGANISATIONS:
        holding = [c for c in chunks if name in c.text]
        assert len(holding) == 1, name
        chunk = holding[0]
        assert chunk.text.startswith(name) and chunk.section == "Organizations"
        assert chunk.text.count("Email:") == 1, "one organisation per chunk"
        assert is_contact_block(chunk.text)
    nsta = next(c for c in chunks if "National Spasmodic Torticollis Association" in c.text)
    assert "9920 Talbert Avenue" in nsta.text and "Fountain Valley, CA 92708" in nsta.text
    research = [c for c in chunks if c.section == "What research is being done?"]
    assert research and not any("Phone:" in c.text for c in research)


def test_source_lines_are_not_headings():
    doc = load_document(FACT_SHEET, "founding/what_are_dystonias.txt")
    assert not any(s.heading.startswith("Source") for s in doc.sections)
    chunk = next(c for c in chunks_of(doc) if c.text.startswith("Source:"))
    assert chunk.section == "" and "This information is provided by Cleveland Clinic" in chunk.text


# --- passages ---------------------------------------------------------------------------------


def test_merged_passages_never_cross_sections():
    doc = load_document(FACT_SHEET, "founding/what_are_dystonias.txt")
    rows = stored(chunks_of(doc), doc)
    passages = merge_chunks([(row, 1.0 - row.position / 100) for row in rows], {doc.doc_id: doc.text})
    for p in passages:
        inside = [s for s in doc.sections if s.start <= p.char_start and p.char_end <= s.end]
        assert len(inside) == 1 and inside[0].heading == p.section, p.text[:80]
        assert doc.text[p.char_start : p.char_end] == p.text
    organisations = [p for p in passages if p.section == "Organizations"]
    assert len(organisations) == len(ORGANISATIONS), "adjacent organisations do not merge"
    assert all(sum(name in p.text for name in ORGANISATIONS) == 1 for p in organisations)


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    pdf = FPDF()
    pdf.set_title("Dystonia café notes")
    pdf.set_font("Helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(w=0, h=7, text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_a_pdf_passage_across_pages_carries_its_page_range(tmp_path):
    page = [f"Line {i} of the notes says that dystonia varies from person to person." for i in range(30)]
    path = _pdf(tmp_path / "notes.pdf", [page, [s.replace("notes", "second notes") for s in page], ["Last page."]])
    doc = load_document(path, "notes.pdf")
    assert [p.number for p in doc.pages] == [1, 2, 3]
    chunks = chunks_of(doc)
    for c in chunks:
        page_of = next(p for p in doc.pages if p.start <= c.char_start and c.char_end <= p.end)
        assert page_of.number == c.page, "a chunk never crosses a page"
    rows = stored(chunks, doc)
    last_of_one = max((r for r in rows if r.page == 1), key=lambda r: r.position)
    first_of_two = min((r for r in rows if r.page == 2), key=lambda r: r.position)
    [passage] = merge_chunks([(last_of_one, 0.9), (first_of_two, 0.8)], {doc.doc_id: doc.text})
    assert passage.page == 1 and passage.page_range == (1, 2)
    assert passage.page_label == "pages 1–2"
    assert "pages 1–2" in citation_line(passage)
    # With an evidence sentence marked on page 2, that page is the one shown.
    at = first_of_two.char_start - passage.char_start
    marked = replace(passage, highlight=(at, at + 10))
    assert marked.evidence_page == 2 and marked.page_label == "page 2 (passage on pages 1–2)"
    single = merge_chunks([(first_of_two, 0.5)], {doc.doc_id: doc.text})[0]
    assert single.page_label == "page 2" and "page 2" in citation_line(single)


def test_one_chunk_per_contact_entry_still_respects_the_chunk_limit():
    from ingest.document import LoadError
    from ingest.limits import MAX_CHUNKS_PER_DOCUMENT

    text = "\n\n".join(f"Org {i}\n{i} Main Street\nPhone: 555.123.4567" for i in range(MAX_CHUNKS_PER_DOCUMENT + 1))
    doc = Document("many.txt", "Many", "many.txt", text, (Section("", 0, len(text)),))
    try:
        chunk_document(doc, load_token_counter(), SETTINGS)
    except LoadError as error:
        assert "refused" in str(error) and "chunks" in str(error)
    else:
        raise AssertionError("more contact entries than the chunk limit must be refused")


def test_a_list_of_resources_names_is_told_from_text():
    """MedQuAD's "What are the treatments for X?" answers are a lead-in and names to look up, no sentence."""
    medquad = ("These resources address the diagnosis or management of dystonia 6: - Gene Review: Gene Review: "
               "Dystonia Overview - Genetic Testing Registry: Dystonia 6, torsion These resources from MedlinePlus "
               "offer information about the diagnosis and management of various health conditions: - Diagnostic "
               "Tests - Drug Therapy")
    markdown = "Further reading:\n- Dystonia Overview\n- Living with dystonia\n"
    assert is_reference_list(medquad) and is_reference_list(markdown)
    text = [
        "Treatment may include: - botulinum toxin injections - medications. Surgery helps some people.",
        "Signs and Symptoms Approximate number of patients - Abnormality of gait - Dystonia",  # no lead-in
        "Options include: - injections",  # one item
        "Symptoms can be: - twisting - pulling! They vary.",
    ]
    assert not any(is_reference_list(block) for block in text)


def _passage_over(text: str, start: int, end: int, spans=()) -> Passage:
    return Passage("d", "T", "s", "c", "S", None, start, end, text[start:end], 1.0, (1,), (0,), page_spans=spans)


def test_boilerplate_at_a_passages_ends_is_left_out_and_the_span_stays_exact():
    text = "Lead. Symptoms: a - b - c. Boiler one. Boiler two."
    units = [(0, 5), (6, 26), (27, 38), (39, 50)]
    passage = _passage_over(text, 0, len(text), spans=((0, 26, 1), (27, 50, 2)))
    trimmed = without_boilerplate(passage, units, [False, False, True, True], text)
    assert (trimmed.char_start, trimmed.char_end, trimmed.text) == (0, 26, "Lead. Symptoms: a - b - c.")
    assert trimmed.text == text[trimmed.char_start : trimmed.char_end]
    assert trimmed.page_range == (1, 1), "the pages are those of what is left"
    leading = without_boilerplate(passage, units, [True, False, False, False], text)
    assert leading.text == "Symptoms: a - b - c. Boiler one. Boiler two."
    middle = without_boilerplate(passage, units, [False, True, False, False], text)
    assert middle == passage, "only the ends: a sentence between two kept ones stays"
    assert without_boilerplate(passage, units, [True] * 4, text) == passage, "all boilerplate: kept whole"


def test_gards_frequency_explanation_is_not_shown_under_a_symptom_list(hash_index):
    searcher = Searcher(hash_index, HashEmbedder())
    result = searcher.search("signs and symptoms of dystonia 7 torsion", mode="keyword", k=3)
    [listing] = [p for p in result.passages if "Skeletal muscle hypertrophy" in p.text]
    assert "Much of this information comes from Orphanet" not in listing.text
    document = searcher.snapshot().document_text(listing.doc_id)
    assert "Much of this information comes from Orphanet" in document[listing.char_end :], "cut, not lost"
    assert listing.text == document[listing.char_start : listing.char_end]
