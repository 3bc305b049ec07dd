"""Turn passages into what people read: citations as plain text, and escaped HTML with marks.

Every piece of document text goes through `html.escape` before any tag is added, so a document
holding `<script>` or `<img onerror=…>` is shown as those characters, never run. Only http(s)
sources become links. Used by the page (and the CLI for citations); no Streamlit here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from index.evidence import stem
from index.passages import Passage
from index.store import Snapshot

_WORD = re.compile(r"\w+")


def citation_line(p: Passage) -> str:
    """`Title — Section — page N — source`: the one-line citation."""
    parts = [p.title]
    if p.section:
        parts.append(p.section)
    if p.page:
        parts.append(f"page {p.page}")
    parts.append(p.source)
    return " — ".join(parts)


def citation_text(p: Passage) -> str:
    """A citation to paste elsewhere: title, section, page, source and the quoted passage."""
    quote = " ".join(p.text.split())
    return f"{citation_line(p)}\n“{quote}”\n(characters {p.char_start}–{p.char_end} of {p.doc_id})"


def is_web_link(source: str) -> bool:
    """True for sources a browser can open (http and https URLs only)."""
    return source.startswith(("https://", "http://"))


def source_html(source: str) -> str:
    """A safe link for a web source; plain text for a corpus path."""
    escaped = html.escape(source)
    if is_web_link(source):
        return f'<a href="{escaped}" target="_blank" rel="noopener noreferrer">{escaped}</a>'
    return f"<span>{escaped}</span>"


def marked_html(text: str, words: list[str], evidence: tuple[int, int] | None = None) -> str:
    """Escaped text, the evidence span in one <mark>, the given words (any ending) in <b class="term">."""
    terms = {stem(w.lower()) for w in words}
    if evidence is None:
        return _terms_html(text, terms)
    a, b = evidence
    return (
        f"{_terms_html(text[:a], terms)}<mark class=\"evidence\">{_terms_html(text[a:b], terms)}</mark>"
        f"{_terms_html(text[b:], terms)}"
    )


def _terms_html(text: str, terms: set[str]) -> str:
    out, at = [], 0
    for match in _WORD.finditer(text):
        if stem(match.group().lower()) in terms:
            out.append(html.escape(text[at : match.start()]))
            out.append(f'<b class="term">{html.escape(match.group())}</b>')
            at = match.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


@dataclass(frozen=True)
class ContextWindow:
    """Text around a passage: `before`, the passage itself, `after` (all from the document text)."""

    before: str
    passage: str
    after: str


def context_window(snapshot: Snapshot, p: Passage, neighbours: int = 1) -> ContextWindow:
    """The passage with up to `neighbours` chunks of its document on each side."""
    chunks = snapshot.chunks_of(p.doc_id)
    text = snapshot.document_text(p.doc_id)
    first, last = min(p.positions), max(p.positions)
    around = [c for c in chunks if first - neighbours <= c.position <= last + neighbours]
    start = min([c.char_start for c in around] + [p.char_start])
    end = max([c.char_end for c in around] + [p.char_end])
    return ContextWindow(text[start : p.char_start], text[p.char_start : p.char_end], text[p.char_end : end])


def context_html(window: ContextWindow) -> str:
    """The context window as escaped HTML, the passage in <mark class="passage">."""
    return (
        f"{html.escape(window.before)}"
        f'<mark class="passage">{html.escape(window.passage)}</mark>'
        f"{html.escape(window.after)}"
    )
