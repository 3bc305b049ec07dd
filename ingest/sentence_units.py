"""The units a chunk is scored and marked by: its sentences, with very short ones joined to the next.

A heading-like fragment ("Phone: 312.755.0198", "Dystonia") says little alone; joined to its
neighbour it becomes a unit worth embedding and worth marking. A question or a table row is
never joined, so the evidence rules can recognise it. Spans are offsets into the same
text the chunk's offsets index, so a unit can be cited exactly. No model here.
"""

from __future__ import annotations

from ingest.sentences import split_sentences

MIN_UNIT_WORDS = 5


def sentence_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end]; a span under MIN_UNIT_WORDS words joins the next one."""
    units: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for a, b in split_sentences(text, start, end):
        if pending is not None:
            a = pending[0]
            pending = None
        piece = text[a:b]
        # A question or a table row stays a unit of its own: evidence rules must be able to see it.
        if len(piece.split()) < MIN_UNIT_WORDS and not piece.endswith("?") and " | " not in piece:
            pending = (a, b)
            continue
        units.append((a, b))
    if pending is not None:
        if units:
            units[-1] = (units[-1][0], pending[1])
        else:
            units.append(pending)
    return units


def chunk_units(text: str, char_start: int, char_end: int) -> list[tuple[int, int]]:
    """The units of one chunk, as offsets into the document text (the chunk spans char_start:char_end)."""
    return sentence_units(text, char_start, char_end)
