"""Turn scored chunks into passages a reader wants: whole, not fragmented, not repeated.

Chunks of one document that overlap or follow each other (positions n and n+1) merge into one
passage spanning them, scored by its best chunk — but never across a section boundary, and a
chunk that is a contact entry (one organisation) stays a passage of its own. A passage merged
across PDF pages keeps its page range and says so in `page_label`. Passages whose wording is nearly the same
as a better-ranked one (MedQuAD repeats boilerplate across documents) are dropped, and the
document they came from is listed in the kept passage's `also_in` when it holds that passage's
wording too. Evidence and abstention come later, in `index.search`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.store import StoredChunk
from ingest.records import is_contact_block

NEAR_DUPLICATE = 0.8  # share of the smaller passage's word 3-grams found in the other
# A document is named as also holding a passage when it holds this share of the passage's word
# 3-grams: all but a seam at a heading. A new user's trial: true copies (the NINDS fact sheet in two
# files) hold 0.958 to 1.0, symptom lists sharing GARD's boilerplate 0.80 to 0.92.
ALSO_IN = 0.95


@dataclass(frozen=True)
class Passage:
    """A span of one document with the evidence for a question; offsets index the document text."""

    doc_id: str
    title: str
    source: str
    collection: str
    section: str
    page: int | None
    char_start: int
    char_end: int
    text: str
    score: float
    chunk_ids: tuple[int, ...]
    positions: tuple[int, ...]
    highlight: tuple[int, int] | None = None  # character span within `text`
    also_in: tuple[str, ...] = ()
    rank: int = 0
    # First and last PDF page of the passage (None without pages). `page` is the page shown: the
    # first page, or the evidence sentence's page once search marks it.
    page_range: tuple[int, int] | None = None
    page_spans: tuple[tuple[int, int, int], ...] = ()  # (char_start, char_end, page) of its chunks
    publisher: str = ""  # who the document says it comes from (its own "Source: …" line), if it says

    @property
    def evidence_span(self) -> tuple[int, int] | None:
        """The marked evidence sentence in document offsets (`highlight` is within `text`), else None."""
        if self.highlight is None:
            return None
        return self.char_start + self.highlight[0], self.char_start + self.highlight[1]

    @property
    def evidence_page(self) -> int | None:
        """The page of the marked evidence sentence (from the chunks' pages), else `page`."""
        if self.evidence_span is not None:
            at = self.evidence_span[0]
            for start, end, number in self.page_spans:
                if start <= at < end:
                    return number
        return self.page

    @property
    def page_label(self) -> str:
        """How the page reads in a citation: "page 3", "pages 3–4", "page 4 (passage on pages 3–4)"; else ""."""
        if self.page_range is None or self.page_range[0] == self.page_range[1]:
            page = self.evidence_page or (self.page_range[0] if self.page_range else None)
            return f"page {page}" if page else ""
        first, last = self.page_range
        if self.highlight is not None and self.evidence_page:
            return f"page {self.evidence_page} (passage on pages {first}–{last})"
        return f"pages {first}–{last}"


def merge_chunks(scored: list[tuple[StoredChunk, float]], document_text: dict[str, str]) -> list[Passage]:
    """Merge overlapping or consecutive chunks of each document; best passage first."""
    by_doc: dict[str, list[tuple[StoredChunk, float]]] = {}
    for chunk, score in scored:
        by_doc.setdefault(chunk.doc_id, []).append((chunk, score))
    passages = []
    for doc_id, items in by_doc.items():
        items.sort(key=lambda item: item[0].position)
        group = [items[0]]
        for item in items[1:]:
            if _joins(group[-1][0], item[0]):
                group.append(item)
            else:
                passages.append(_passage(group, document_text[doc_id]))
                group = [item]
        passages.append(_passage(group, document_text[doc_id]))
    passages.sort(key=lambda p: -p.score)
    return passages


def _joins(last: StoredChunk, chunk: StoredChunk) -> bool:
    """True when `chunk` continues the passage ending with `last`: same section, overlapping or next,
    and neither is a contact entry standing alone."""
    if chunk.section != last.section:
        return False
    if chunk.char_start <= last.char_end:
        return True
    return chunk.position == last.position + 1 and not (is_contact_block(last.text) or is_contact_block(chunk.text))


def _passage(group: list[tuple[StoredChunk, float]], text: str) -> Passage:
    first = group[0][0]
    start = min(chunk.char_start for chunk, _ in group)
    end = max(chunk.char_end for chunk, _ in group)
    sections = list(dict.fromkeys(chunk.section for chunk, _ in group))
    pages = [chunk.page for chunk, _ in group if chunk.page]
    return Passage(
        doc_id=first.doc_id,
        title=first.title,
        source=first.source,
        collection=first.collection,
        section=" / ".join(s for s in sections if s),
        page=first.page,
        page_range=(min(pages), max(pages)) if pages else None,
        page_spans=tuple((chunk.char_start, chunk.char_end, chunk.page) for chunk, _ in group if chunk.page),
        char_start=start,
        char_end=end,
        text=text[start:end],
        score=max(score for _, score in group),
        chunk_ids=tuple(chunk.id for chunk, _ in group),
        positions=tuple(chunk.position for chunk, _ in group),
    )


def drop_near_duplicates(
    passages: list[Passage], threshold: float = NEAR_DUPLICATE, texts: dict[str, str] | None = None
) -> list[Passage]:
    """Keep the first of each group of nearly identical passages; note where the others were. A
    document is named in `also_in` only when it holds the kept passage's wording too (with `texts`,
    the documents' texts: ALSO_IN of its word 3-grams): a passage of one condition's symptom
    list plus boilerplate shared by many documents drops another document's boilerplate-only
    passage, but its list is not "also in" that document (a new user's trial: the DYT1 list was
    said to be also in the dopa-responsive and myoclonus-dystonia files)."""
    kept: list[tuple[Passage, set[tuple[str, ...]], list[str]]] = []
    for passage in passages:
        shingles = _shingles(passage.text)
        for other, other_shingles, also_in in kept:
            if _overlap(shingles, other_shingles) >= threshold:
                if passage.doc_id != other.doc_id and passage.doc_id not in also_in:
                    if texts is None or _share_in(other_shingles, _around(texts, passage, len(other.text))) >= ALSO_IN:
                        also_in.append(passage.doc_id)
                break
        else:
            kept.append((passage, shingles, []))
    return [replace(passage, also_in=tuple(also_in)) if also_in else passage for passage, _, also_in in kept]


def _around(texts: dict[str, str], passage: Passage, reach: int) -> set[tuple[str, ...]]:
    """The word 3-grams of a passage's document within `reach` characters of it: where the wording
    of a passage it nearly copies stands, if the document holds it (not the whole document, which
    may be a 1 MB text: ~130 ms to split)."""
    text = texts[passage.doc_id]
    return _shingles(text[max(0, passage.char_start - reach) : passage.char_end + reach])


def _share_in(part: set, whole: set) -> float:
    """The share of `part`'s 3-grams found in `whole`."""
    return len(part & whole) / len(part) if part else 0.0


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < 3:
        return {tuple(words)}
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _overlap(a: set, b: set) -> float:
    """Overlap coefficient: 1.0 when one passage's wording lies entirely inside the other's."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def without_boilerplate(passage: Passage, units: list[tuple[int, int]], boilerplate: list[bool], text: str) -> Passage:
    """The passage without the run of boilerplate sentence units at its start or end (`boilerplate`
    says which of `units`, the passage's units in document offsets and order, are: sentences many
    documents repeat with only their title changed). GARD's symptom passages end in some 900
    characters explaining how the Human Phenotype Ontology counts frequencies, the same in every
    one: on a phone, a screen of it under each list. The span stays exact (the document's own
    characters); a passage that is all boilerplate is kept whole, and nothing between units is cut."""
    inside = [
        (span, flag)
        for span, flag in zip(units, boilerplate)
        if passage.char_start <= span[0] and span[1] <= passage.char_end
    ]
    kept = [i for i, (_, flag) in enumerate(inside) if not flag]
    if not kept or (kept[0] == 0 and kept[-1] == len(inside) - 1):
        return passage
    start = inside[kept[0]][0][0] if kept[0] > 0 else passage.char_start
    end = inside[kept[-1]][0][1] if kept[-1] < len(inside) - 1 else passage.char_end
    if text[passage.char_start : inside[0][0][0]].strip() and kept[0] > 0:
        start = passage.char_start  # words before the first unit: not cut
    if text[inside[-1][0][1] : passage.char_end].strip() and kept[-1] < len(inside) - 1:
        end = passage.char_end
    spans = tuple(s for s in passage.page_spans if s[0] < end and start < s[1])
    pages = [number for _, _, number in spans]
    return replace(
        passage,
        char_start=start,
        char_end=end,
        text=text[start:end],
        page_spans=spans,
        page_range=(min(pages), max(pages)) if pages else passage.page_range,
        page=pages[0] if pages else passage.page,
    )
