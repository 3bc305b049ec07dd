"""The page's markup: its CSS and every piece of HTML it styles, in one place beside `app.py`.

Every piece of document text goes through `html.escape` before any tag is added, so a document
holding `<script>` or `<img onerror=…>` is shown as those characters, never run. Only http(s)
sources become links. No Streamlit and no retrieval here: `app.py` lays the page out.
"""

from __future__ import annotations

import html
import re

from index.citations import ContextWindow, is_web_link
from index.evidence import stem
from index.passages import Passage

_WORD = re.compile(r"\w+")

STYLE = """<style>
.kb-card{font-size:1rem;line-height:1.55}
.kb-head{font-weight:600;font-size:1.05rem;margin-bottom:.1rem}
.kb-rank{color:#6b7280;font-weight:500;margin-right:.35rem}
.kb-meta{color:#4b5563;font-size:.85rem;margin-bottom:.5rem;overflow-wrap:anywhere}
.kb-meta a{color:#1d4ed8}
.kb-score{color:#9ca3af;font-size:.75rem;margin-left:.4rem}
.kb-text{white-space:pre-wrap}
.kb-text mark.evidence{background:#fef08a;padding:0 .1rem;border-radius:3px}
.kb-text b.term{font-weight:650;text-decoration:underline;text-decoration-color:#93c5fd;text-underline-offset:3px}
.kb-also{color:#6b7280;font-size:.8rem;margin-top:.4rem}
.kb-context{white-space:pre-wrap;font-size:.92rem;color:#374151}
.kb-context mark.passage{background:#dbeafe;padding:0 .1rem}
.kb-doc{white-space:pre-wrap;font-size:.92rem;max-height:32rem;overflow-y:auto;border:1px solid #e5e7eb;
        border-radius:.5rem;padding:.75rem 1rem;background:#fafafa}
</style>"""


def source_html(source: str) -> str:
    """A safe link for a web source; plain text for a corpus path."""
    escaped = html.escape(source)
    if is_web_link(source):
        return f'<a href="{escaped}" target="_blank" rel="noopener noreferrer">{escaped}</a>'
    return f"<span>{escaped}</span>"


def marked_html(text: str, words: tuple[str, ...] | list[str], evidence: tuple[int, int] | None = None) -> str:
    """Escaped text, the evidence span in one <mark>, the given words (any ending) in <b class="term">."""
    terms = {stem(w.lower()) for w in words}
    if evidence is None:
        return _terms_html(text, terms)
    a, b = evidence
    return (
        f'{_terms_html(text[:a], terms)}<mark class="evidence">{_terms_html(text[a:b], terms)}</mark>'
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


def passage_card_html(p: Passage, terms: tuple[str, ...], titles: dict[str, str]) -> str:
    """One answer: rank and title, citation line, the passage with its evidence marked, duplicates."""
    meta = []
    if p.section:
        meta.append(html.escape(p.section))
    if p.page:
        meta.append(f"page {p.page}")
    meta.append(source_html(p.source))
    meta.append(html.escape(p.collection))
    also_in = "; ".join(f"{titles.get(d, d)} ({d})" for d in p.also_in)
    also = f'<div class="kb-also">The same text is also in: {html.escape(also_in)}</div>' if p.also_in else ""
    return (
        '<div class="kb-card">'
        f'<div class="kb-head"><span class="kb-rank">[{p.rank}]</span>{html.escape(p.title)}</div>'
        f'<div class="kb-meta">{" · ".join(meta)}<span class="kb-score">score {p.score:.3f}</span></div>'
        f'<div class="kb-text">{marked_html(p.text, terms, p.highlight)}</div>{also}</div>'
    )


def context_html(window: ContextWindow) -> str:
    """The context window as escaped HTML, the passage in <mark class="passage">."""
    return (
        f'<div class="kb-context">{html.escape(window.before)}'
        f'<mark class="passage">{html.escape(window.passage)}</mark>'
        f"{html.escape(window.after)}</div>"
    )


def document_meta_html(source: str, collection: str, fmt: str) -> str:
    """The line above a document in the reader: its source (a link when on the web), collection, format."""
    return f'<div class="kb-meta">{source_html(source)} · {html.escape(collection)} · {html.escape(fmt)}</div>'


def document_html(text: str) -> str:
    """A whole document's text, escaped, in a scrolling box."""
    return f'<div class="kb-doc">{html.escape(text)}</div>'
