"""Loader tests: every format's fixture, the founding documents, all real MedQuAD files,
the bad files, web-residue cleaning and content sniffing. Fast: no model, no network;
anything generated goes to tmp_path."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from ingest import loaders
from ingest.clean import clean_web_residue
from ingest.document import Document, LoadError
from ingest.loaders import SUPPORTED_SUFFIXES, load_document, sniff_format
from ingest.loaders.text import CONTACT_SECTION, is_label_value

REPO = Path(__file__).resolve().parents[1]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOUNDING = REPO / "corpus" / "founding"
SHARED = Path(__file__).resolve().parents[2] / "shared"
MEDQUAD = SHARED / "data" / "medquad"

GOOD_FIXTURES = {
    "sample.txt": "txt",
    "sample.md": "md",
    "sample.html": "html",
    "sample.pdf": "pdf",
    "sample.docx": "docx",
    "medquad_main.xml": "medquad",
    "medquad_ninds.xml": "medquad",
}
NON_ASCII_PROBES = ("café", "Ménière", "naïve", "—", "’", "São Paulo")
MOJIBAKE = ("Ã", "â€", "\ufffd")


def load(name: str) -> Document:
    return load_document(FIXTURES / name, f"fixtures/{name}")


def body(doc: Document, heading: str) -> str:
    matches = [doc.text[s.start : s.end] for s in doc.sections if s.heading == heading]
    assert len(matches) == 1, f"expected one section {heading!r}, got {len(matches)}"
    return matches[0]


def collapse(text: str) -> str:
    return " ".join(text.split())


def assert_invariants(doc: Document, doc_id: str) -> None:
    """The contract every loader keeps, checked on any Document."""
    text = doc.text
    assert doc.doc_id == doc_id
    assert doc.title and doc.title == doc.title.strip()
    assert doc.format in {"txt", "md", "html", "pdf", "docx", "medquad"}
    assert doc.source == doc_id or doc.source.startswith(("http://", "https://"))
    assert doc.collection == "", "the pipeline names the collection (the first folder), never a loader"
    assert "\r" not in text and not text.startswith("\ufeff")
    assert text.strip()
    assert doc.sections, "a loaded document has at least one section"

    previous_end = 0
    for section in doc.sections:
        assert 0 <= section.start < section.end <= len(text)
        assert section.start >= previous_end, "sections sorted and non-overlapping"
        span = text[section.start : section.end]
        assert span == span.strip(), "section spans are trimmed"
        assert "\n" not in section.heading and section.heading == section.heading.strip()
        if section.heading:
            # The heading line sits between the previous body and this one, not inside a body;
            # a section the layout names (a contact list: "Organizations") has no line at all.
            gap = collapse(text[previous_end : section.start].replace("#", " "))
            assert collapse(section.heading) in gap or (section.heading == CONTACT_SECTION and not gap)
        previous_end = section.end

    # Every visible character outside the bodies belongs to the title line or a heading line.
    covered = [False] * len(text)
    for section in doc.sections:
        covered[section.start : section.end] = [True] * (section.end - section.start)
    allowed = {collapse(doc.title)} | {collapse(s.heading) for s in doc.sections if s.heading}
    pos = 0
    for line in text.split("\n"):
        outside = [ch for i, ch in enumerate(line) if not covered[pos + i] and not ch.isspace()]
        if outside:
            assert collapse(line.strip().strip("#")) in allowed, f"stray text outside sections: {line!r}"
        pos += len(line) + 1

    if doc.format != "pdf":
        first_line = next(line for line in text.split("\n") if line.strip())
        if collapse(first_line) == collapse(doc.title):
            start = text.index(first_line)
            assert all(s.start >= start + len(first_line) or s.end <= start for s in doc.sections)

    if doc.pages:
        numbers = [p.number for p in doc.pages]
        assert numbers == sorted(set(numbers)) and numbers[0] >= 1
        for page, following in zip(doc.pages, doc.pages[1:]):
            assert page.end <= following.start
        for section in doc.sections:
            assert any(p.start <= section.start and section.end <= p.end for p in doc.pages)


# --- every good fixture --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD_FIXTURES))
def test_fixture_keeps_invariants_and_utf8(name: str) -> None:
    doc = load(name)
    assert_invariants(doc, f"fixtures/{name}")
    assert doc.format == GOOD_FIXTURES[name]
    assert any(probe in doc.text for probe in NON_ASCII_PROBES)
    assert not any(bad in doc.text or bad in doc.title for bad in MOJIBAKE)


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".xml")


# --- txt ------------------------------------------------------------------------------


def test_txt_title_headings_and_cleaning() -> None:
    raw = (FIXTURES / "sample.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw, "fixture keeps its BOM and CRLF"
    doc = load("sample.txt")
    assert doc.title == "Living with Cervical Dystonia — a café conversation"
    assert doc.source == "fixtures/sample.txt"
    assert [s.heading for s in doc.sections] == ["", "What is cervical dystonia?", "Is there any treatment?"]
    assert body(doc, "").startswith("Notes from a naïve patient’s first year, written in São Paulo.\nA second line")
    treatment = body(doc, "Is there any treatment?")
    # A line ending in ":" and a postal address are body text, not headings.
    assert "Useful contacts:" in treatment and "Clínica do Movimento\nRua Augusta 100" in treatment
    assert "Ménière’s disease" in doc.text
    assert "Read more" not in doc.text


def test_txt_only_title_has_no_body(tmp_path: Path) -> None:
    path = tmp_path / "title_only.txt"
    path.write_text("Just a title\n\n", encoding="utf-8")
    with pytest.raises(LoadError, match="no text found"):
        load_document(path, "title_only.txt")


def test_txt_last_short_line_is_body_not_heading(tmp_path: Path) -> None:
    path = tmp_path / "short_end.txt"
    path.write_text("Title\n\nSome body text.\n\nThanks for reading\n", encoding="utf-8")
    doc = load_document(path, "short_end.txt")
    assert "Thanks for reading" in body(doc, "")


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "UPPER.TXT"
    shutil.copy(FIXTURES / "sample.txt", path)
    assert load_document(path, "UPPER.TXT").format == "txt"


# --- markdown ---------------------------------------------------------------------------


def test_markdown_front_matter_and_headings() -> None:
    doc = load("sample.md")
    assert doc.title == "Ménière’s disease and dystonia — notes"
    assert doc.source == "https://example.org/menieres-notes"
    assert doc.text.startswith("# Ménière’s disease and dystonia\n")
    assert "tags:" not in doc.text and "---" not in doc.text
    assert [s.heading for s in doc.sections] == ["Ménière’s disease and dystonia", "Symptoms", "Treatment", "Follow-up"]
    assert body(doc, "Symptoms") == "- Vertigo — sometimes severe\n- Neck spasms that pull the head to one side"
    treatment = body(doc, "Treatment")
    assert "**injected**" in treatment, "markdown body is kept as written"
    assert "# a comment in code, not a heading" in treatment, "fenced code is not a heading"
    assert "###" not in body(doc, "Follow-up")


def test_markdown_title_fallbacks_and_url_key(tmp_path: Path) -> None:
    heading_title = tmp_path / "a.md"
    heading_title.write_text("Intro line.\n\n# Real Title\n\nBody.\n", encoding="utf-8")
    doc = load_document(heading_title, "a.md")
    assert doc.title == "Real Title" and doc.source == "a.md"
    assert_invariants(doc, "a.md")

    first_line = tmp_path / "b.markdown"
    first_line.write_text(
        "---\nurl: https://example.org/b\n---\nPlain first line\n\nSecond paragraph.\n", encoding="utf-8"
    )
    doc = load_document(first_line, "b.markdown")
    assert doc.title == "Plain first line" and doc.source == "https://example.org/b"
    assert [doc.text[s.start : s.end] for s in doc.sections] == ["Second paragraph."]
    assert_invariants(doc, "b.markdown")


def test_markdown_bad_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [unclosed\n---\n# Heading\n\nBody.\n", encoding="utf-8")
    with pytest.raises(LoadError, match="front matter"):
        load_document(path, "bad.md")


# --- html -----------------------------------------------------------------------------


def test_html_main_content_title_source_sections() -> None:
    doc = load("sample.html")
    assert doc.title == "Dystonia in São Paulo — Café Clinic"
    assert doc.source == "https://example.org/dystonia-sao-paulo"
    assert [s.heading for s in doc.sections] == [
        "Dystonia at the café clinic",
        "Treatment options",
        "Living with dystonia",
    ]
    intro = body(doc, "Dystonia at the café clinic")
    assert intro == (
        "Dystonia is a movement disorder. A naïve question from a patient’s family: is it Ménière’s disease?"
        "\n\nNo — it is not.\nThe clinic is in São Paulo."
    )
    treatment = body(doc, "Treatment options")
    assert "Botulinum toxin\nDeep brain stimulation" in treatment
    assert "Drug | Use\nTrihexyphenidyl | Generalised dystonia" in treatment
    assert body(doc, "Living with dystonia") == "Support groups meet monthly — café included."


def test_html_drops_residue() -> None:
    doc = load("sample.html")
    for residue in ("RESIDUE", "Home", "about us", "tracking", "font-family", "Read more", "OG title", "© 2024"):
        assert residue not in doc.text, residue


def _write_html(tmp_path: Path, name: str, html: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(html.encode(encoding))
    return path


def test_html_title_and_source_fallbacks(tmp_path: Path) -> None:
    og = _write_html(
        tmp_path,
        "og.html",
        '<html><head><meta property="og:title" content="OG café">'
        '<meta property="og:url" content="https://example.org/og">'
        '<link rel="canonical" href="/relative"></head>'
        "<body><article><h2>Part</h2><p>Text é.</p></article></body></html>",
    )
    doc = load_document(og, "og.html")
    assert doc.title == "OG café" and doc.source == "https://example.org/og"

    h1 = _write_html(
        tmp_path,
        "h1.htm",
        "<html><body><nav>Menu</nav><h1>First heading</h1><p>Body text.</p>"
        '<link rel="canonical" href="/x"></body></html>',
    )
    doc = load_document(h1, "h1.htm")
    assert doc.title == "First heading" and doc.source == "h1.htm" and "Menu" not in doc.text
    assert_invariants(doc, "h1.htm")


def test_html_several_articles_are_all_content(tmp_path: Path) -> None:
    path = _write_html(
        tmp_path,
        "list.html",
        "<html><body><header>Site</header><article><p>First story.</p></article>"
        "<article><header><h2>Second</h2></header><p>Second story.</p></article></body></html>",
    )
    doc = load_document(path, "list.html")
    assert "First story." in doc.text and "Second story." in doc.text and "Site" not in doc.text
    assert [s.heading for s in doc.sections] == ["", "Second"], "an article's own header is kept"


def test_html_encodings(tmp_path: Path) -> None:
    declared = _write_html(
        tmp_path,
        "cp1252.html",
        '<html><head><meta charset="windows-1252"><title>Caf\u00e9</title></head>'
        "<body><p>Patient\u2019s caf\u00e9.</p></body></html>",
        encoding="cp1252",
    )
    assert load_document(declared, "cp1252.html").text == "Patient’s café."

    undeclared = _write_html(tmp_path, "latin1.html", "<html><body><p>Caf\u00e9</p></body></html>", encoding="latin-1")
    with pytest.raises(LoadError, match="UTF-8"):
        load_document(undeclared, "latin1.html")

    lying = _write_html(
        tmp_path,
        "lying.html",
        '<html><head><meta charset="utf-8"></head><body><p>Caf\u00e9</p></body></html>',
        "latin-1",
    )
    with pytest.raises(LoadError, match="UTF-8"):
        load_document(lying, "lying.html")


def test_html_keeps_loose_inline_text(tmp_path: Path) -> None:
    path = _write_html(
        tmp_path,
        "loose.html",
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Loose</title></head>'
        "<body><p>Para one</p>tail <b>text</b><h2>H</h2>after <i>the</i> heading</body></html>",
    )
    doc = load_document(path, "loose.html")
    assert doc.text == "Para one\n\ntail text\n\nH\n\nafter the heading"
    assert [(s.heading, doc.text[s.start : s.end]) for s in doc.sections] == [
        ("", "Para one\n\ntail text"),
        ("H", "after the heading"),
    ]


def test_html_without_text(tmp_path: Path) -> None:
    path = _write_html(
        tmp_path,
        "empty.html",
        "<html><head><title>T</title><script>x()</script></head><body><nav>Menu</nav></body></html>",
    )
    with pytest.raises(LoadError, match="no text found"):
        load_document(path, "empty.html")


# --- pdf ------------------------------------------------------------------------------


def test_pdf_pages_title_and_sections() -> None:
    doc = load("sample.pdf")
    assert doc.title == "Dystonia café notes — fixture"
    assert doc.source == "fixtures/sample.pdf"
    assert [p.number for p in doc.pages] == [1, 2]
    page_two = "Page two: the clinic in São Paulo serves café."
    assert page_two in doc.text[doc.pages[1].start : doc.pages[1].end]
    assert page_two not in doc.text[doc.pages[0].start : doc.pages[0].end]
    assert "Ménière’s disease" in doc.text[doc.pages[0].start : doc.pages[0].end]
    assert doc.text[doc.pages[0].end : doc.pages[1].start] == "\n\n"
    assert [(s.heading, s.start, s.end) for s in doc.sections] == [("", p.start, p.end) for p in doc.pages]


def _make_pdf(path: Path, lines: list[str], title: str | None = None, password: str | None = None) -> Path:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    for line in lines:
        pdf.cell(w=0, h=8, text=line, new_x="LMARGIN", new_y="NEXT")
    if not lines:
        pdf.rect(20, 20, 100, 100, style="F")  # a "scan": ink but no text layer
    pdf.output(str(path))
    return path


def test_pdf_title_falls_back_to_first_line(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "untitled.pdf", ["", "First real line", "More text"])
    doc = load_document(path, "untitled.pdf")
    assert doc.title == "First real line"
    assert_invariants(doc, "untitled.pdf")


@pytest.mark.parametrize(
    "placeholder", ["about:blank", "Untitled", "Microsoft Word - handout.docx", "handout.pdf", "C:\\clinic\\x.doc"]
)
def test_a_title_a_tool_filled_in_gives_way_to_the_first_line(tmp_path: Path, placeholder: str) -> None:
    """A browser's print to PDF calls the page "about:blank": the reader should see the handout's name."""
    path = _make_pdf(tmp_path / "handout.pdf", ["Cervical dystonia clinic handout", "More text"], title=placeholder)
    doc = load_document(path, "handout.pdf")
    assert doc.title == "Cervical dystonia clinic handout"
    assert_invariants(doc, "handout.pdf")


def test_a_real_title_is_not_taken_for_a_placeholder() -> None:
    from ingest.loaders._common import placeholder_title

    for title in ("Dystonia: a guide", "Title and registration of clinics", "Document of the month: dystonia",
                  "Untitled fears", "About dystonia", "Living with DYT1"):
        assert not placeholder_title(title), title
    for title in ("about:blank", "UNTITLED", "Untitled document", "Document1", "https://example.org/x", "Slide 1"):
        assert placeholder_title(title), title


def test_pdf_scanned_encrypted_truncated(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"no text found \(scanned PDF\?\)"):
        load_document(_make_pdf(tmp_path / "scan.pdf", []), "scan.pdf")
    with pytest.raises(LoadError, match="encrypted"):
        load_document(_make_pdf(tmp_path / "locked.pdf", ["secret"], password="pw"), "locked.pdf")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes((FIXTURES / "sample.pdf").read_bytes()[:300])
    with pytest.raises(LoadError):
        load_document(truncated, "truncated.pdf")


# --- docx -----------------------------------------------------------------------------


def test_docx_title_headings_and_table() -> None:
    doc = load("sample.docx")
    assert doc.title == "Dystonia Care in São Paulo", "a Title paragraph beats core properties"
    assert doc.source == "fixtures/sample.docx"
    assert [s.heading for s in doc.sections] == ["", "Symptoms", "Neck and shoulders"]
    assert body(doc, "") == "An introduction for the naïve reader, written at a café."
    assert body(doc, "Symptoms") == "Ménière’s disease is different — it affects the inner ear."
    assert body(doc, "Neck and shoulders") == (
        "Cervical dystonia turns the head to one side.\nDrug | Use\nBotulinum toxin | Focal dystonia\n"
        "Ask your neurologist about the patient’s diary."
    ), "table rows come in document order"


def test_docx_title_fallbacks(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Core title"
    document.add_paragraph("First paragraph.")
    document.add_heading("Heading", level=1)
    document.add_paragraph("Body.")
    document.save(str(tmp_path / "core.docx"))
    doc = load_document(tmp_path / "core.docx", "core.docx")
    assert doc.title == "Core title"
    assert body(doc, "") == "First paragraph."

    document.core_properties.title = ""
    document.save(str(tmp_path / "plain.docx"))
    doc = load_document(tmp_path / "plain.docx", "plain.docx")
    assert doc.title == "First paragraph."
    assert [s.heading for s in doc.sections] == ["Heading"]
    assert_invariants(doc, "plain.docx")


def test_docx_broken(tmp_path: Path) -> None:
    renamed = tmp_path / "renamed.docx"
    shutil.copy(FIXTURES / "sample.pdf", renamed)
    with pytest.raises(LoadError, match="DOCX"):
        load_document(renamed, "renamed.docx")
    hollow = tmp_path / "hollow.docx"
    with zipfile.ZipFile(hollow, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    with pytest.raises(LoadError, match="DOCX"):
        load_document(hollow, "hollow.docx")


# --- MedQuAD --------------------------------------------------------------------------


def test_medquad_main_schema() -> None:
    doc = load("medquad_main.xml")
    assert doc.title == "dopa-responsive dystonia"
    assert doc.source == "https://ghr.nlm.nih.gov/condition/dopa-responsive-dystonia"
    assert doc.collection == ""  # the source (GHR) is a display label: index.display.source_label
    assert [s.heading for s in doc.sections] == [
        "What is (are) dopa-responsive dystonia ?",
        "How many people are affected by dopa-responsive dystonia ?",
        "What are the treatments for dopa-responsive dystonia ?",
    ], "the pair with an empty answer is skipped; questions are whitespace-collapsed"
    assert doc.text.startswith(
        "dopa-responsive dystonia\n\nWhat is (are) dopa-responsive dystonia ?\n"
        "Other names: DRD; dystonia 5, dopa-responsive type\nDopa-responsive"
    ), "the focus's other names lead the first answer, each once, the focus itself left out"
    first = body(doc, "What is (are) dopa-responsive dystonia ?")
    assert first.startswith("Other names: DRD;"), "the names are inside the first section, so a passage holds them"
    assert first.endswith("range from mild to severe. Signs and symptoms of dopa-responsive dystonia usually appear "
                          "during childhood, most commonly around age 6.")
    assert body(doc, "How many people are affected by dopa-responsive dystonia ?") == (
        "Dopa-responsive dystonia is estimated to affect 1 per million people worldwide."
    )
    assert "Children’s Hospital" in doc.text
    for section in doc.sections:
        assert doc.text[: section.start].endswith(section.heading + "\n")
    assert "\n\nHow many people" in doc.text, "blank line between pairs"


def test_medquad_ninds_schema() -> None:
    doc = load("medquad_ninds.xml")
    assert doc.title == "Psychogenic Movement"
    assert doc.source == "http://www.ninds.nih.gov/disorders/psychogenic_movement/psychogenic_movement.htm"
    assert doc.collection == ""
    assert [s.heading for s in doc.sections] == [
        "what is psychogenic movement?",
        "what is the prognosis for Psychogenic Movement ?",
    ]
    answer = body(doc, "what is psychogenic movement?")
    assert "involuntary—done without" in answer
    assert "chronic disability.\nPsychogenic movement is uncommon" in answer, "answer paragraphs become lines"
    assert "10 years. In children" in answer, "no-break space plus space collapses to one space"
    assert "\xa0" not in doc.text and "  " not in doc.text


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        ("<Document id='1' source='GARD'><Focus>X</Focus></Document>", "not a MedQuAD document"),
        ("<doc corpus='NINDS'><doctitle-focus>X</doctitle-focus></doc>", "not a MedQuAD document"),
        (
            "<Document source='MPlusDrugs'><Focus>X</Focus><QAPairs><QAPair><Question>Q?</Question>"
            "<Answer> </Answer></QAPair></QAPairs></Document>",
            "no text found",
        ),
        ("<Document><Focus>unclosed", "not well-formed XML"),
    ],
)
def test_medquad_rejects(tmp_path: Path, xml: str, reason: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(xml, encoding="utf-8")
    with pytest.raises(LoadError, match=reason):
        load_document(path, "bad.xml")


def test_medquad_does_not_resolve_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<Document source='GARD' url='https://x.org'><Focus>F</Focus><QAPairs><QAPair>"
        "<Question>Q?</Question><Answer>A &x;</Answer></QAPair></QAPairs></Document>",
        encoding="utf-8",
    )
    try:
        doc = load_document(path, "xxe.xml")
    except LoadError:
        return
    assert "TOP-SECRET" not in doc.text


def _medquad_files() -> list[Path]:
    return sorted((MEDQUAD / "dystonia").glob("*.xml")) + sorted((MEDQUAD / "ninds").glob("*.xml"))


@pytest.mark.skipif(not MEDQUAD.is_dir(), reason=f"shared MedQuAD data not found at {MEDQUAD}")
def test_all_real_medquad_files_load() -> None:
    files = _medquad_files()
    assert (MEDQUAD / "dystonia").is_dir() and (MEDQUAD / "ninds").is_dir()
    assert files, "MedQuAD folders are empty"
    failures = []
    for path in files:
        doc_id = f"medquad/{path.parent.name}/{path.name}"
        try:
            doc = load_document(path, doc_id)
            assert_invariants(doc, doc_id)
            assert doc.format == "medquad" and doc.source.startswith("http")
            assert len(doc.sections) >= 1
        except (LoadError, AssertionError) as exc:
            failures.append(f"{doc_id}: {exc!r}")
    assert not failures, "\n".join(failures)


@pytest.mark.skipif(not (MEDQUAD / "ninds").is_dir(), reason=f"shared MedQuAD data not found at {MEDQUAD}")
@pytest.mark.parametrize("name", ["0000007.xml", "0000018.xml", "0000182.xml", "0000244.xml"])
def test_real_ninds_variant_files(name: str) -> None:
    doc = load_document(MEDQUAD / "ninds" / name, name)
    assert doc.collection == ""
    assert doc.source.startswith("http://www.ninds.nih.gov/")
    assert doc.sections and all(s.heading for s in doc.sections)


# --- founding documents and web residue -------------------------------------------------


def test_founding_documents_lose_web_residue() -> None:
    news = load_document(FOUNDING / "dystonia_treatment_news.txt", "founding/dystonia_treatment_news.txt")
    what = load_document(FOUNDING / "what_are_dystonias.txt", "founding/what_are_dystonias.txt")
    for doc in (news, what):
        assert_invariants(doc, doc.doc_id)
        assert "Read More" not in doc.text and "#6006" not in doc.text
    assert "cell-based ..." in news.text
    assert news.text.rstrip().endswith("development of a new cell-based ...")
    assert "11/20/2012" in what.text and what.text.rstrip().endswith("last reviewed on: 11/20/2012")
    assert what.title == "What are Dystonias?"
    headings = [s.heading for s in what.sections]
    assert "Is there any treatment?" in headings and "What is the prognosis?" in headings
    assert "Dystonia Medical Research Foundation" not in headings, "postal address blocks are not headings"
    organisations = body(what, "Organizations")
    assert organisations.startswith("Dystonia Medical Research Foundation\n1 East Wacker Drive, Suite 2810")
    assert organisations.endswith("Email: info@dystoniasociety.org")
    assert "1 East Wacker Drive" not in body(what, "What research is being done?")
    assert not any(h.startswith("Source") for h in headings), "a 'Source: …' line is not a heading"
    last = what.sections[-1]
    assert last.heading == "" and what.text[last.start : last.end].startswith("Source: National Institutes of Health")


@pytest.mark.parametrize(
    ("line", "metadata"),
    [
        ("Source: National Institutes of Health", True),
        ("Reviewed: 11/20/2012", True),
        ("Last updated: March 2024", True),
        ("Updated: yesterday", True),
        ("Dystonia: an overview", False),
        ("Is there any treatment?", False),
        ("Botulinum toxin", False),
    ],
)
def test_label_value_lines_are_metadata_not_headings(line: str, metadata: bool) -> None:
    assert is_label_value(line) is metadata


def test_txt_source_and_reviewed_lines_are_not_headings(tmp_path: Path) -> None:
    path = tmp_path / "labels.txt"
    path.write_text(
        "Title\n\nIntro text.\n\nSource: National Institutes of Health\n\nReviewed: 11/20/2012\n\n"
        "Real heading\n\nBody of the real heading.\n",
        encoding="utf-8",
    )
    doc = load_document(path, "labels.txt")
    assert [s.heading for s in doc.sections] == ["", "Real heading"]
    assert "Source: National Institutes of Health" in body(doc, "")
    assert_invariants(doc, "labels.txt")


def test_txt_contact_list_is_its_own_section_named_by_its_heading(tmp_path: Path) -> None:
    entries = "Alpha Café Society\n1 Main Street\nPhone: 555.123.4567\n\nBeta Foundation\nP.O. Box 9\nEmail: b@beta.org"
    unnamed = tmp_path / "unnamed.txt"
    unnamed.write_text(f"Title\n\nWhat is it?\n\nA paragraph.\n\n{entries}\n\nClosing words.\n", encoding="utf-8")
    doc = load_document(unnamed, "unnamed.txt")
    assert [s.heading for s in doc.sections] == ["What is it?", CONTACT_SECTION, ""]
    assert body(doc, CONTACT_SECTION) == entries
    assert_invariants(doc, "unnamed.txt")
    named = tmp_path / "named.txt"
    named.write_text(f"Title\n\nIntro.\n\nWhere to get help\n\n{entries}\n", encoding="utf-8")
    doc = load_document(named, "named.txt")
    assert [s.heading for s in doc.sections] == ["", "Where to get help"]
    assert body(doc, "Where to get help") == entries
    assert_invariants(doc, "named.txt")


def test_markdown_contact_list_under_its_heading(tmp_path: Path) -> None:
    path = tmp_path / "contacts.md"
    path.write_text(
        "# Help\n\nSome text.\n\nAlpha Society\n1 Main Street\nPhone: 555.123.4567\n\n"
        "Beta Foundation\nP.O. Box 9\nEmail: b@beta.org\n\n## Next\n\nMore.\n",
        encoding="utf-8",
    )
    doc = load_document(path, "contacts.md")
    assert [s.heading for s in doc.sections] == ["Help", CONTACT_SECTION, "Next"]
    assert_invariants(doc, "contacts.md")


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("a new cell-based ...\nRead More", "a new cell-based ..."),
        ("Text.\n  read more  \nMore text.", "Text.\nMore text."),
        ("Text.\nContinue Reading\n", "Text.\n"),
        ("Text.\nRead more »\n", "Text.\n"),
        ("reviewed on: 11/20/2012...#6006", "reviewed on: 11/20/2012"),
        ("reviewed on: 11/20/2012...#6006#\n", "reviewed on: 11/20/2012\n"),
        ("Read more about dystonia here.", "Read more about dystonia here."),
        ("Wait... #1 reason", "Wait... #1 reason"),
    ],
)
def test_clean_web_residue(raw: str, cleaned: str) -> None:
    assert clean_web_residue(raw) == cleaned


# --- bad files and errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("unsupported.xyz", r"^unsupported file type \.xyz$"),
        ("not_a_pdf.pdf", r"^not a readable PDF: the file does not start like a PDF \("),
        ("latin1.txt", r"not valid UTF-8"),
        ("empty.txt", "no text found"),
        ("not_medquad.xml", "not a MedQuAD document"),
    ],
)
def test_bad_fixtures_raise_load_error(name: str, reason: str) -> None:
    with pytest.raises(LoadError, match=reason):
        load(name)


def test_missing_binary_and_unreadable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(LoadError, match="file not found"):
        load_document(tmp_path / "missing.txt", "missing.txt")
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(LoadError, match="not a regular file"):
        load_document(tmp_path / "folder.md", "folder.md")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"Title\n\nbody\x00\x01")
    with pytest.raises(LoadError, match="NUL"):
        load_document(binary, "binary.txt")

    unreadable = tmp_path / "locked.txt"
    unreadable.write_text("Title\n\nBody.\n", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(LoadError, match="cannot read file.*Permission denied"):
        load_document(unreadable, "locked.txt")


def test_parser_crash_becomes_load_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(path: Path, doc_id: str) -> Document:
        raise RecursionError("parser blew up")

    html_format = next(f for f in loaders.FORMATS if f.name == "html")
    formats = tuple(replace(f, load=crash) if f is html_format else f for f in loaders.FORMATS)
    monkeypatch.setattr(loaders, "FORMATS", formats)
    path = tmp_path / "deep.html"
    path.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(LoadError, match=r"cannot parse \.html file \(RecursionError\)") as info:
        load_document(path, "deep.html")
    assert isinstance(info.value.__cause__, RecursionError)


# --- sniffing -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD_FIXTURES))
def test_sniff_accepts_good_fixtures(name: str) -> None:
    path = FIXTURES / name
    assert sniff_format(path.read_bytes(), path.suffix)


def test_sniff_rejects_mismatches() -> None:
    pdf = (FIXTURES / "sample.pdf").read_bytes()
    docx_bytes = (FIXTURES / "sample.docx").read_bytes()
    assert sniff_format(pdf, "PDF") and sniff_format(pdf, ".PDF")
    assert not sniff_format(pdf, ".docx"), "a PDF renamed .docx"
    assert not sniff_format(docx_bytes, ".pdf"), "a DOCX renamed .pdf"
    assert not sniff_format(docx_bytes, ".txt")
    assert not sniff_format((FIXTURES / "not_a_pdf.pdf").read_bytes(), ".pdf")
    assert not sniff_format((FIXTURES / "latin1.txt").read_bytes(), ".txt")
    assert not sniff_format((FIXTURES / "latin1.txt").read_bytes(), ".html")
    assert not sniff_format(b"text\x00with NUL", ".md")
    assert not sniff_format((FIXTURES / "not_medquad.xml").read_bytes(), ".xml")
    assert not sniff_format(b"<Document><Focus>unclosed", ".xml")
    assert not sniff_format((FIXTURES / "sample.html").read_bytes(), ".xml")
    assert not sniff_format(b"anything", ".xyz")
    assert sniff_format(b"", ".txt"), "empty text is well-formed UTF-8; the loader rejects it later"


def test_sniff_rejects_zip_without_word_document(tmp_path: Path) -> None:
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")
    assert not sniff_format(path.read_bytes(), ".docx")


def test_ingest_imports_nothing_from_index() -> None:
    """Dependencies point one way: index/ uses ingest/, never the reverse."""
    root = Path(__file__).resolve().parents[1] / "ingest"
    offenders = [
        f"{path.relative_to(root.parent)}:{number}"
        for path in root.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"^\s*(from index\b|import index\b)", line)
    ]
    assert offenders == []


def test_pdf_lines_wrapped_mid_sentence_are_one_sentence(tmp_path: Path) -> None:
    """A paragraph the page width wrapped comes back as its sentences, not its printed lines: a line
    break ends a sentence, and the marked evidence would stop at the edge of the page."""
    from ingest.sentences import split_sentences

    long = (
        "In a small study, people with cervical dystonia who were treated with botulinum toxin every three "
        "months reported less neck pain, better posture and fewer spasms after the second treatment, "
        "although the effect faded (in some) before the next injection was due."
    )
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.cell(w=0, h=8, text="Treatment notes", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(w=120, h=8, text=long, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(w=0, h=8, text="- Ask about side effects", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(w=0, h=8, text="Phone: 555.123.4567", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "wrapped.pdf"
    pdf.output(str(path))
    doc = load_document(path, "wrapped.pdf")
    assert_invariants(doc, "wrapped.pdf")
    sentences = [doc.text[a:b] for a, b in split_sentences(doc.text)]
    assert " ".join(long.split()) in sentences, sentences  # one sentence, wrapped lines joined by a space
    assert sentences[0] == "Treatment notes" and sentences[-2:] == ["- Ask about side effects", "Phone: 555.123.4567"]
