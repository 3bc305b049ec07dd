"""Load HTML pages (.html, .htm) as plain text of the main content, h1–h6 starting sections.

Keeps: the text of <main> (else of a lone <article>, else of <body>); paragraphs separated
by blank lines, list items and table rows on their own lines (cells joined by " | ").
Leaves out: scripts, styles, navigation, page header and footer, asides, forms, embedded
media, hidden elements and role=navigation/banner/contentinfo; markup, links, image alt
text and comments. A <header> inside <main>/<article>/<section> is kept, since it usually
holds the article's own heading. Bytes are read as UTF-8; a declared non-UTF-8 charset is
used only when the bytes are not valid UTF-8.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

from ingest.clean import clean_web_residue
from ingest.document import Document, LoadError
from ingest.loaders._common import (
    collapse_spaces,
    decode_utf8,
    first_nonblank_line,
    is_utf8,
    normalise_newlines,
    placeholder_title,
    require_text,
    tidy_lines,
)
from ingest.loaders._text_builder import TextBuilder

_CHROME_TAGS = frozenset(
    "script style noscript nav header footer aside form svg iframe template head title meta link "
    "button select textarea input object embed canvas audio video map".split()
)
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo"})
_CONTENT_SECTIONING = ["main", "article", "section"]
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PARAGRAPH_TAGS = frozenset(
    "p section article main body blockquote ul ol dl table figure address hr details fieldset".split()
)
_LINE_TAGS = frozenset("div li dt dd figcaption caption summary legend".split())
_LIST_TAGS = frozenset({"ul", "ol", "dl"})
_WORD_BREAK_TAGS = _PARAGRAPH_TAGS | _LINE_TAGS | {"br", "td", "th", "tr"}
_WHITESPACE = re.compile(r"\s+")
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Browsers read these labels as windows-1252 (WHATWG Encoding Standard).
_CHARSET_ALIASES = {"iso-8859-1": "windows-1252", "latin1": "windows-1252", "us-ascii": "windows-1252"}


def load_html(path: Path, doc_id: str) -> Document:
    """Load an HTML page: main-content text, <title> as title, canonical URL as source."""
    soup = BeautifulSoup(_decode_html(path.read_bytes()), "lxml")
    root = _content_root(soup)
    flow = _Flow()
    _walk(root, flow)
    flow.request_break(2)  # flushes inline text left after the last block
    builder, levels = _assemble(flow.blocks)
    text = builder.text()
    require_text(text)
    level_one = (m.heading for m, level in zip(builder.markers, levels) if level == 1)
    title = _page_title(soup) or next(level_one, "")
    if not title:
        span = first_nonblank_line(text)
        assert span is not None  # require_text guarantees a visible line
        title = text[span[0] : span[1]]
    return Document(
        doc_id=doc_id,
        title=title,
        source=_page_url(soup) or doc_id,
        text=text,
        sections=builder.sections(),
        format="html",
    )


def sniff_html(data: bytes) -> bool:
    """True for UTF-8 bytes (an upload must be UTF-8, whatever charset the page declares)."""
    return is_utf8(data)


def _decode_html(data: bytes) -> str:
    try:
        return normalise_newlines(decode_utf8(data))
    except LoadError:
        match = _DECLARED_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii").lower() if match else ""
        if not declared or declared.replace("_", "-") in ("utf-8", "utf8"):
            raise
    charset = _CHARSET_ALIASES.get(declared, declared)
    try:
        return normalise_newlines(data.decode(codecs.lookup(charset).name))
    except (LookupError, UnicodeDecodeError):
        raise LoadError(f"not valid UTF-8 nor the declared charset {declared}") from None


def _is_chrome(tag: Tag) -> bool:
    """True for elements that are page furniture rather than content."""
    if tag.name in _CHROME_TAGS:
        if tag.name == "header" and tag.find_parent(_CONTENT_SECTIONING) is not None:
            return False
        return True
    role = tag.get("role")
    role = " ".join(role) if isinstance(role, list) else (role or "")
    if role.strip().lower() in _CHROME_ROLES:
        return True
    return tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true"


def _content_root(soup: BeautifulSoup) -> Tag:
    main = next((t for t in soup.find_all("main") if not _is_chrome(t)), None)
    if main is not None:
        return main
    articles = [t for t in soup.find_all("article") if not _is_chrome(t)]
    # Several articles (a listing page) are all content; only a lone one is "the" content.
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


class _Flow:
    """Collects text as blocks, each with the break it needs before it (1: newline, 2: blank line)."""

    def __init__(self) -> None:
        self.blocks: list[tuple[int, str, int]] = []  # (break before, text, heading level or 0)
        self._inline: list[str] = []
        self._pending_break = 0

    def add_inline(self, text: str) -> None:
        self._inline.append(text)

    def request_break(self, level: int) -> None:
        self._flush()
        self._pending_break = max(self._pending_break, level)

    def add_block(self, text: str, heading_level: int = 0) -> None:
        self._flush()
        self.blocks.append((self._pending_break, text, heading_level))
        self._pending_break = 0

    def _flush(self) -> None:
        text = tidy_lines("".join(self._inline))
        self._inline.clear()
        if text:
            self.blocks.append((self._pending_break, text, 0))
            self._pending_break = 0


def _walk(tag: Tag, flow: _Flow) -> None:
    for child in tag.children:
        if isinstance(child, NavigableString):
            # Comments, doctypes and CDATA are PreformattedString: not visible text.
            if not isinstance(child, PreformattedString):
                flow.add_inline(_WHITESPACE.sub(" ", str(child)))
            continue
        if not isinstance(child, Tag) or _is_chrome(child):
            continue
        name = child.name
        if name in _HEADING_TAGS:
            flow.request_break(2)
            heading = _inline_text(child)
            if heading:
                flow.add_block(heading, heading_level=int(name[1]))
            flow.request_break(2)
        elif name == "br":
            flow.add_inline("\n")
        elif name == "pre":
            flow.request_break(2)
            flow.add_block(_preformatted_text(child))
            flow.request_break(2)
        elif name == "tr":
            flow.request_break(1)
            cells = [_inline_text(cell) for cell in child.find_all(["td", "th"], recursive=False)]
            flow.add_block(" | ".join(cell for cell in cells if cell))
            flow.request_break(1)
        elif name in _PARAGRAPH_TAGS or name in _LINE_TAGS:
            # A list nested in a list item continues the list rather than starting a paragraph.
            nested_list = name in _LIST_TAGS and child.find_parent("li") is not None
            level = 2 if name in _PARAGRAPH_TAGS and not nested_list else 1
            flow.request_break(level)
            _walk(child, flow)
            flow.request_break(level)
        else:
            _walk(child, flow)


def _visible_strings(tag: Tag) -> Iterator[str]:
    for child in tag.children:
        if isinstance(child, Tag):
            if _is_chrome(child):
                continue
            # Block boundaries inside a heading or cell still separate words.
            is_block = child.name in _WORD_BREAK_TAGS
            if is_block:
                yield " "
            yield from _visible_strings(child)
            if is_block:
                yield " "
        elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
            yield str(child)


def _inline_text(tag: Tag) -> str:
    return collapse_spaces("".join(_visible_strings(tag)))


def _preformatted_text(tag: Tag) -> str:
    lines = normalise_newlines("".join(_visible_strings(tag))).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _assemble(blocks: list[tuple[int, str, int]]) -> tuple[TextBuilder, list[int]]:
    """Join blocks with their breaks; return the builder (text, heading lines) and each heading's level."""
    builder = TextBuilder()
    levels: list[int] = []
    pending = 0
    for gap, block, level in blocks:
        if not level:
            block = clean_web_residue(block).strip("\n")
        pending = max(pending, gap)
        if not block.strip():
            continue
        separator = "\n" * max(pending, 1)
        if level:
            builder.add_heading(block, separator)
            levels.append(level)
        else:
            builder.add(block, separator)
        pending = 0
    return builder, levels


def _page_title(soup: BeautifulSoup) -> str:
    if soup.title is not None:
        title = collapse_spaces(soup.title.get_text())
        if title and not placeholder_title(title):
            return title
    og_title = soup.find("meta", attrs={"property": "og:title"})
    if og_title is not None:
        return collapse_spaces(str(og_title.get("content", "")))
    return ""


def _page_url(soup: BeautifulSoup) -> str:
    candidates = []
    for link in soup.find_all("link", href=True):
        found: object = link.get("rel") or []
        rel: list[str] = found if isinstance(found, list) else str(found).split()
        if "canonical" in (r.lower() for r in rel):
            candidates.append(str(link["href"]))
    for meta in soup.find_all("meta", attrs={"property": "og:url"}):
        candidates.append(str(meta.get("content", "")))
    for url in candidates:
        url = url.strip()
        if url.lower().startswith(("http://", "https://")):
            return url
    return ""
