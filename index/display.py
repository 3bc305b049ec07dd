"""How titles, section names and sources read on the page: display only, never stored.

The index keeps every title and heading exactly as the loader extracted it (citations point
into that text by character offsets); these functions only change how they are shown:
MedQuAD's "What is (are) X ?" reads "What is X?", a lower-case condition name starts with a
capital, an HTML title drops its " | Site Name" suffix, and `readable_text` shows a passage's
Markdown without its markup (heading hashes, emphasis, link syntax, code backticks; bullets as
"•"). `source_label` names the MedQuAD source
(GARD, GHR, …) from a document's id or URL. `corpus_file` and `source_href` decide which
original files the page may serve: only supported document files inside the corpus folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlparse

from ingest.loaders import SUPPORTED_SUFFIXES, is_meta_file

SOURCE_ROUTE = "/kb-source"  # where the page serves original corpus files (see app.py)

_ARE = re.compile(r"\s*\(are\)\s*", re.IGNORECASE)
_SPACE_BEFORE_MARK = re.compile(r"\s+([?!.,;:])")
_SITE_SUFFIX = re.compile(r"\s+[|]\s+[^|]{1,80}$")
_LOWER_FIRST_WORD = re.compile(r"^[a-z][a-z0-9'’-]*(?=\s|$|,)")
# Markdown markup, display only (see `readable_text`). Emphasis needs a non-space inside each
# mark and no letter outside it, so "5 * 3", "file_name" and "2*x*y" are left alone.
_HEADING_HASHES = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+(?=\S|\Z)", re.MULTILINE)  # \Z: a piece cut after the bullet
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
_TABLE_RULE = r"\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?"  # |---|:--:|
_RULE_LINE = re.compile(rf"^[ \t]*(?:(?:[-*_][ \t]*){{3,}}|{_TABLE_RULE})[ \t]*$\n?", re.MULTILINE)
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+\"[^\"\n]*\")?\)")
_CODE = re.compile(r"(`+)(?=\S)(.+?)(?<=\S)\1")
_STRONG = re.compile(r"(?<![\w*_])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*_])")
_EMPHASIS = re.compile(r"(?<![\w*_])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*_])")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_SET_ASIDE = 0xF0000  # a private-use plane: escaped ASCII marks wait there while markup is removed
_SET_ASIDE_CHARS = re.compile(f"[{chr(_SET_ASIDE)}-{chr(_SET_ASIDE + 127)}]")
_MEDQUAD_FILE = re.compile(r"(?:^|/)\d+_(?P<source>[A-Za-z][A-Za-z_]*?)_QA__\d+\.xml$")


class _Source(NamedTuple):
    """One MedQuAD source: its short label, its name as readers know it, the names its files use
    (`2_GARD_QA__0001754.xml`) and the sites its URLs are on."""

    label: str
    publisher: str
    file_names: tuple[str, ...]
    hosts: tuple[str, ...]


_SOURCES = (
    _Source("GARD", "Genetic and Rare Diseases Information Center (NIH)", ("GARD",), ("rarediseases.info.nih.gov",)),
    _Source("GHR", "Genetics Home Reference (NIH)", ("GHR",), ("ghr.nlm.nih.gov",)),
    # nlm.nih.gov: www.nlm.nih.gov/medlineplus/…
    _Source(
        "MedlinePlus",
        "MedlinePlus (NIH)",
        ("MPlus_Health_Topics", "MPlusHealthTopics"),
        ("medlineplus.gov", "nlm.nih.gov"),
    ),
    _Source("MedlinePlus A.D.A.M.", "MedlinePlus (NIH), A.D.A.M. encyclopedia", ("MPlus_ADAM",), ()),
    _Source("MedlinePlus drugs", "MedlinePlus drug information (NIH)", ("MPlusDrugs",), ()),
    _Source("MedlinePlus herbs", "MedlinePlus herbs and supplements (NIH)", ("MPlusHerbsSupplements",), ()),
    _Source("NINDS", "National Institute of Neurological Disorders and Stroke (NIH)", ("NINDS",), ("ninds.nih.gov",)),
    _Source(
        "NIDDK",
        "National Institute of Diabetes and Digestive and Kidney Diseases (NIH)",
        ("NIDDK",),
        ("niddk.nih.gov",),
    ),
    _Source("NHLBI", "National Heart, Lung, and Blood Institute (NIH)", ("NHLBI",), ("nhlbi.nih.gov",)),
    _Source("Cancer.gov", "National Cancer Institute (NIH)", ("CancerGov",), ("cancer.gov",)),
    _Source("NIHSeniorHealth", "NIHSeniorHealth (NIH)", ("SeniorHealth",), ("nihseniorhealth.gov",)),
    _Source("CDC", "Centers for Disease Control and Prevention", ("CDC",), ("cdc.gov",)),
)
_BY_FILE_NAME = {name: source.label for source in _SOURCES for name in source.file_names}
_BY_HOST = tuple((host, source.label) for source in _SOURCES for host in source.hosts)
_PUBLISHERS = {source.label: source.publisher for source in _SOURCES}


def capitalised(text: str) -> str:
    """The text with a capital first letter when its first word is all lower case ("dystonia 6").

    Words with a capital inside ("mRNA", "iPS") are left alone: they are written that way.
    """
    if _LOWER_FIRST_WORD.match(text):
        return text[0].upper() + text[1:]
    return text


def display_title(title: str) -> str:
    """A document title as a person would write it: no " | Site Name" suffix, a capital first letter."""
    title = " ".join(title.split())
    shorter = _SITE_SUFFIX.sub("", title)
    while shorter != title and shorter:
        title, shorter = shorter, _SITE_SUFFIX.sub("", shorter)
    return capitalised(title)


def display_section(heading: str) -> str:
    """A section heading as a person would write it; merged sections ("A / B") part by part.

    "What is (are) dopa-responsive dystonia ?" → "What is dopa-responsive dystonia?";
    "what is psychogenic movement?" → "What is psychogenic movement?".
    """
    if not heading:
        return heading
    return " / ".join(_one_heading(part) for part in heading.split(" / "))


def _one_heading(heading: str) -> str:
    text = _ARE.sub(" ", " ".join(heading.split()))
    text = _SPACE_BEFORE_MARK.sub(r"\1", text).strip()
    return capitalised(text)


def readable_text(text: str) -> str:
    """Passage text as a reader sees it: Markdown markup dropped, list bullets shown as "•".

    Display only: the stored text and every offset into it stay as extracted. Text without
    Markdown comes back unchanged. Apply it to each piece separately when a span is marked
    (see `readable_parts`), since it changes the length.
    """
    # Escaped marks ("\\*") are set aside first, so they are neither markup nor lost.
    text = _ESCAPED.sub(lambda m: chr(_SET_ASIDE + ord(m.group(1))), text)
    text = _RULE_LINE.sub("", text)
    text = _HEADING_HASHES.sub(r"\1", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub(r"\1• ", text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _CODE.sub(r"\2", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _SET_ASIDE_CHARS.sub(lambda m: chr(ord(m.group()) - _SET_ASIDE), text)


def readable_parts(text: str, highlight: tuple[int, int] | None = None) -> tuple[str, str, str]:
    """`readable_text` of the text before, inside and after the highlighted span (all of it "before" without one)."""
    if highlight is None:
        return readable_text(text), "", ""
    a, b = highlight
    return readable_text(text[:a]), readable_text(text[a:b]), readable_text(text[b:])


def source_label(doc_id: str, source: str = "") -> str:
    """The MedQuAD source a document came from ("GARD", "GHR", "MedlinePlus", "NINDS"…), else "".

    Read from the MedQuAD file name (`2_GARD_QA__0001754.xml`), else from the source URL's site.
    """
    match = _MEDQUAD_FILE.search(doc_id)
    if match:
        name = match.group("source")
        return _BY_FILE_NAME.get(name, name.replace("_", " "))
    if not doc_id.lower().endswith(".xml"):
        return ""
    host = (urlparse(source).hostname or "").lower()
    for site, label in _BY_HOST:
        if host == site or host.endswith("." + site):
            return label
    return ""


def publisher(doc_id: str, source: str = "", declared: str = "") -> str:
    """Who published a passage, as a reader knows them ("Genetics Home Reference (NIH)"), else who the
    document says it comes from (`declared`, its "Source: …" line), else "": a card and a citation
    say this where the library table says "medquad · GHR". The folder a document sits in
    ("founding", "uploads") names no publisher, and a reader took it for one."""
    label = source_label(doc_id, source)
    return _PUBLISHERS.get(label, label) if label else declared


def collection_label(collection: str, doc_id: str, source: str = "") -> str:
    """The collection as shown: "medquad · GARD" when the MedQuAD source is known."""
    label = source_label(doc_id, source)
    return f"{collection} · {label}" if label else collection


def is_local_source(source: str, doc_id: str) -> bool:
    """True when the citation's source is the corpus file itself (no web address)."""
    return source == doc_id


def source_href(doc_id: str, page: int | None = None) -> str:
    """The page's link to a corpus file, opened at the PDF page when one is given."""
    href = f"{SOURCE_ROUTE}/{quote(doc_id, safe='/')}"
    if page and doc_id.lower().endswith(".pdf"):
        href += f"#page={int(page)}"
    return href


def corpus_file(corpus_dir: Path, doc_id: str) -> Path | None:
    """The corpus file a document id names, or None unless it is a document file inside the corpus.

    The path is resolved (links followed, `..` collapsed) and must stay under the resolved corpus
    folder; hidden files, licence/readme files and unsupported types are refused, as ingest does.
    """
    if not doc_id or "\x00" in doc_id or doc_id.startswith(("/", "\\")) or "\\" in doc_id:
        return None
    parts = doc_id.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    if is_meta_file(parts[-1]) or Path(parts[-1]).suffix.lower() not in SUPPORTED_SUFFIXES:
        return None
    try:
        root = corpus_dir.resolve(strict=True)
        path = (root / doc_id).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


# How each served type is sent: PDFs, plain text and HTML open in the browser; Word and XML files
# download. Everything but a PDF is sent with `Content-Security-Policy: sandbox`: an HTML page shows
# with no script, no form, no plug-in and an origin of its own, and `default-src 'none'` stops it
# loading anything (images, styles, frames), so a hostile file in the corpus cannot act on the page's
# origin. HTML is read as the loader reads it: UTF-8 when its bytes are UTF-8, else the charset the
# file itself declares (no charset in the header, so its <meta charset> decides).
_INLINE_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".markdown": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
}
_DOWNLOAD_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xml": "application/octet-stream",
}


def source_headers(path: Path) -> dict[str, str]:
    """HTTP headers for serving a corpus file: its type, inline or attachment, no sniffing, no script."""
    suffix = path.suffix.lower()
    name = quote(path.name)
    inline = suffix in _INLINE_TYPES
    content_type = _INLINE_TYPES.get(suffix) or _DOWNLOAD_TYPES.get(suffix, "application/octet-stream")
    if suffix in (".html", ".htm") and not _utf8_file(path):
        content_type = "text/html"
    headers = {
        "Content-Type": content_type,
        "Content-Disposition": f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{name}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }
    if suffix != ".pdf":  # Chromium refuses to show a PDF in a sandboxed document
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return headers


def _utf8_file(path: Path) -> bool:
    """True when the file's bytes are UTF-8 (an unreadable file counts as UTF-8: serving it fails anyway)."""
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    except OSError:
        return True
    return True
