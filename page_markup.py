"""The page's markup: its CSS, its two small scripts and every piece of HTML it styles, beside `app.py`.

Every piece of document text goes through `html.escape` before any tag is added, so a document
holding `<script>` or `<img onerror=…>` is shown as those characters, never run. Only http(s)
sources and the page's own route to corpus files (`index.display.source_href`) become links.
The scripts are constants of this module: no document text ever reaches them.

Colours follow Streamlit's light and dark themes: text keeps the theme's colour (muted with
`color-mix` on `currentColor`) and highlights are translucent, so both read on either background.
On a phone or a touch screen every link and small control is a tap target at least 44 px tall,
and the reader is part of the page, not a box that scrolls inside it.
No Streamlit and no retrieval here: `app.py` lays the page out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.citations import ContextWindow, is_web_link
from index.display import (
    collection_label,
    display_section,
    display_title,
    is_local_source,
    publisher,
    readable_parts,
    readable_text,
    source_href,
)
from index.evidence import stem
from index.passages import Passage
from ingest.document import Page, Section
from ingest.loaders import format_label

_WORD = re.compile(r"\w+")

MUTED = "color-mix(in srgb, currentColor 72%, transparent)"
LINE = "color-mix(in srgb, currentColor 16%, transparent)"
TINT = "color-mix(in srgb, currentColor 4%, transparent)"

STYLE = f"""<style>
.st-key-question [data-testid="InputInstructions"]{{display:none}}
.kb-card{{font-size:1rem;line-height:1.55;scroll-margin-top:5.5rem}}
.kb-head{{font-weight:600;font-size:1.05rem;margin-bottom:.1rem}}
.kb-rank{{color:{MUTED};font-weight:500;margin-right:.35rem}}
.kb-meta{{color:{MUTED};font-size:.85rem;margin-bottom:.5rem;overflow-wrap:anywhere}}
.kb-meta a,.kb-table a,.kb-also a{{color:inherit;text-decoration:underline;text-underline-offset:2px}}
.kb-score{{font-size:.75rem;white-space:nowrap}}
.kb-text{{white-space:pre-wrap}}
.kb-text mark.evidence,.kb-context mark.evidence,.kb-doc mark.evidence{{background:rgba(250,204,21,.38);
  color:inherit;padding:0 .1rem;border-radius:3px}}
.kb-text b.term{{font-weight:650;text-decoration:underline;text-decoration-color:rgba(96,165,250,.95);
  text-underline-offset:3px}}
.kb-also{{color:{MUTED};font-size:.8rem;margin-top:.4rem}}
.kb-more{{border-left:3px solid {LINE};padding:.1rem 0 .1rem .75rem;margin:.4rem 0}}
.kb-context{{white-space:pre-wrap;font-size:.92rem;color:{MUTED}}}
.kb-context mark.passage,.kb-doc mark.passage{{background:rgba(59,130,246,.24);color:inherit;padding:0 .1rem}}
.kb-doc{{white-space:pre-wrap;font-size:.92rem;max-height:32rem;overflow-y:auto;border:1px solid {LINE};
  border-radius:.5rem;padding:.75rem 1rem;background:{TINT}}}
.kb-doc .kb-heading{{display:inline-block;font-weight:700;font-size:1.08rem;margin-top:.6rem}}
.kb-doc .kb-page{{display:block;color:{MUTED};font-size:.8rem;font-weight:600;letter-spacing:.04em;
  text-transform:uppercase;border-top:1px dashed {LINE};margin:.5rem 0 .2rem;padding-top:.3rem}}
.kb-table-wrap{{max-height:34rem;overflow:auto;border:1px solid {LINE};border-radius:.5rem}}
.kb-table{{width:100%;border-collapse:collapse;font-size:.88rem;table-layout:auto}}
.kb-table th{{text-align:left;font-weight:600;padding:.4rem .5rem;border-bottom:1px solid {LINE};background:{TINT}}}
.kb-table td{{padding:.35rem .5rem;border-bottom:1px solid {LINE};vertical-align:top}}
.kb-table td.kb-title{{min-width:10rem}}
.kb-table td.kb-num{{text-align:right;white-space:nowrap}}
.kb-table td.kb-coll{{white-space:nowrap}}
.kb-table td.kb-src,.kb-table td.kb-id{{overflow-wrap:anywhere;font-size:.8rem;min-width:7rem}}
@media (max-width:640px){{
.kb-table thead{{display:none}}
.kb-table,.kb-table tbody,.kb-table tr,.kb-table td{{display:block;width:auto}}
.kb-table tr{{border-bottom:1px solid {LINE};padding:.35rem .5rem}}
.kb-table td,.kb-table td.kb-title,.kb-table td.kb-num,.kb-table td.kb-coll,.kb-table td.kb-src,.kb-table td.kb-id{{
  border:0;padding:.05rem 0;min-width:0;
  text-align:left;white-space:normal}}
.kb-table td.kb-title{{font-weight:600}}
.kb-table td:not(.kb-title)::before{{content:attr(data-label) ": ";color:{MUTED}}}
.kb-doc{{max-height:none;overflow:visible;padding:.5rem .6rem}}
}}
@media (max-width:640px),(pointer:coarse){{
.kb-meta a,.kb-table a{{padding:13px 0;margin:-13px 0}}
[data-testid="stCheckbox"] label,[data-testid="stRadio"] label{{min-height:44px;align-items:center}}
[data-testid="stTooltipIcon"] button{{padding:14px;margin:-14px}}
[data-testid="stCode"] button{{min-width:44px;min-height:44px}}
[data-testid="stExpander"] summary,.stButton button,.stFormSubmitButton button{{min-height:44px}}
}}
</style>"""

# Enter in the question box asks (as Ctrl+Enter does for a Streamlit text area); Shift+Enter is a
# new line. One listener for the whole page, added once. (STYLE hides the box's "Ctrl+Enter" hint.)
ENTER_SCRIPT = """<script>
(function () {
  if (window.__kbEnterAsks) return;
  window.__kbEnterAsks = true;
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!box || box.tagName !== "TEXTAREA" || box.getAttribute("aria-label") !== "Your question") return;
    if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    event.preventDefault();
    box.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", code: "Enter", ctrlKey: true, bubbles: true}));
  }, true);
})();
</script>"""


def scroll_script(
    target: str, nonce: int, block: str = "center", only_below_fold: bool = False, focus_box: str = ""
) -> str:
    """A script that scrolls the element with this id into view once it is shown (its tab opened).

    `target` is one of this module's own ids, never document text; the nonce makes each jump a
    new script, so Streamlit runs it again. With `only_below_fold` it scrolls only when the element
    starts in the lower half of the screen or below (a phone, after asking), never on a wide screen
    where the element is already in view. With `focus_box` (a text box's label, one of the page's own)
    the box with that label then takes the focus with its text selected: typing replaces the last
    question, and a tap or an arrow key edits it instead.
    """
    if not re.fullmatch(r"[a-z][a-z0-9-]*", target) or block not in ("start", "center"):
        raise ValueError(f"not a plain element id or block: {target!r}, {block!r}")
    if focus_box and not re.fullmatch(r"[A-Za-z][A-Za-z ]*", focus_box):
        raise ValueError(f"not a plain label: {focus_box!r}")
    condition = "mark.getBoundingClientRect().top > window.innerHeight * 0.5" if only_below_fold else "true"
    focus = (
        f"""
      var box = document.querySelector('textarea[aria-label="{focus_box}"], input[aria-label="{focus_box}"]');
      if (box) {{ box.focus({{preventScroll: true}}); box.select(); }}"""
        if focus_box
        else ""
    )
    return f"""<script>
(function () {{
  var tries = 0;
  var timer = setInterval(function () {{
    var mark = document.getElementById("{target}");
    tries += 1;
    if (mark && mark.offsetParent !== null) {{
      clearInterval(timer);
      if ({condition}) mark.scrollIntoView({{block: "{block}", behavior: "smooth"}});{focus}
    }} else if (tries > 100) {{
      clearInterval(timer);
    }}
  }}, 100);
}})();
/* jump {int(nonce)} */
</script>"""


def source_html(source: str, local_href: str | None = None) -> str:
    """A safe link for a web source, or to the page's copy of a corpus file; else plain text."""
    escaped = html.escape(source)
    if is_web_link(source):
        return f'<a href="{escaped}" target="_blank" rel="noopener noreferrer">{escaped}</a>'
    if local_href is not None:
        return (
            f'<a class="kb-local" href="{html.escape(local_href)}" target="_blank" rel="noopener noreferrer" '
            f'title="Open the original file">{escaped}</a>'
        )
    return f"<span>{escaped}</span>"


def passage_source_html(p: Passage) -> str:
    """The source of a passage: its web page, or the corpus file (at the passage's page for a PDF)."""
    local = source_href(p.doc_id, p.page) if is_local_source(p.source, p.doc_id) else None
    return source_html(p.source, local)


def marked_html(text: str, words: tuple[str, ...] | list[str], evidence: tuple[int, int] | None = None) -> str:
    """Escaped text as a reader reads it (no Markdown markup), the evidence span in one <mark>, the
    given words (any ending) in <b class="term">."""
    terms = {stem(w.lower()) for w in words}
    before, inside, after = readable_parts(text, evidence)
    if evidence is None:
        return _terms_html(before, terms)
    return (
        f'{_terms_html(before, terms)}<mark class="evidence">{_terms_html(inside, terms)}</mark>'
        f"{_terms_html(after, terms)}"
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


def _meta_html(p: Passage, with_source: bool = True) -> str:
    meta = []
    if p.section:
        meta.append(html.escape(display_section(p.section)))
    if p.page_label:
        meta.append(html.escape(p.page_label))
    if with_source:
        meta.append(passage_source_html(p))
        if who := publisher(p.doc_id, p.source, p.publisher):
            meta.append(html.escape(who))
    return " · ".join(meta)


def _meta_line(meta: str, p: Passage) -> str:
    """The citation line under a title: its parts, then the score, one " · " between each."""
    return f'<div class="kb-meta">{" · ".join(filter(None, (meta, _score_html(p))))}</div>'


def _score_html(p: Passage) -> str:
    """The passage's score, said as what it is: a match to the question, comparable within one answer."""
    return (
        '<span class="kb-score" title="How closely this passage matches the question; '
        f'compare it only with the other passages of this answer">match {p.score:.2f}</span>'
    )


def passage_card_html(p: Passage, terms: tuple[str, ...], titles: dict[str, str]) -> str:
    """One answer: rank and title, citation line, the passage with its evidence marked, duplicates.

    `titles` maps document ids to their display titles (for "also in").
    """
    also_in = "; ".join(f"{titles.get(d, d)} ({d})" for d in p.also_in)
    also = f'<div class="kb-also">The same text is also in: {html.escape(also_in)}</div>' if p.also_in else ""
    return (
        f'<div class="kb-card" id="kb-card-{int(p.rank)}">'
        f'<div class="kb-head"><span class="kb-rank">[{p.rank}]</span>{html.escape(display_title(p.title))}</div>'
        f"{_meta_line(_meta_html(p), p)}"
        f'<div class="kb-text">{marked_html(p.text, terms, p.highlight)}</div>{also}</div>'
    )


def more_passage_html(p: Passage, terms: tuple[str, ...]) -> str:
    """Another matching passage of the same document, smaller: section, page, text with evidence."""
    head = _meta_line(_meta_html(p, with_source=False), p)
    return f'<div class="kb-more">{head}<div class="kb-text">{marked_html(p.text, terms, p.highlight)}</div></div>'


def context_html(window: ContextWindow, evidence: tuple[int, int] | None = None) -> str:
    """The context window as escaped HTML, the passage in <mark class="passage"> and, inside it,
    the evidence (a span of the passage, as `Passage.highlight`) in <mark class="evidence">, as on the card."""
    before, inside, after = (html.escape(part) for part in readable_parts(window.passage, evidence))
    passage = f'{before}<mark class="evidence">{inside}</mark>{after}' if evidence is not None else before
    return (
        f'<div class="kb-context">{html.escape(readable_text(window.before))}'
        f'<mark class="passage">{passage}</mark>'
        f"{html.escape(readable_text(window.after))}</div>"
    )


def document_meta_html(source: str, doc_id: str, collection: str, fmt: str) -> str:
    """The line above a document in the reader: its source (a link), collection and format ("MedQuAD XML")."""
    local = source_href(doc_id) if is_local_source(source, doc_id) else None
    label = collection_label(collection, doc_id, source)
    kind = format_label(fmt)
    return f'<div class="kb-meta">{source_html(source, local)} · {html.escape(label)} · {html.escape(kind)}</div>'


def document_html(
    text: str,
    sections: Sequence[Section] = (),
    pages: Sequence[Page] = (),
    passage: tuple[int, int] | None = None,
    evidence: tuple[int, int] | None = None,
) -> str:
    """A whole document's text, escaped, in a scrolling box: section headings styled as headings,
    a "Page N" line where each PDF page starts, and `passage` (character offsets) marked with
    id "kb-target" for the reader to scroll to, its `evidence` (document offsets) marked inside it as
    on the card. The text itself is unchanged, character for character."""
    headings = _heading_spans(text, sections)
    labels = _heading_labels(text, sections)
    page_starts = {p.start: p.number for p in pages if len(pages) > 1 or p.number > 1}
    cuts = {0, len(text), *page_starts, *labels}
    for a, b in headings:
        cuts.update((a, b))
    if passage is not None:
        a, b = max(0, min(passage[0], len(text))), max(0, min(passage[1], len(text)))
        passage = (a, b) if a < b else None
        if passage:
            cuts.update(passage)
    if passage is not None and evidence is not None:
        a, b = max(evidence[0], passage[0]), min(evidence[1], passage[1])
        evidence = (a, b) if a < b else None
        if evidence:
            cuts.update(evidence)
    else:
        evidence = None
    points = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    out, first_mark = [], True
    for a, b in zip(points, points[1:]):
        if a in page_starts:
            out.append(f'<span class="kb-page" role="separator">Page {page_starts.pop(a)}</span>')
        if a in labels:
            label = html.escape(labels.pop(a))
            out.append(f'<span class="kb-heading kb-label" role="heading" aria-level="4">{label}</span>')
        piece = html.escape(text[a:b])
        if any(h0 <= a and b <= h1 for h0, h1 in headings):
            piece = f'<span class="kb-heading" role="heading" aria-level="4">{piece}</span>'
        if evidence and evidence[0] <= a and b <= evidence[1]:
            piece = f'<mark class="evidence">{piece}</mark>'
        if passage and passage[0] <= a and b <= passage[1]:
            mark_id = ' id="kb-target"' if first_mark else ""
            first_mark = False
            piece = f'<mark class="passage"{mark_id}>{piece}</mark>'
        out.append(piece)
    for number in page_starts.values():  # a page that starts at the very end (no text)
        out.append(f'<span class="kb-page" role="separator">Page {number}</span>')
    return f'<div class="kb-doc">{"".join(out)}</div>'


def _heading_spans(text: str, sections: Iterable[Section]) -> list[tuple[int, int]]:
    """Where each section's heading line stands in the text (the line that holds it, just before
    the section's body); headings that are not in the text are left out."""
    spans, floor = [], 0
    for section in sorted(sections, key=lambda s: s.start):
        heading = section.heading.strip()
        if heading:
            at = text.rfind(heading, floor, section.start)
            if at >= 0:
                line_start = text.rfind("\n", 0, at) + 1
                line_end = text.find("\n", at)
                line_end = section.start if line_end < 0 or line_end > section.start else line_end
                spans.append((max(line_start, floor), line_end))
        floor = max(floor, section.end)
    return spans


def _heading_labels(text: str, sections: Iterable[Section]) -> dict[int, str]:
    """Section names the text itself does not hold (e.g. "Organizations" given to a list of
    contact entries), by where their section starts: shown as headings, not part of the text."""
    labels, floor = {}, 0
    for section in sorted(sections, key=lambda s: s.start):
        heading = section.heading.strip()
        if heading and text.rfind(heading, floor, section.start) < 0:
            labels[section.start] = display_section(heading)
        floor = max(floor, section.end)
    return labels


LIBRARY_COLUMNS = ("Title", "Collection", "Passages", "Indexed", "Source", "Document id")


def _breakable(markup: str) -> str:
    """Markup whose text may break after "/" and "_" (ids and addresses), never inside a tag."""
    parts = re.split(r"(<[^>]*>)", markup)
    return "".join(p if p.startswith("<") else re.sub(r"([/_])", r"\1<wbr>", p) for p in parts)


@dataclass(frozen=True)
class LibraryRow:
    """One document as the library table shows it."""

    doc_id: str
    title: str
    collection: str
    chunks: int
    indexed: str
    source: str


def library_html(rows: Sequence[LibraryRow]) -> str:
    """The library as a table that wraps instead of cutting: title, collection, passages, indexed,
    source (a link) and document id. On a phone-wide screen each row is a short block of labelled
    lines instead (STYLE), so no column sits off-screen."""
    body = []
    for row in rows:
        local = source_href(row.doc_id) if is_local_source(row.source, row.doc_id) else None
        cells = (
            ("kb-title", html.escape(row.title)),
            ("kb-coll", html.escape(row.collection)),
            ("kb-num", str(row.chunks)),
            ("kb-num", html.escape(row.indexed)),
            ("kb-src", _breakable(source_html(row.source, local))),
            ("kb-id", _breakable(html.escape(row.doc_id))),
        )
        labelled = zip(cells, LIBRARY_COLUMNS)
        tds = "".join(f'<td class="{kind}" data-label="{label}">{cell}</td>' for (kind, cell), label in labelled)
        body.append(f"<tr>{tds}</tr>")
    head = "".join(f"<th>{name}</th>" for name in LIBRARY_COLUMNS)
    return (
        f'<div class="kb-table-wrap"><table class="kb-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
