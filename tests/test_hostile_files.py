"""Hostile and broken input (issue 12): the limits of `ingest.limits`, zip bombs, XML entity payloads,
chunking that stays linear on huge text, damaged and odd files through a real ingest, hostile questions.

Every input is generated here, in tmp_path. A test taking more than ~3 s is marked slow.
"""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES
from fpdf import FPDF
from PIL import Image

from index.embedder import HashEmbedder
from index.report import FileResult, IngestReport
from index.search import MAX_QUESTION_CHARS, Searcher
from index.store import open_snapshot
from index.update import update_index
from ingest import chunker, limits
from ingest.chunker import ChunkSettings, chunk_document
from ingest.corpus import CorpusFile
from ingest.document import Document, LoadError, Section
from ingest.loaders import load_document, sniff_format
from ingest.prepare import prepare_file
from ingest.sentences import split_sentences
from ingest.tokens import load_token_counter
from ingest.uploads import UploadError, check_upload

GOOD_TEXT = (
    "Cervical dystonia\n\nCervical dystonia makes the neck muscles contract. "
    "Botulinum toxin injections help many patients.\n"
)
MB = 2**20


# --- generators -------------------------------------------------------------------------------


def _zip_of_zeros(path: Path, inflated: int) -> Path:
    """A .docx-shaped zip whose word/document.xml inflates to `inflated` bytes; small on disk."""
    block = b"\0" * MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(inflated // MB):
                member.write(block)
    return path


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """A ~1 MB .docx whose document.xml inflates to 210 MB, past the 200 MB limit."""
    return _zip_of_zeros(tmp_path_factory.mktemp("bomb") / "bomb.docx", 210 * MB)


def _docx_with_xml(path: Path, dtd: str, text: str) -> Path:
    """A real .docx whose document.xml gets `dtd` after its XML declaration and `text` in its paragraph."""
    base = path.with_suffix(".base.docx")
    document = docx.Document()
    document.add_paragraph("Dystonia PLACEHOLDER notes.")
    document.save(str(base))
    with zipfile.ZipFile(base) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    parts["word/document.xml"] = xml.replace("?>", "?>" + dtd, 1).replace("PLACEHOLDER", text).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    base.unlink()
    return path


LAUGHS_DTD = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


def _medquad(dtd: str = "", answer: str = "Dystonia is a movement disorder.") -> str:
    doctype = f"<!DOCTYPE Document [{dtd}]>" if dtd else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<Document source="GARD" url="https://example.org/d">'
        f"<Focus>Dystonia</Focus><QAPairs><QAPair><Question>What is dystonia?</Question>"
        f"<Answer>{answer}</Answer></QAPair></QAPairs></Document>"
    )


def _pdf(path: Path, lines: list[str], password: str | None = None, image: bool = False) -> Path:
    pdf = FPDF()
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    for line in lines:
        pdf.cell(w=0, h=8, text=line, new_x="LMARGIN", new_y="NEXT")
    if image:  # a scanned page: a picture of text, no text layer
        pdf.image(Image.new("L", (200, 60), color=200), x=20, y=20, w=100)
    pdf.output(str(path))
    return path


def _statuses(report: IngestReport) -> dict[str, FileResult]:
    return {f.doc_id: f for f in report.files}


def _measure(action: Callable[[], object]) -> tuple[float, int]:
    """Seconds taken and peak Python memory (bytes) of running `action`."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        action()
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, peak


def _refusal(path: Path) -> str:
    with pytest.raises(LoadError) as info:
        load_document(path, path.name)
    return str(info.value)


# --- limits -------------------------------------------------------------------------------------


def test_the_limits_and_how_they_are_worded():
    assert limits.MAX_FILE_BYTES == 50 * MB and limits.MAX_UPLOAD_BYTES == 20 * MB
    assert limits.MAX_ARCHIVE_INFLATED_BYTES == 200 * MB and limits.MAX_ARCHIVE_RATIO == 100
    assert limits.MAX_PDF_PAGES == 2000 and limits.MAX_CHUNKS_PER_DOCUMENT == 20_000
    assert limits.MAX_CHUNK_CHARS == 4000
    with pytest.raises(LoadError, match=r"^refused: the \.docx would inflate to 10\.2 GB \(limit 200 MB\)$"):
        limits.check_archive(".docx", int(10.2 * 2**30), 3 * MB)
    with pytest.raises(
        LoadError, match=r"^refused: the \.docx would inflate 1,024 times, from 150 KB to 150 MB \(limit 100"
    ):
        limits.check_archive(".docx", 150 * MB, 150 * 1024)
    with pytest.raises(LoadError, match=r"^refused: the file is 60 MB \(limit 50 MB\)$"):
        limits.check_file_size(60 * MB)
    with pytest.raises(LoadError, match=r"^refused: the PDF has 2,001 pages \(limit 2,000\)$"):
        limits.check_pdf_pages(2001)
    with pytest.raises(LoadError, match=r"^refused: the text would make 20,001 chunks \(limit 20,000 per document\)$"):
        limits.check_chunk_count(20_001)
    limits.check_archive(".docx", 300 * 1024, 3 * 1024)  # a tiny, very compressible file is fine


# --- zip bombs and entity payloads ------------------------------------------------------------------


def test_a_zip_bomb_docx_is_refused_before_inflating(zip_bomb):
    assert zip_bomb.stat().st_size < 2 * MB, "the bomb itself is small"
    reason = ""

    def load() -> None:
        nonlocal reason
        reason = _refusal(zip_bomb)

    seconds, peak = _measure(load)
    assert reason == "refused: the .docx would inflate to 210 MB (limit 200 MB)"
    assert seconds < 1 and peak < 5 * MB, (seconds, peak)


def test_the_upload_check_refuses_a_zip_bomb_before_inflating(zip_bomb, tmp_path):
    data = zip_bomb.read_bytes()
    assert not sniff_format(data, ".docx")

    def upload() -> None:
        with pytest.raises(UploadError, match=r"^bomb\.docx: refused: the \.docx would inflate to 210 MB"):
            check_upload(tmp_path, "bomb.docx", data)

    seconds, peak = _measure(upload)
    assert seconds < 1 and peak < len(data) + 5 * MB, (seconds, peak)
    assert not (tmp_path / "uploads").exists()


def test_a_docx_that_inflates_too_many_times_is_refused(tmp_path):
    path = _zip_of_zeros(tmp_path / "ratio.docx", 8 * MB)
    assert path.stat().st_size < 100_000
    assert _refusal(path).startswith("refused: the .docx would inflate ")
    with pytest.raises(UploadError, match="times"):
        check_upload(tmp_path, "ratio.docx", path.read_bytes())


def test_entity_declarations_in_docx_xml_are_never_expanded(tmp_path):
    laughs = _docx_with_xml(tmp_path / "laughs.docx", f"<!DOCTYPE w:document [{LAUGHS_DTD}]>", "&lol9;")
    reasons: list[str] = []
    seconds, peak = _measure(lambda: reasons.append(_refusal(laughs)))
    assert seconds < 2 and peak < 20 * MB, (seconds, peak)
    assert reasons[0].startswith("not a readable DOCX (XMLSyntaxError: Maximum entity amplification")

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    xxe = _docx_with_xml(tmp_path / "xxe.docx", f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{secret}">]>', "&x;")
    try:
        doc = load_document(xxe, "xxe.docx")
    except LoadError:
        return
    assert "TOP-SECRET" not in doc.text


@pytest.mark.parametrize(
    "name, xml, reason",
    [
        ("malformed", "<Document><Focus>unclosed</Document>", r"^not well-formed XML"),
        ("laughs", _medquad(LAUGHS_DTD, "&lol9;"), r"^refused: the XML declares an entity \(lol0\)"),
        (
            "external",
            _medquad('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;"),
            r"^refused: the XML declares an entity \(x\)",
        ),
        (
            "parameter",
            _medquad('<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;'),
            r"declares a parameter entity \(p\)",
        ),
        ("utf16", _medquad(LAUGHS_DTD, "&lol9;").replace("UTF-8", "UTF-16"), r"^refused: the XML declares an entity"),
    ],
)
def test_hostile_medquad_xml_is_refused_with_a_clear_reason(tmp_path, name, xml, reason):
    path = tmp_path / f"{name}.xml"
    data = xml.encode("utf-16") if name == "utf16" else xml.encode("utf-8")
    path.write_bytes(data)
    reasons: list[str] = []
    seconds, peak = _measure(lambda: reasons.append(_refusal(path)))
    assert seconds < 1 and peak < 5 * MB, (seconds, peak)
    assert re.search(reason, reasons[0]), reasons[0]
    assert not sniff_format(data, ".xml")
    upload_reason = reason.lstrip("^") if name != "malformed" else "not a valid .xml file"
    with pytest.raises(UploadError, match=upload_reason):
        check_upload(tmp_path, path.name, data)


def test_medquad_xml_without_entity_declarations_still_loads(tmp_path):
    path = tmp_path / "plain.xml"
    path.write_text(_medquad(), encoding="utf-8")
    assert load_document(path, "plain.xml").title == "Dystonia"
    with_doctype = tmp_path / "doctype.xml"
    with_doctype.write_text(_medquad().replace("?>", '?><!DOCTYPE Document SYSTEM "x.dtd">', 1), encoding="utf-8")
    assert "movement disorder" in load_document(with_doctype, "doctype.xml").text


# --- chunking stays linear and bounded ----------------------------------------------------------


def _document(text: str) -> Document:
    return Document("t.txt", "T", "t.txt", text, (Section("", 0, len(text)),))


def _check_chunks(doc: Document, sample: int | None = None) -> list:
    counter = load_token_counter()
    chunks = chunk_document(doc, counter, ChunkSettings())
    assert chunks
    for chunk in chunks:
        assert doc.text[chunk.char_start : chunk.char_end] == chunk.text
        assert len(chunk.text) <= limits.MAX_CHUNK_CHARS
    for chunk in chunks if sample is None else random.Random(0).sample(chunks, min(sample, len(chunks))):
        assert counter.count(chunk.embed_text) + 2 <= counter.max_sequence
        assert counter.count(chunk.text) <= ChunkSettings().max_tokens
    return chunks


@pytest.mark.parametrize(
    "line",
    [
        "word " * 400_000,
        "a" + "." * 2_000_000,
        "a." + ")" * 2_000_000,
        "a." + " " * 2_000_000 + "b",
        "x" * 2_000_000 + ". A",
    ],
    ids=["words", "dots", "brackets", "spaces", "giant-word"],
)
def test_split_sentences_is_linear_on_a_2mb_line(line):
    started = time.perf_counter()
    spans = split_sentences(line)
    assert time.perf_counter() - started < 2  # quadratic would take hours
    assert all(line[a:b].strip() == line[a:b] for a, b in spans)


def test_a_giant_word_becomes_bounded_chunks():
    text = "Start here. " + "x" * 200_000 + ". End here."
    chunks = _check_chunks(_document(text))
    assert len(chunks) >= 50 and "".join(c.text for c in chunks).count("x") == 200_000


def test_no_chunk_passes_the_character_limit():
    # Each 3,000-letter "word" is a single unknown word piece: 160 of them would fit the word-piece budget.
    words = " ".join("y" * 3000 for _ in range(30))
    gap = "Alpha sentence.\n" + " " * 9000 + "\nBeta sentence."
    for text in (words, gap, f"{words}. Then a normal sentence about dystonia."):
        chunks = _check_chunks(_document(text))
        assert max(len(c.text) for c in chunks) <= limits.MAX_CHUNK_CHARS
    assert [c.text for c in _check_chunks(_document(gap))] == ["Alpha sentence.", "Beta sentence."]


def test_too_many_chunks_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CHUNKS_PER_DOCUMENT", 5)
    monkeypatch.setattr(chunker, "MAX_CHUNKS_PER_DOCUMENT", 5)
    # One section: its words alone prove it, before any tokenising.
    with pytest.raises(LoadError, match=r"^refused: the text would make at least \d+ chunks \(limit 5 per document\)$"):
        chunk_document(_document("dystonia " * 2000), load_token_counter(), ChunkSettings())
    # Many small sections: the count of the chunks made.
    path = tmp_path / "many.md"
    path.write_text("".join(f"# Part {i}\n\nDystonia fact number {i}.\n\n" for i in range(12)), encoding="utf-8")
    with pytest.raises(
        LoadError, match=r"^refused: the text would make (at least )?\d+ chunks \(limit 5 per document\)$"
    ):
        prepare_file(CorpusFile("many.md", path, "hash"), ChunkSettings())


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["words", "giant-word"])
def test_a_5mb_single_line_chunks_in_seconds(kind):
    rng = random.Random(1)
    vocabulary = ["dystonia", "muscle", "contraction", "basal", "ganglia", "treatment", "botulinum", "the", "of"]
    line = " ".join(rng.choice(vocabulary) for _ in range(700_000))[: 5 * 10**6] if kind == "words" else "x" * 5 * 10**6
    started = time.perf_counter()
    chunks = _check_chunks(_document(line), sample=200)
    seconds = time.perf_counter() - started
    print(f"5 MB single line ({kind}): {len(chunks)} chunks in {seconds:.1f} s")
    assert seconds < 30, seconds
    if kind == "giant-word":
        assert [len(c.text) for c in chunks] == [limits.MAX_CHUNK_CHARS] * 1250


@pytest.mark.slow
def test_a_50mb_text_file_is_refused_in_seconds_with_bounded_memory(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    line = "Dystonia is a movement disorder in which muscles contract involuntarily, causing twisting movements.\n"
    with open(corpus / "big.txt", "w", encoding="utf-8") as handle:
        handle.write("A very long file\n\n")
        for _ in range(50 * 10**6 // len(line)):
            handle.write(line)
    assert (corpus / "big.txt").stat().st_size <= limits.MAX_FILE_BYTES
    report: IngestReport | None = None

    def ingest() -> None:
        nonlocal report
        report = update_index(corpus, tmp_path / "kb", HashEmbedder())

    seconds, peak = _measure(ingest)
    print(f"50 MB text file: refused in {seconds:.1f} s, peak Python memory {peak / MB:.0f} MB")
    assert report is not None
    files = _statuses(report)
    assert files["good.txt"].status == "added"
    assert files["big.txt"].status == "failed"
    assert files["big.txt"].reason.startswith("refused: the text would make at least")
    assert seconds < 60 and peak < 12 * limits.MAX_FILE_BYTES, (seconds, peak)


# --- hostile and broken files through a real ingest ------------------------------------------------

HOSTILE_HTML = """<html><head><title>Hostile page</title><script>alert('SCRIPT-TEXT')</script>
<style>body { color: red } STYLE-TEXT</style></head><body>
<iframe src="javascript:alert(1)">IFRAME-TEXT</iframe>
<p onclick="alert(3)">Dystonia causes involuntary muscle contractions.</p>
<p><a href="javascript:alert(2)">a link label</a> and <img src=x onerror="alert(4)"> more text.</p>
<script type="text/javascript">document.write('WRITTEN-TEXT')</script><noscript>NOSCRIPT-TEXT</noscript>
</body></html>"""

EXPECTED_FAILURES = {
    "empty.txt": r"^no text found$",
    "blank.txt": r"^no text found$",
    "random.txt": r"^binary data in a text file \(NUL bytes\)$",
    "latin1.txt": r"^not valid UTF-8 text \(byte 0xe9 at offset 3\): save it as UTF-8$",
    "utf16.txt": r"^UTF-16 text: save it as UTF-8$",
    "nul.txt": r"^binary data in a text file \(NUL bytes\)$",
    "huge.txt": r"^refused: the file is 60 MB \(limit 50 MB\)$",
    "truncated.pdf": r"^not a readable PDF: the file is cut short or damaged \(.+\); details: EOF marker not found",
    "encrypted.pdf": r"^encrypted PDF \(needs a password\)$",
    "scan.pdf": r"^no text found \(scanned PDF\?\): its page has no text layer, only images or drawings; OCR is not",
    "notzip.docx": r"^not a readable DOCX \(not a zip archive",
    "ratio.docx": r"^refused: the \.docx would inflate \d[\d,]* times",
    "malformed.xml": r"^not well-formed XML",
    "laughs.xml": r"^refused: the XML declares an entity",
    "xxe.xml": r"^refused: the XML declares an entity",
}
EXPECTED_SKIPS = {
    "outside.txt": "link to a file outside the corpus (not followed)",
    "outside-folder": "link to a folder outside the corpus (not followed)",
    "dangling.txt": "broken link (not followed)",
}
DEEP = "/".join(f"level{i:02d}" for i in range(50)) + "/deep.txt"
ODD_NAMES = ["with space.txt", "ünïcødé 文件.txt", "-rf.txt", "--help.md", DEEP]


def _write_hostile_corpus(corpus: Path, outside: Path) -> None:
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.txt").write_text("  \n\t\n   \n", encoding="utf-8")
    (corpus / "random.txt").write_bytes(random.Random(0).randbytes(4096))
    (corpus / "latin1.txt").write_bytes("Café au lait\n\nUne note.\n".encode("latin-1"))
    (corpus / "utf16.txt").write_bytes(GOOD_TEXT.encode("utf-16"))
    (corpus / "nul.txt").write_bytes(b"Title\n\nSome text\x00 and more.\n")
    with open(corpus / "huge.txt", "wb") as handle:
        handle.truncate(60 * MB)  # sparse: refused from its size, never read
    (corpus / "truncated.pdf").write_bytes((FIXTURES / "sample.pdf").read_bytes()[:700])
    _pdf(corpus / "encrypted.pdf", ["Secret dystonia notes."], password="pw")
    _pdf(corpus / "scan.pdf", [], image=True)
    (corpus / "notzip.docx").write_bytes(b"This is not a zip archive at all.")
    _zip_of_zeros(corpus / "ratio.docx", 8 * MB)
    (corpus / "malformed.xml").write_text("<Document><Focus>unclosed</Document>", encoding="utf-8")
    (corpus / "laughs.xml").write_text(_medquad(LAUGHS_DTD, "&lol9;"), encoding="utf-8")
    (corpus / "xxe.xml").write_text(
        _medquad(f'<!ENTITY x SYSTEM "file://{outside}/secret.txt">', "&x;"), encoding="utf-8"
    )
    (corpus / "page.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (outside / "secret.txt").write_text("Outside\n\nTOP-SECRET text outside the corpus.\n", encoding="utf-8")
    os.symlink(outside / "secret.txt", corpus / "outside.txt")
    os.symlink(outside, corpus / "outside-folder")
    os.symlink(corpus / "missing-target.txt", corpus / "dangling.txt")
    for name in ODD_NAMES:
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text(f"Odd name\n\nDystonia notes in {Path(name).name}.\n", encoding="utf-8")


class _Recorder(logging.Handler):
    """Keeps every record that reaches the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_hostile_files_fail_alone_with_clear_reasons(tmp_path, capfd):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    outside.mkdir()
    _write_hostile_corpus(corpus, outside)
    kb = tmp_path / "kb"
    recorder = _Recorder()
    logging.getLogger().addHandler(recorder)
    try:
        started = time.perf_counter()
        report = update_index(corpus, kb, HashEmbedder())
        seconds = time.perf_counter() - started
    finally:
        logging.getLogger().removeHandler(recorder)
    files = _statuses(report)
    for name, reason in EXPECTED_FAILURES.items():
        assert files[name].status == "failed", (name, files[name])
        assert re.search(reason, files[name].reason), (name, files[name].reason)
    for name, reason in EXPECTED_SKIPS.items():
        assert (files[name].status, files[name].reason) == ("skipped", reason)
    added = {"good.txt", "page.html", *ODD_NAMES}
    assert {f.doc_id for f in report.files if f.status == "added"} == added
    assert report.totals()["failed"] == len(EXPECTED_FAILURES) and seconds < 10

    snapshot = open_snapshot(kb)
    assert set(snapshot.content_hashes()) == added
    page = snapshot.document_text("page.html")
    assert "Dystonia causes involuntary muscle contractions." in page and "a link label" in page
    for hidden in ("SCRIPT", "STYLE", "IFRAME", "WRITTEN", "NOSCRIPT", "javascript", "alert", "onerror"):
        assert hidden not in page, hidden
    assert all("TOP-SECRET" not in snapshot.document_text(doc_id) for doc_id in added)
    assert len(DEEP.split("/")) == 51 and "Dystonia notes in deep.txt." in snapshot.document_text(DEEP)

    # pypdf's complaints went into the reason, not to stderr nor on to the root logger.
    assert "EOF marker" not in capfd.readouterr().err
    assert not [m for m in recorder.messages if "EOF marker" in m]


def test_a_file_that_now_fails_keeps_its_previous_version(tmp_path):
    corpus, kb = tmp_path / "corpus", tmp_path / "kb"
    corpus.mkdir()
    (corpus / "note.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (corpus / "big.txt").write_text(GOOD_TEXT, encoding="utf-8")
    for name, fixture in (("paper.pdf", "sample.pdf"), ("word.docx", "sample.docx"), ("qa.xml", "medquad_main.xml")):
        shutil.copy(FIXTURES / fixture, corpus / name)
    assert update_index(corpus, kb, HashEmbedder()).totals()["added"] == 5
    before = open_snapshot(kb)
    hashes, texts = before.content_hashes(), {d: before.document_text(d) for d in before.content_hashes()}

    (corpus / "note.txt").write_bytes(GOOD_TEXT.encode("utf-16"))
    with open(corpus / "big.txt", "r+b") as handle:
        handle.truncate(60 * MB)
    (corpus / "paper.pdf").write_bytes((FIXTURES / "sample.pdf").read_bytes()[:700])
    _zip_of_zeros(corpus / "word.docx", 8 * MB)
    (corpus / "qa.xml").write_text(_medquad(LAUGHS_DTD, "&lol9;"), encoding="utf-8")
    report = update_index(corpus, kb, HashEmbedder())
    for result in report.files:
        assert result.status == "failed" and result.reason.endswith("; the previous version stays searchable"), result
    after = open_snapshot(kb)
    assert after.content_hashes() == hashes
    assert {d: after.document_text(d) for d in hashes} == texts


def test_an_upload_in_utf16_is_told_to_be_saved_as_utf8(tmp_path):
    with pytest.raises(UploadError, match=r"^notes\.txt: UTF-16 text: save it as UTF-8$"):
        check_upload(tmp_path, "notes.txt", GOOD_TEXT.encode("utf-16"))


def test_a_pdf_with_too_many_pages_is_refused_before_reading_them(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 1)
    path = _pdf(tmp_path / "two.pdf", ["Page one."])
    assert load_document(path, "two.pdf")  # one page: fine
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for n in range(3):
        pdf.add_page()
        pdf.cell(w=0, h=8, text=f"Page {n}.")
    pdf.output(str(path))
    assert _refusal(path) == "refused: the PDF has 3 pages (limit 1)"


# --- hostile questions ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def searcher(tmp_path_factory) -> Searcher:
    root = tmp_path_factory.mktemp("questions")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    shutil.copy(FIXTURES / "medquad_main.xml", corpus / "medquad.xml")
    update_index(corpus, root / "kb", HashEmbedder())
    return Searcher(root / "kb", HashEmbedder())


HOSTILE_QUESTIONS = {
    "empty": "",
    "whitespace": " \t\n  \u00a0",
    "100k characters": "dystonia treatment " * 5264,
    "control characters": "\x00\x01\x1b[31m dystonia \x7f\x08 neck",
    "emoji": "🧠💉 dystonia 😀👍🏽",
    "chinese": "肌张力障碍是什么？",
    "arabic": "ما هو خلل التوتر العضلي؟",
    "russian": "Что такое дистония?",
    "hindi": "डिस्टोनिया क्या है",
    "right-to-left override": "\u202edystonia neck\u202c",
    "quote": '"',
    "open quote": 'what is "dystonia',
    "star": "*",
    "prefix": "dyst*",
    "near": "NEAR(dystonia neck, 2)",
    "boolean": "dystonia AND OR NOT neck",
    "open parenthesis": "((dystonia neck",
    "close parenthesis": "dystonia)) neck",
    "column filter": "text:dystonia",
    "caret": "^dystonia -neck +toxin",
    "sql drop": "'; DROP TABLE chunks; --",
    "sql or": "1' OR '1'='1",
    "sql union": "dystonia UNION SELECT * FROM documents",
    "like wildcards": "%_% dystonia",
    "backslashes": "\\ dystonia \\\\",
    "lone surrogate": "\udcff dystonia neck",  # what undecodable bytes in argv become
}


@pytest.mark.parametrize("question", list(HOSTILE_QUESTIONS.values()), ids=list(HOSTILE_QUESTIONS))
def test_hostile_questions_get_an_answer_or_a_clear_message(searcher, question):
    started = time.perf_counter()
    result = searcher.search(question)
    assert time.perf_counter() - started < 2
    assert result.passages or (result.abstained and result.message)
    for passage in result.passages:
        assert passage.text and passage.doc_id in ("good.txt", "medquad.xml")
    if not question.strip():
        assert result.message == "Type a question to search the knowledge base."
    if len(question) > MAX_QUESTION_CHARS:
        cut = f"Only the first {MAX_QUESTION_CHARS:,} characters of the question were searched"
        assert result.message.startswith(f"{cut} (it has {len(question):,}).")
        assert result.question == question[:MAX_QUESTION_CHARS]
    else:
        assert not result.message.startswith("Only the first")


def test_a_question_on_topic_still_finds_its_passage(searcher):
    result = searcher.search('botulinum "toxin" AND (neck')
    assert result.passages and result.passages[0].doc_id == "good.txt"
