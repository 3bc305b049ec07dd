"""A document's notes about itself: where it comes from, a disclaimer, when it was reviewed.

Leaflets and fact sheets end with lines like "Source: National Institutes of Health", "This
information is not intended to replace the medical advice of your doctor", "Last reviewed on
11/20/2012". Such a block answers "who wrote this and how current is it?", never a question
about the condition, yet its generic medical wording sits close to many questions. Found by its
words alone: every sentence of the block is one of these notes. Leaves out: a note sentence
inside a paragraph of content (that chunk is content).
"""

from __future__ import annotations

import re

from ingest.sentences import split_sentences

_NOTE_SENTENCE = re.compile(
    r"^\W*(?:sources?|references?|credits?|reviewed|updated)\s*:"
    r"|^\W*(?:copyright|last (?:reviewed|updated|revised)|adapted from|reprinted (?:from|with)|"
    r"(?:published|produced|written|reviewed) by)\b"
    r"|\bnot (?:intended|meant) (?:to replace|to be a substitute|as a substitute)\b"
    r"|\bnot a substitute for\b"
    r"|\b(?:consult|ask|see|talk to) (?:your|a) (?:own )?(?:doctor|physician|gp|"
    r"health ?care (?:provider|professional)|health professional)\b(?:.{0,40}\b(?:advice|before)\b)"
    r"|\b(?:this|the) (?:information|document|page|leaflet|fact ?sheet|article)\b.{0,60}\b"
    r"(?:provided by|produced by|published by|written by|last (?:reviewed|updated|revised)|reviewed (?:on|by))\b"
    r"|\ball rights reserved\b|^\W*©"
    r"|^\W*NIH\s*:\s",  # MedlinePlus's credit line: "NIH: National Institute of Neurological Disorders and Stroke"
    re.IGNORECASE,
)

# Every pattern above holds one of these; a chunk with none is no note (a case-insensitive regex
# scan of a chunk costs ~40 µs, these substring checks ~9 µs).
_CUES = tuple(
    "source|reference|credit|review|updated|revised|copyright|adapted from|reprint|published by|produced by|"
    "written by|provided by|not intended|not meant|substitute|doctor|physician|gp|healthcare|health care|"
    "health professional|rights reserved|©|nih:".split("|")
)


def is_document_note(text: str) -> bool:
    """True when every sentence of the block is a note about the document (source, disclaimer,
    review date): "Source: …", "… is not intended to replace the medical advice of your doctor".
    """
    lowered = text.lower()
    if not any(cue in lowered for cue in _CUES):
        return False  # settles most chunks at a glance: ranking asks this of 50 chunks a search
    sentences = [text[a:b] for a, b in split_sentences(text)]
    return all(_NOTE_SENTENCE.search(sentence) for sentence in sentences)


# A line of its own that names where the document comes from: "Source: National Institutes of
# Health; …". An inline "(SOURCE: DUKE UNIVERSITY) - Duke researchers…" credits one news item, not
# the document, and is not such a line.
_SOURCE_LINE = re.compile(r"^[ \t]*sources?[ \t]*:[ \t]*(\S[^\n]{0,200}?)[ \t.]*$", re.IGNORECASE | re.MULTILINE)


def declared_source(text: str) -> str:
    """Who the document says it comes from: the value of its first "Source: …" line, else ""."""
    match = _SOURCE_LINE.search(text)
    return match.group(1) if match else ""
