"""Citations as people read and paste them, and the text around a passage.

Plain text only: the page's HTML lives in `page_markup.py` beside `app.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from index.display import display_section, display_title, publisher
from index.passages import Passage
from index.store import Snapshot


def citation_line(p: Passage) -> str:
    """`Title — Section — page N — source`: the one-line citation ("pages 3–4" across PDF pages), the
    title and section as a person would write them (`display`: "What is (are) Dystonia ?" reads
    "What is Dystonia?"; a new user's trial found the raw MedQuAD questions odd)."""
    parts = [display_title(p.title)]
    if p.section:
        parts.append(display_section(p.section))
    if page := page_label(p):
        parts.append(page)
    parts.append(p.source)
    return " — ".join(parts)


def citation_text(p: Passage, accessed: date | None = None) -> str:
    """A citation to paste elsewhere: title, section, page, source (and its publisher, when known:
    `display.publisher`), the quote, and the day it was read ("Accessed 22 November 2026", today by
    default) with the exact span a clinician can check it against (the document's id and character
    offsets in its text). The quote is the marked sentence, the one that answers, with its own span
    and the passage's; a passage with no sentence marked is quoted whole."""
    day = accessed or date.today()
    who = publisher(p.doc_id, p.source, p.publisher)
    by = f" (source: {who})" if who else ""
    if p.evidence_span is not None and p.highlight is not None:
        quote = " ".join(p.text[p.highlight[0] : p.highlight[1]].split())
        start, end = p.evidence_span
        span = f"characters {start}–{end}, in the passage at characters {p.char_start}–{p.char_end}"
    else:
        quote = " ".join(p.text.split())
        span = f"characters {p.char_start}–{p.char_end}"
    return f"{citation_line(p)}{by}\n“{quote}”\nAccessed {day.day} {day:%B %Y} (document {p.doc_id}, {span})."


def page_label(p: Passage) -> str:
    """The passage's page as a citation says it: "page 3", "pages 3–4", or the evidence's page within a range."""
    return p.page_label


def is_web_link(source: str) -> bool:
    """True for sources a browser can open (http and https URLs only)."""
    return source.startswith(("https://", "http://"))


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
