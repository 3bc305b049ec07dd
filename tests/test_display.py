"""Display-only wording (titles, headings, source labels), which corpus files the page may serve,
and the markup of the library and the document reader. No model, no index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES

from index.display import (
    collection_label,
    corpus_file,
    display_section,
    display_title,
    publisher,
    readable_parts,
    readable_text,
    source_headers,
    source_href,
    source_label,
)
from ingest.corpus import with_collection
from ingest.document import Page, Section
from ingest.loaders import load_document
from page_markup import LibraryRow, document_html, library_html, scroll_script, source_html


@pytest.mark.parametrize(
    ("heading", "shown"),
    [
        ("What is (are) Dopa-responsive dystonia ?", "What is Dopa-responsive dystonia?"),
        ("What is (are) dopa-responsive dystonia ?", "What is dopa-responsive dystonia?"),
        ("What are the symptoms of Dystonia 1 ?", "What are the symptoms of Dystonia 1?"),
        ("Is Dopa-responsive dystonia inherited ?", "Is Dopa-responsive dystonia inherited?"),
        ("what is psychogenic movement?", "What is psychogenic movement?"),
        ("What is (are) Dystonia 8 ? / What causes Dystonia 8 ?", "What is Dystonia 8? / What causes Dystonia 8?"),
        ("Is there any treatment?", "Is there any treatment?"),
        ("", ""),
    ],
)
def test_section_headings_read_as_written(heading, shown):
    assert display_section(heading) == shown


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("dopa-responsive dystonia", "Dopa-responsive dystonia"),
        ("deafness-dystonia-optic neuronopathy syndrome", "Deafness-dystonia-optic neuronopathy syndrome"),
        ("dystonia 6", "Dystonia 6"),
        ("X-linked dystonia-parkinsonism", "X-linked dystonia-parkinsonism"),
        ("mRNA findings in dystonia", "mRNA findings in dystonia"),  # written that way on purpose
        ("Dystonia | Cleveland Clinic", "Dystonia"),
        ("cervical dystonia | Health Topics | Some Site", "Cervical dystonia"),
        ("Dystonia in São Paulo — Café Clinic", "Dystonia in São Paulo — Café Clinic"),
        ("What are Dystonias?", "What are Dystonias?"),
    ],
)
def test_titles_read_as_written(title, shown):
    assert display_title(title) == shown


def test_display_never_changes_stored_text_or_offsets():
    doc = load_document(FIXTURES / "medquad_main.xml", "medquad/3_GHR_QA__0000299.xml")
    before = (doc.title, doc.text, doc.sections)
    shown = [display_section(s.heading) for s in doc.sections]
    assert display_title(doc.title) == "Dopa-responsive dystonia" and shown[0] == "What is dopa-responsive dystonia?"
    assert (doc.title, doc.text, doc.sections) == before
    for section in doc.sections:
        assert doc.text[: section.start].endswith(section.heading + "\n")  # the stored heading, exact


@pytest.mark.parametrize(
    ("doc_id", "source", "label"),
    [
        ("medquad/2_GARD_QA__0001754.xml", "https://rarediseases.info.nih.gov/gard/12472/x", "GARD"),
        ("medquad/3_GHR_QA__0000274.xml", "https://ghr.nlm.nih.gov/condition/x", "GHR"),
        (
            "medquad/4_MPlus_Health_Topics_QA__0000307.xml",
            "https://www.nlm.nih.gov/medlineplus/dystonia.html",
            "MedlinePlus",
        ),
        ("medquad/6_NINDS_QA__0000112.xml", "http://www.ninds.nih.gov/disorders/dystonias/dystonias.htm", "NINDS"),
        ("ninds/0000007.xml", "http://www.ninds.nih.gov/disorders/x.htm", "NINDS"),  # from the URL
        ("founding/what_are_dystonias.txt", "founding/what_are_dystonias.txt", ""),
        ("news/page.html", "https://www.ninds.nih.gov/news", ""),  # only MedQuAD files get a label
    ],
)
def test_medquad_source_label_from_id_or_url(doc_id, source, label):
    assert source_label(doc_id, source) == label


def test_collection_is_the_first_folder_for_every_format_and_the_source_a_label():
    for doc_id, expected in (("medquad/2_GARD_QA__0001754.xml", "medquad"), ("top.xml", "corpus")):
        doc = with_collection(load_document(FIXTURES / "medquad_main.xml", doc_id))
        assert doc.collection == expected
    doc = with_collection(load_document(FIXTURES / "sample.txt", "founding/sample.txt"))
    assert doc.collection == "founding"
    assert collection_label("medquad", "medquad/2_GARD_QA__0001754.xml", "") == "medquad · GARD"
    assert collection_label("founding", "founding/a.txt", "founding/a.txt") == "founding"


def test_a_card_names_the_publisher_as_readers_know_it():
    """The library table says "medquad · GHR" for curators; a card says who published the passage."""
    assert publisher("medquad/3_GHR_QA__0000309.xml") == "Genetics Home Reference (NIH)"
    assert publisher("x/dyt.xml", "https://rarediseases.info.nih.gov/diseases/1") == (
        "Genetic and Rare Diseases Information Center (NIH)"
    )
    assert publisher("founding/what_are_dystonias.txt") == "", "a folder name is no publisher"
    assert publisher("uploads/notes.txt", "uploads/notes.txt") == ""
    nih = "National Institutes of Health"
    assert publisher("founding/what_are_dystonias.txt", "founding/x.txt", nih) == nih
    assert publisher("medquad/3_GHR_QA__0000309.xml", "", nih) == "Genetics Home Reference (NIH)"


def test_source_links_point_into_the_page_route_with_the_pdf_page():
    assert source_href("founding/what_are_dystonias.txt") == "/kb-source/founding/what_are_dystonias.txt"
    assert source_href("uploads/Trial notes.pdf", 3) == "/kb-source/uploads/Trial%20notes.pdf#page=3"
    assert source_href("notes.txt", 3) == "/kb-source/notes.txt", "only PDFs have pages to open at"
    link = source_html("founding/a.txt", source_href("founding/a.txt"))
    assert link.startswith('<a class="kb-local" href="/kb-source/founding/a.txt"') and 'rel="noopener' in link
    assert "<a" not in source_html("founding/a.txt")  # no route given: plain text
    assert "<a" not in source_html("javascript:alert(1)", None)


def test_only_document_files_inside_the_corpus_are_served(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "notes").mkdir(parents=True)
    (corpus / "notes" / "a.txt").write_text("A\n\ntext\n", encoding="utf-8")
    (corpus / "notes" / "README.txt").write_text("about\n", encoding="utf-8")
    (corpus / "notes" / ".upload.pdf.part").write_bytes(b"%PDF-")
    (corpus / "notes" / "tool.py").write_text("print(1)\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret\n", encoding="utf-8")
    os.symlink(secret, corpus / "notes" / "link.txt")
    os.symlink(tmp_path, corpus / "outside")
    assert corpus_file(corpus, "notes/a.txt") == (corpus / "notes" / "a.txt").resolve()
    for doc_id in (
        "../secret.txt",
        "notes/../../secret.txt",
        "/etc/passwd",
        str(secret),
        "notes/link.txt",  # a link that leads out of the corpus
        "outside/secret.txt",  # through a linked folder
        "notes/README.txt",
        "notes/.upload.pdf.part",
        "notes/tool.py",
        "notes/missing.txt",
        "notes",
        "notes\\a.txt",
        "",
    ):
        assert corpus_file(corpus, doc_id) is None, doc_id


def test_served_files_open_or_download_safely(tmp_path):
    pdf = source_headers(Path("x/report.pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("inline")
    assert pdf["X-Content-Type-Options"] == "nosniff"
    text = source_headers(Path("notes.md"))
    assert text["Content-Type"].startswith("text/plain") and "sandbox" in text["Content-Security-Policy"]
    (tmp_path / "page.html").write_text("<p>Café</p>", encoding="utf-8")
    page = source_headers(tmp_path / "page.html")  # shown, but sandboxed: no script, nothing loaded
    assert page["Content-Disposition"].startswith("inline") and page["Content-Type"] == "text/html; charset=utf-8"
    assert page["Content-Security-Policy"] == "sandbox; default-src 'none'"
    (tmp_path / "latin.htm").write_bytes(b'<meta charset="latin-1"><p>Caf\xe9</p>')
    assert source_headers(tmp_path / "latin.htm")["Content-Type"] == "text/html", "its declared charset decides"
    xml = source_headers(Path("qa.xml"))
    assert xml["Content-Disposition"].startswith("attachment") and xml["Content-Type"] == "application/octet-stream"
    assert source_headers(Path("Trial notes.docx"))["Content-Disposition"].endswith("Trial%20notes.docx")


def test_reader_marks_headings_pages_and_the_passage_without_changing_text():
    text = "Title\n\nFirst heading\nBody one <b>.\n\nSecond\nBody two."
    sections = (Section("First heading", 21, 35), Section("Second", 44, 53))
    start = text.index("Body one")
    html = document_html(text, sections, (), (start, start + 8))
    assert '<span class="kb-heading" role="heading" aria-level="4">First heading</span>' in html
    assert '<span class="kb-heading" role="heading" aria-level="4">Second</span>' in html
    assert '<mark class="passage" id="kb-target">Body one</mark>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert html.count('id="kb-target"') == 1
    # The evidence is marked inside the passage as on the card; a span outside the passage is not marked
    one = text.index("one")
    html = document_html(text, sections, (), (start, start + 8), (one, one + 3))
    assert '<mark class="passage" id="kb-target">Body </mark><mark class="passage"><mark class="evidence">one' in html
    assert document_html(text, sections, (), (start, start + 8), (0, 5)).count("evidence") == 0
    assert document_html(text, sections, (), None, (one, one + 3)).count("evidence") == 0
    pdf = load_document(FIXTURES / "sample.pdf", "sample.pdf")
    html = document_html(pdf.text, pdf.sections, pdf.pages)
    assert html.count('class="kb-page"') == 2 and ">Page 2</span>Page two:" in html
    assert document_html("One page.", (), (Page(1, 0, 9),)).count("kb-page") == 0  # one page: no marker


def test_reader_keeps_every_character_of_the_real_documents():
    import html as html_module
    import re

    for path in sorted((CORPUS / "founding").glob("*.txt")) + sorted((CORPUS / "medquad").glob("*GHR*.xml"))[:3]:
        doc = load_document(path, path.relative_to(CORPUS).as_posix())
        rendered = document_html(doc.text, doc.sections, doc.pages, (10, 60))
        labels = re.findall(r'<span class="kb-heading kb-label"[^>]*>([^<]*)</span>', rendered)
        unlabelled = re.sub(r'<span class="kb-heading kb-label"[^>]*>[^<]*</span>', "", rendered)
        inner = re.sub(r"<[^>]+>", "", unlabelled.replace('<span class="kb-page" role="separator">', "<x>"))
        assert html_module.unescape(inner) == doc.text
        # A section the layout names ("Organizations" for a contact list) is shown as a label, outside the text.
        in_text = [s for s in doc.sections if s.heading and s.heading in doc.text[: s.start]]
        named = [s.heading for s in doc.sections if s.heading and s.heading not in doc.text[: s.start]]
        assert rendered.count('class="kb-heading"') >= len(in_text) and labels == named


def test_library_table_escapes_and_links():
    rows = [
        LibraryRow("founding/a.txt", "<b>A</b>", "founding", 3, "2026-11-21", "founding/a.txt"),
        LibraryRow("medquad/2_GARD_QA__1.xml", "Dystonia 1", "medquad · GARD", 1, "2026-11-21", "https://x.org/?a=1&b=2"),
    ]
    html = library_html(rows)
    assert "&lt;b&gt;A&lt;/b&gt;" in html and "<b>A" not in html
    assert 'href="/kb-source/founding/a.txt"' in html and 'href="https://x.org/?a=1&amp;b=2"' in html
    assert html.count("<tr>") == 3


def test_scroll_script_takes_only_plain_ids():
    assert 'getElementById("kb-target")' in scroll_script("kb-target", 3) and "jump 3" in scroll_script("kb-target", 3)
    with pytest.raises(ValueError):
        scroll_script('x");alert(1);("', 1)
    focused = scroll_script("kb-ask", 1, focus_box="Your question")
    assert 'textarea[aria-label="Your question"]' in focused and "box.select()" in focused
    assert "box.select()" not in scroll_script("kb-ask", 1), "no focus unless asked"
    with pytest.raises(ValueError):
        scroll_script("kb-ask", 1, focus_box='x"], body, [x="')


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("## Treatment ##", "Treatment"),
        ("# Ménière’s disease", "Ménière’s disease"),
        ("Botulinum is **injected** into _some_ muscles.", "Botulinum is injected into some muscles."),
        ("See [the NIH page](https://www.ninds.nih.gov/a_(b) \"title\") now.", "See the NIH page now."),
        ("![a diagram](img.png)", "a diagram"),
        ("Take `levodopa` daily.", "Take levodopa daily."),
        ("- Vertigo\n  * Neck spasms\n+ Café", "• Vertigo\n  • Neck spasms\n• Café"),
        ("> quoted advice", "quoted advice"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "| a | b |\n| 1 | 2 |"),
        ("Before\n---\nAfter", "Before\nAfter"),
        (r"\*not emphasis\* and \_x\_", "*not emphasis* and _x_"),
        # Not Markdown: left alone.
        (
            "5 * 3 = 15, file_name, 2*x*y, C++ and snake_case_word",
            "5 * 3 = 15, file_name, 2*x*y, C++ and snake_case_word",
        ),
        ("Phone: 312.755.0198\n1. First step", "Phone: 312.755.0198\n1. First step"),
        ("", ""),
    ],
)
def test_readable_text_drops_markdown_markup(markdown, shown):
    assert readable_text(markdown) == shown


def test_readable_parts_keep_the_evidence_apart():
    text = "## Symptoms\n- **Twisting** of the neck\n- Tremor"
    start = text.index("**Twisting**")
    end = start + len("**Twisting** of the neck")
    assert readable_parts(text, (start, end)) == ("Symptoms\n• ", "Twisting of the neck", "\n• Tremor")
    assert readable_parts(text) == (readable_text(text), "", "")


def test_the_reader_names_the_format_in_words():
    from page_markup import document_meta_html

    doc_id = "medquad/3_GHR_QA__0000704.xml"
    line = document_meta_html("https://ghr.nlm.nih.gov/condition/x", doc_id, "medquad", "medquad")
    assert line.endswith(" · medquad · GHR · MedQuAD XML</div>"), line
    assert document_meta_html("a.txt", "a.txt", "notes", "txt").endswith(" · notes · Text</div>")
