"""Cut a Document into sentence-aligned Chunks that the embedding model sees whole.

A chunk never crosses a section or a page, holds whole sentences with a small overlap of
sentences carried into the next chunk, and its embedding input (context line + text) never
exceeds the model's word-piece limit, counted with the model's own tokenizer. A sentence too
long for one chunk is cut at word boundaries.

Records (`ingest.records`) are never cut unless one alone is longer than a chunk: a list item,
a Q&A pair and a table row stay whole, and a contact entry is a chunk of its own (one
organisation per chunk, no overlap with its neighbours). A table longer than a chunk is cut
between rows, and every chunk that starts after its header carries the header in its context
line (embedded with the chunk, outside its exact text span). Nothing here embeds or stores.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from ingest.document import Chunk, Document
from ingest.limits import MAX_CHUNK_CHARS, MAX_CHUNKS_PER_DOCUMENT, check_chunk_count
from ingest.records import Record, find_records
from ingest.sentences import split_sentences
from ingest.tokens import TokenCounter

# 2: records kept whole, table headers in the context line; 3: the loaders changed what they give
# (PDF lines wrapped mid-sentence joined, placeholder titles replaced), so every document is read again;
# 4: a MedQuAD document's other names lead its first answer.
CHUNKER_VERSION = 4
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
        budgets = _Budgets(doc.text, context, counter, settings)
        for start, end, page in _segments(doc, section.start, section.end):
            for a, b, header in _pack(doc.text, start, end, counter, budgets, settings.overlap_tokens):
                chunks.append(
                    Chunk(
                        doc_id=doc.doc_id,
                        position=len(chunks),
                        text=doc.text[a:b],
                        char_start=a,
                        char_end=b,
                        section=section.heading,
                        page=page,
                        context=budgets.context(header),
                    )
                )
            # Contact entries are a chunk each, so the count can pass the bound `_pieces` checks.
            check_chunk_count(len(chunks), at_least=True)
    return chunks


class _Budgets:
    """The context line of a section's chunks and the word pieces of text each may hold.

    A chunk that continues a table carries the table's header under the section's context
    line, so it holds fewer word pieces of text.
    """

    def __init__(self, text: str, context: str, counter: TokenCounter, settings: ChunkSettings) -> None:
        self._text, self._context, self._counter, self._settings = text, context, counter, settings
        self.plain = self._budget(context)
        self._headers: dict[tuple[int, int], tuple[str, int]] = {}

    def _budget(self, context: str) -> int:
        used = self._counter.count(context) if context else 0
        return min(self._settings.max_tokens, self._counter.max_text_tokens - used)

    def _with_header(self, header: tuple[int, int]) -> tuple[str, int]:
        if header not in self._headers:
            line = _clip(" ".join(self._text[header[0] : header[1]].split()), self._counter)
            context = f"{self._context}\n{line}" if self._context else line
            self._headers[header] = (context, self._budget(context))
        return self._headers[header]

    def limit(self, header: tuple[int, int] | None) -> int:
        """Word pieces of text a chunk may hold when it starts under `header` (None: no header)."""
        return self.plain if header is None or not self._settings.context else self._with_header(header)[1]

    def context(self, header: tuple[int, int] | None) -> str:
        """The context line of a chunk that starts under `header`."""
        return self._context if header is None or not self._settings.context else self._with_header(header)[0]


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


@dataclass
class _Unit:
    """Sentence pieces packed together or not at all; the flags say where chunks must break."""

    pieces: list[tuple[int, int, int]] = field(default_factory=list)
    header: tuple[int, int] | None = None  # a table row's header, when the row is not the first
    starts_chunk: bool = False  # no earlier text in its chunk
    ends_chunk: bool = False  # no later text in its chunk

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    @property
    def cost(self) -> int:
        return sum(piece[2] for piece in self.pieces)


def _pack(
    text: str, start: int, end: int, counter: TokenCounter, budgets: _Budgets, overlap: int
) -> list[tuple[int, int, tuple[int, int] | None]]:
    """Greedy packing of units into spans of at most the budget's word pieces, with the header each starts under."""
    pieces = _pieces(text, start, end, counter, budgets.plain)
    units = _units(pieces, find_records(text, start, end), budgets.plain)
    spans: list[tuple[int, int, tuple[int, int] | None]] = []
    i = 0
    while i < len(units):
        header = units[i].header
        limit = budgets.limit(header)
        if units[i].cost > limit:
            header, limit = None, budgets.plain  # too long to carry its header: the plain context
        j, total = i, 0
        while j < len(units) and (j == i or not units[j].starts_chunk) and total + units[j].cost <= limit:
            total += units[j].cost
            j += 1
            if units[j - 1].ends_chunk:
                break
        spans.append((units[i].start, units[j - 1].end, header))
        if j == len(units):
            break
        if units[j].starts_chunk or units[j - 1].ends_chunk:
            i = j
            continue
        # Carry whole trailing units into the next chunk, never the whole chunk.
        k, carried = j, 0
        while k - 1 > i and carried + units[k - 1].cost <= overlap:
            carried += units[k - 1].cost
            k -= 1
        i = k
    return spans


def _units(pieces: list[tuple[int, int, int]], records: list[Record], budget: int) -> list[_Unit]:
    """Group the pieces by record: a record that fits is one unit; a longer one is cut at its parts."""
    units: list[_Unit] = []
    r = 0
    i = 0
    while i < len(pieces):
        while r < len(records) and records[r].end <= pieces[i][0]:
            r += 1
        record = records[r] if r < len(records) and records[r].start <= pieces[i][0] else None
        if record is None:
            units.append(_Unit([pieces[i]]))
            i += 1
            continue
        j = i
        while j < len(pieces) and pieces[j][1] <= record.end:
            j += 1
        if j == i:  # a piece running past its record's end (never from the line-based records): alone
            j = i + 1
            units.append(_Unit([pieces[i]]))
        else:
            units.extend(_record_units(pieces[i:j], record, budget))
        i = j
    return units


def _record_units(pieces: list[tuple[int, int, int]], record: Record, budget: int) -> list[_Unit]:
    """The units of one record's pieces: one when it fits a chunk, else its parts (table rows) or pieces."""
    whole = _Unit(list(pieces), starts_chunk=record.standalone, ends_chunk=record.standalone)
    if whole.cost <= budget:
        return [whole]
    units: list[_Unit] = []
    at = 0  # pieces and parts are both in text order: one walk over each
    for n, (a, b) in enumerate(record.parts or [(record.start, record.end)]):
        while at < len(pieces) and pieces[at][0] < a:
            at += 1
        inside = []
        while at < len(pieces) and pieces[at][1] <= b:
            inside.append(pieces[at])
            at += 1
        if not inside:
            continue
        header = record.header if n > 0 else None
        part = _Unit(inside, header=header)
        units.extend([part] if part.cost <= budget else [_Unit([p], header=header) for p in inside])
    if units:
        # A record cut anyway starts a chunk, so its beginning (a question, a name) leads its first
        # part; a table need not, as its header goes with every later part.
        units[0].starts_chunk = record.kind != "table"
        units[-1].ends_chunk = record.standalone
    return units


# Long text is counted and cut in bounded steps (see `_pieces` and `_split_long`).
_COUNT_BATCH = 1000  # sentences per tokenizer call
_WINDOW_CHARS = 32 * MAX_CHUNK_CHARS  # characters of an over-long sentence tokenised at a time
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# The CJK ideograph blocks BERT's tokenizer treats as one word per character.
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)
_WORD = re.compile(r"\w[^ \t\n\r]*+")  # a run without spaces holding a letter or digit: one word piece or more
# Characters that are each a word piece of their own: ASCII punctuation and CJK ideographs.
_CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES)
_OWN_PIECE = re.compile(f"[{re.escape(''.join(sorted(_ASCII_PUNCTUATION)))}{_CJK_CLASS}]")


def _pieces(text: str, start: int, end: int, counter: TokenCounter, budget: int) -> list[tuple[int, int, int]]:
    """Sentences as (start, end, cost), long ones cut to fit; `_pack` fills a chunk up to `budget` of cost.

    A piece's cost is its word-piece count, raised where needed so that no chunk passes
    MAX_CHUNK_CHARS either: a piece costs at least its share of that limit, measured from the
    end of the piece before it (so the gap between them counts too), capped at `budget`.

    Raises LoadError as soon as the text proves to need more than MAX_CHUNKS_PER_DOCUMENT
    chunks (a chunk holds at most `budget` of cost): from its words alone before anything is
    tokenised, else once the pieces found so far cost more than that many chunks can hold.
    """
    _refuse_by_lower_bound(text, start, end, budget)
    sentences = split_sentences(text, start, end)
    pieces: list[tuple[int, int, int]] = []
    total = 0
    for first in range(0, len(sentences), _COUNT_BATCH):
        batch = sentences[first : first + _COUNT_BATCH]
        # A sentence past MAX_CHUNK_CHARS is cut whatever its count, so it is not counted here.
        countable = [text[a:b] for a, b in batch if b - a <= MAX_CHUNK_CHARS]
        counts = iter(counter.count_many(countable) if countable else [])
        for a, b in batch:
            n = next(counts) if b - a <= MAX_CHUNK_CHARS else budget + 1
            for piece in [(a, b, n)] if n <= budget else _split_long(text, a, b, counter, budget):
                pieces.append(piece)
                total += piece[2]
                if total > MAX_CHUNKS_PER_DOCUMENT * budget:
                    check_chunk_count(-(-total // budget), at_least=True)
    return _with_character_costs(pieces, budget)


def _refuse_by_lower_bound(text: str, start: int, end: int, budget: int) -> None:
    """LoadError when a lower bound on text[start:end]'s word pieces passes what MAX_CHUNKS_PER_DOCUMENT chunks hold.

    A word (a run without spaces holding a letter or digit) is at least one word piece, and so
    is each punctuation mark or CJK ideograph, while a chunk holds at most `budget` of them: either
    count is a lower bound on the word pieces, found without tokenising. Texts too short to reach
    the limit are not counted.
    """
    if end - start <= MAX_CHUNKS_PER_DOCUMENT * budget:
        return
    span = text[start:end]
    pieces = max(_WORD.subn("", span)[1], _OWN_PIECE.subn("", span)[1])
    check_chunk_count(-(-pieces // budget), at_least=True)


def _with_character_costs(pieces: list[tuple[int, int, int]], budget: int) -> list[tuple[int, int, int]]:
    """Raise each piece's cost to its share of MAX_CHUNK_CHARS (gap before it included), at most `budget`."""
    costed = []
    previous_end: int | None = None
    for a, b, n in pieces:
        span = b - (a if previous_end is None else previous_end)
        share = -(-span * budget // MAX_CHUNK_CHARS)  # rounded up
        costed.append((a, b, min(budget, max(n, share))))
        previous_end = b
    return costed


def _split_long(text: str, a: int, b: int, counter: TokenCounter, budget: int) -> Iterator[tuple[int, int, int]]:
    """Cut one over-long sentence into pieces of at most `budget` word pieces and MAX_CHUNK_CHARS characters.

    Linear in the sentence's length: it is tokenised once, a window at a time (a window's
    unused tail, shorter than a chunk, is tokenised again with the next), and the cuts are found
    by walking the word-piece offsets. A cut falls after the last space that keeps the piece
    within both limits; text without spaces is cut between word pieces, and a word piece longer
    than MAX_CHUNK_CHARS (a giant "word" the tokenizer reads as one unknown piece) is cut inside.
    A piece that begins or ends inside a word costs a whole chunk, so `_pack` never joins it to
    its other half, which would tokenise differently.
    """
    window = a
    while window < b:
        stop = _window_stop(text, window, b)
        ends = [window + end for end in counter.token_ends(text[window:stop])]
        pieces: list[tuple[int, int, int]] = []
        window = _cut_window(text, (a, b), (window, stop), ends, counter, budget, pieces)
        yield from pieces


def _window_stop(text: str, start: int, b: int) -> int:
    """Where the tokenising window from `start` ends: at a space in its second half when there is one."""
    stop = start + _WINDOW_CHARS
    if stop >= b:
        return b
    half = stop - _WINDOW_CHARS // 2
    space = max(text.rfind(" ", half, stop), text.rfind("\t", half, stop))
    return space if space > start else stop


def _cut_window(
    text: str,
    sentence: tuple[int, int],
    window: tuple[int, int],
    ends: list[int],
    counter: TokenCounter,
    budget: int,
    pieces: list[tuple[int, int, int]],
) -> int:
    """Append the pieces the window decides; return where the next window starts.

    `ends` are the end offsets of the window's word pieces, in the document's text.
    """
    b = sentence[1]
    a, stop = window
    i = 0  # the first word piece that ends after `a`
    while a < b:
        while i < len(ends) and ends[i] <= a:
            i += 1
        limit = a + MAX_CHUNK_CHARS
        if stop < b and limit >= stop:
            return a  # the window is nearly used up: the next one starts here
        fit = min(i + budget, bisect_right(ends, limit, i))  # word pieces i..fit-1 keep both limits
        if stop == b and fit == len(ends) and b <= limit:
            cut = b
        elif fit > i:
            cut = ends[fit - 1]
            space = max(text.rfind(" ", a, cut + 1), text.rfind("\t", a, cut + 1))
            if space > a:
                cut = space
        else:
            cut = limit  # a single word piece longer than a chunk: cut inside it
        while cut > a + 1 and text[cut - 1].isspace():
            cut -= 1
        piece = _measured(text, sentence, (a, cut), window[0], ends, i, counter, budget)
        pieces.append(piece)
        a = piece[1]
        while a < b and text[a].isspace():
            a += 1
    return b


def _measured(
    text: str,
    sentence: tuple[int, int],
    span: tuple[int, int],
    window_start: int,
    ends: list[int],
    i: int,
    counter: TokenCounter,
    budget: int,
) -> tuple[int, int, int]:
    """The piece `span` with its cost; shortened in the rare case a fresh count of it passes `budget`.

    Between word boundaries the window's word pieces are the count; otherwise the piece is
    counted afresh, and as it begins or ends inside a word it costs a whole chunk.
    """
    a, cut = span
    starts_inside = a > sentence[0] and not _word_boundary(text, a)
    ends_inside = cut < sentence[1] and not _word_boundary(text, cut)
    if (a == window_start or not starts_inside) and not ends_inside:
        n = bisect_right(ends, cut, i) - i  # the window was tokenised from `a` or from a separator before it
    else:
        n = counter.count(text[a:cut])
        while n > budget and cut > a + 1:  # a word cut short tokenised into more pieces
            cut = a + max(1, (cut - a) * budget // (n + 1))
            n = counter.count(text[a:cut])
            ends_inside = True
    return a, cut, budget if starts_inside or ends_inside else n


def _word_boundary(text: str, pos: int) -> bool:
    """True when the model's tokenizer (BERT's) always splits words at `pos`, whatever surrounds it.

    It splits at spaces and line breaks, and on both sides of every punctuation mark and CJK
    ideograph; text cut there tokenises into the same word pieces alone as in context.
    """
    return _splits(text[pos - 1]) or _splits(text[pos])


def _splits(char: str) -> bool:
    """A character the tokenizer keeps as a word of its own or as a separator (never drops)."""
    if char in " \t\n\r" or char in _ASCII_PUNCTUATION:
        return True
    code = ord(char)
    if code < 128:
        return False
    category = unicodedata.category(char)
    return category == "Zs" or category.startswith("P") or any(lo <= code <= hi for lo, hi in _CJK_RANGES)
