"""Cut a Document into sentence-aligned Chunks that the embedding model sees whole.

A chunk never crosses a section or a page, holds whole sentences with a small overlap of
sentences carried into the next chunk, and its embedding input (context line + text) never
exceeds the model's word-piece limit, counted with the model's own tokenizer. A sentence too
long for one chunk is cut at word boundaries. Nothing here embeds or stores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ingest.document import Chunk, Document
from ingest.sentences import split_sentences
from ingest.tokens import TokenCounter

CHUNKER_VERSION = 1
MAX_CONTEXT_TOKENS = 48  # a long title or question heading must leave room for the passage


@dataclass(frozen=True)
class ChunkSettings:
    """How documents are cut; stored in the manifest, a change forces a full rebuild."""

    max_tokens: int = 160  # word pieces of passage text per chunk, at most
    overlap_tokens: int = 40  # at most this many word pieces of whole sentences repeat
    context: bool = True  # embed "title — section" above each chunk
    version: int = CHUNKER_VERSION

    def as_dict(self) -> dict[str, int | bool]:
        """Plain form for the manifest."""
        return asdict(self)


def context_line(title: str, heading: str) -> str:
    """The line that tells the model where a chunk comes from."""
    if not heading or heading.casefold() == title.casefold():
        return title
    return f"{title} — {heading}"


def chunk_document(doc: Document, counter: TokenCounter, settings: ChunkSettings) -> list[Chunk]:
    """All chunks of a document, in reading order, positions numbered from 0."""
    chunks: list[Chunk] = []
    for section in doc.sections:
        context = _clip(context_line(doc.title, section.heading), counter) if settings.context else ""
        budget = min(settings.max_tokens, counter.max_text_tokens - (counter.count(context) if context else 0))
        for start, end, page in _segments(doc, section.start, section.end):
            for a, b in _pack(doc.text, start, end, counter, budget, settings.overlap_tokens):
                chunks.append(
                    Chunk(
                        doc_id=doc.doc_id,
                        position=len(chunks),
                        text=doc.text[a:b],
                        char_start=a,
                        char_end=b,
                        section=section.heading,
                        page=page,
                        context=context,
                    )
                )
    return chunks


def _segments(doc: Document, start: int, end: int) -> list[tuple[int, int, int | None]]:
    """The parts of [start, end) that lie on one page each (the whole span when no pages)."""
    if not doc.pages:
        return [(start, end, None)]
    parts: list[tuple[int, int, int | None]] = []
    for page in doc.pages:
        a, b = max(start, page.start), min(end, page.end)
        if a < b:
            parts.append((a, b, page.number))
    return parts


def _clip(context: str, counter: TokenCounter) -> str:
    ends = counter.token_ends(context)
    if len(ends) <= MAX_CONTEXT_TOKENS:
        return context
    return context[: ends[MAX_CONTEXT_TOKENS - 1]].rstrip() + " …"


def _pack(text: str, start: int, end: int, counter: TokenCounter, budget: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing of sentence pieces into spans of at most `budget` word pieces."""
    pieces = _pieces(text, start, end, counter, budget)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        j, total = i, 0
        while j < len(pieces) and total + pieces[j][2] <= budget:
            total += pieces[j][2]
            j += 1
        spans.append((pieces[i][0], pieces[j - 1][1]))
        if j == len(pieces):
            break
        # Carry whole trailing sentences into the next chunk, never the whole chunk.
        k, carried = j, 0
        while k - 1 > i and carried + pieces[k - 1][2] <= overlap:
            carried += pieces[k - 1][2]
            k -= 1
        i = k
    return spans


def _pieces(text: str, start: int, end: int, counter: TokenCounter, budget: int) -> list[tuple[int, int, int]]:
    """Sentences as (start, end, word pieces), long ones cut at word boundaries to fit."""
    sentences = split_sentences(text, start, end)
    counts = counter.count_many([text[a:b] for a, b in sentences]) if sentences else []
    pieces: list[tuple[int, int, int]] = []
    for (a, b), n in zip(sentences, counts):
        if n <= budget:
            pieces.append((a, b, n))
        else:
            pieces.extend(_split_long(text, a, b, counter, budget))
    return pieces


def _split_long(text: str, a: int, b: int, counter: TokenCounter, budget: int) -> list[tuple[int, int, int]]:
    """Cut one over-long sentence into pieces of at most `budget` word pieces."""
    pieces = []
    while a < b:
        ends = counter.token_ends(text[a:b])
        if len(ends) <= budget:
            pieces.append((a, b, len(ends)))
            break
        cut = a + ends[budget - 1]
        space = text.rfind(" ", a, cut + 1)
        if space > a:  # prefer a word boundary; a single giant word is cut between pieces
            cut = space
        while cut > a + 1 and text[cut - 1].isspace():
            cut -= 1
        n = counter.count(text[a:cut])
        while n > budget and cut > a + 1:  # only when a mid-word cut re-tokenised differently
            cut -= 1
            n = counter.count(text[a:cut])
        pieces.append((a, cut, n))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    return pieces
