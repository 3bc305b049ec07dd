"""Choose the sentence of each passage that answers the question, from vectors stored at build time.

Each sentence unit (see `ingest.sentence_units`) is scored by its stored vector's cosine with the
question plus a bonus for the question's content words it contains, each weighted by how rare it
is in the index and by how few of the passage's units hold it. Units that cannot be an answer
are passed over: a question (MedQuAD repeats its own), a table's header row, and a bare contact
line (address, phone, email) unless the question asks how to reach someone, a condition's list of
other names unless the question asks what else it is called, and a document's note about itself (a
disclaimer, a source line) unless the question asks about the source. A passage with nothing else
is marked where it names what was asked (an organisation's name line, a list of other names holding
the question's word), else not at all. No embedding happens at query time.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from index.intents import NOT_IDENTIFIED, NOTHING_ASKED, Intent
from index.templates import template_key
from ingest.loaders.medquad import OTHER_NAMES
from ingest.notes import is_document_note

LEXICAL_WEIGHT = 0.8  # chosen on the held-out and lay question sets (EVALUATION.md)
NOT_AN_ANSWER = 10.0
# A passage with no answering unit is marked where it holds a question word at least this share as
# rare as the question's rarest (`best_unit`).
RAREST_SHARE = 0.5
SHAPE_WEIGHT = 0.4  # a unit of the shape the question asks for (`intents.answer_shape`): a duration, an age...
# A sentence saying no mutation was found ("In some people…, no mutation in the ATP1A3 gene has been
# identified.") loses this: it answers only the rare question about what is not known. A new user
# asking "ATP1A3" got it marked over "…is caused by mutations in the ATP1A3 gene". Tuning sets
# unchanged. (Also taking it off "…is unknown" sentences raised tune4's evidence 0.830 → 0.849, but
# "The prevalence of X is unknown." is the answer to how common X is.)
NOT_FOUND_WEIGHT = 0.15
_NOT_IDENTIFIED = re.compile(NOT_IDENTIFIED, re.IGNORECASE)
# "ment", "ance", "ence": "treatment" meets "treated", "inheritance" meets "inherited" (tuning
# sets, evidence: heldout 0.681 → 0.702, lay unchanged).
_SUFFIXES = ("ment", "ance", "ence", "ing", "ed", "ly")
_NAMES_LINE = f"{OTHER_NAMES}:"  # the line a MedQuAD loader puts before a condition's first answer
# A news item's dateline, "(SOURCE: DUKE UNIVERSITY) - Duke University researchers have ...": the
# sentence after the tag is content, though the tag alone reads as a source line.
_SOURCE_TAG = re.compile(r"^\(\s*sources?\s*:[^)]*\)\s*[-–—:]\s*\w", re.IGNORECASE)
_CONTACT_LINE = re.compile(
    r"^(phone|fax|toll-free|tel|email|e-mail|web|website|p\.o\. box)\b|@|\b\d{3}[.\-)\s]\d{3}[.\-]\d{4}\b"
    r"|^\d+\s+\w+(\s+\w+)*\s+(street|avenue|drive|road|lane|boulevard|suite)\b|,\s*[A-Z]{2}\s+\d{5}",
    re.IGNORECASE,
)


@lru_cache(maxsize=1 << 16)  # ~650 calls a search, mostly the same words: 1 ms of a 11 ms search
def stem(word: str) -> str:
    """A light suffix strip, enough to match 'spasms' with 'spasm', 'inherited' with 'inherit',
    'injuries' with 'injury', 'curable' with 'cure', and a plural with its singular: 'causes' with
    'cause', 'muscles' with 'muscle', 'movements' with 'movement' (a plural's "s" goes first, then
    one suffix, then a final "e"). Stripping "es" as a suffix left 'caus' beside 'cause' (tuning
    sets, evidence: lay 0.726 → 0.745, tune2 0.794 → 0.809, the others unchanged). "able"/"ible"
    and the "e" of a four-letter word ('cure') changed no tuning figure; "is dystonia curable"
    marks "There is no cure." instead of "Some cases worsen over time."."""
    if len(word) > 5 and word.endswith("ies"):
        return stem(word[:-3] + "y")
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return stem(word[:-1])
    if len(word) > 6 and word.endswith(("able", "ible")):
        return word[:-4]
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def mostly_contact_lines(text: str) -> bool:
    """True when at least half the text's lines are contact lines (address, phone, email)."""
    lines = [line for line in text.strip().split("\n") if line.strip()]
    return bool(lines) and sum(bool(_CONTACT_LINE.search(line)) for line in lines) * 2 >= len(lines)


def unit_penalty(
    text: str,
    is_table_header: bool,
    contact_question: bool,
    is_template: bool = False,
    names_answer: bool = False,
    source_question: bool = False,
) -> float:
    """NOT_AN_ANSWER for units that never answer (a question, a table header, a bare contact block,
    a template sentence that many documents repeat with only their title changed, a list of the
    condition's other names unless it answers a question about names (`names_answer`), a document's note about
    itself, such as a source line or a disclaimer, unless the question asks about the source)."""
    stripped = text.strip()
    if stripped.endswith("?") or is_table_header or is_template:
        return NOT_AN_ANSWER
    if stripped.startswith(_NAMES_LINE) and not names_answer:
        return NOT_AN_ANSWER
    if not source_question and is_document_note(stripped) and not _SOURCE_TAG.match(stripped):
        return NOT_AN_ANSWER
    if not contact_question and mostly_contact_lines(stripped):
        return NOT_AN_ANSWER
    return 0.0


def is_table_header(document_text: str, start: int) -> bool:
    """True for the first row of a table written as lines of cells joined by " | "."""
    line_start = document_text.rfind("\n", 0, start) + 1
    line_end = document_text.find("\n", start)
    line = document_text[line_start : line_end if line_end != -1 else len(document_text)]
    if " | " not in line:
        return False
    previous_end = line_start - 1
    previous_start = document_text.rfind("\n", 0, max(previous_end, 0)) + 1
    previous = document_text[previous_start:previous_end] if previous_end > 0 else ""
    return " | " not in previous


def unit_words(text: str) -> set[str]:
    """The stemmed words of a sentence unit."""
    return {stem(w) for w in re.findall(r"\w+", text.lower())}


def passage_weights(terms: dict[str, float], units_words: list[set[str]]) -> dict[str, float]:
    """Each question word's weight for choosing among a passage's units: its rarity in the index,
    less the share of the passage's units that hold it. The passage's own topic ("limb dystonia" in
    every sentence) cannot tell its sentences apart; "treatment" in one of them can. Passages of
    one or two units keep the plain weights. Tuning sets, evidence: heldout 0.702 → 0.723, lay
    0.735 → 0.775 (half the discount: 0.723, 0.735; lexical weight 0.6 / 1.2 with it: worse)."""
    if len(units_words) <= 2:
        return dict(terms)
    return {t: w * (1 - sum(t in words for words in units_words) / len(units_words)) for t, w in terms.items()}


def best_unit(
    units: list[tuple[int, int]],
    similarities: np.ndarray,
    document_text: str,
    terms: dict[str, float],
    asked: Intent = NOTHING_ASKED,
    templates: set[str] | frozenset[str] = frozenset(),
    title: str = "",
) -> int | None:
    """Index of the unit that best answers (similarity + rare-word coverage − penalties + the shape
    `asked` for); None when there is none, or when no unit can be an answer (each one a question, a
    template, a note...: better no mark than a wrong one). `templates` are the keys (`template_key`
    with `title`) of sentences too common to be answers."""
    if not units:
        return None
    stemmed = {stem(t): w for t, w in terms.items()}
    words = [unit_words(document_text[a:b]) for a, b in units]
    total = sum(stemmed.values())  # coverage stays a share of the whole question's weight
    weights = passage_weights(stemmed, words)
    question_words = set(stemmed)
    names_ok = [_names_answer(document_text[a:b], question_words, asked.names) for a, b in units]
    headers = [is_table_header(document_text, a) for a, _ in units]
    repeated = [bool(templates) and template_key(document_text[a:b], title) in templates for a, b in units]
    merits = [
        float(similarities[i])
        + LEXICAL_WEIGHT * (sum(w for t, w in weights.items() if t in words[i]) / total if total else 0.0)
        + (SHAPE_WEIGHT if asked.shape is not None and asked.shape.search(document_text[a:b]) else 0.0)
        - (NOT_FOUND_WEIGHT if _NOT_IDENTIFIED.search(document_text[a:b]) else 0.0)
        for i, (a, b) in enumerate(units)
    ]
    scores = [
        merits[i]
        - unit_penalty(
            document_text[a:b], headers[i], asked.contact_lines_answer, repeated[i], names_ok[i], asked.source
        )
        for i, (a, b) in enumerate(units)
    ]
    best = int(np.argmax(scores))
    if scores[best] > -NOT_AN_ANSWER / 2:
        return best
    # No unit can answer. Rather than no mark at all, a unit that names what was asked about: a
    # contact entry's name, a list of other names or a document's note, holding the question's
    # rarest word ("ASHA", "PED"; not any organisation's name for "lubag", nor "Other names: DYT6…"
    # for "dyt16 symptoms", a new user's trial). A question, a table header or a template stays unmarked.
    naming = [
        i
        for i, (a, b) in enumerate(units)
        if not (headers[i] or repeated[i] or document_text[a:b].strip().endswith("?"))
        and (entry_name(document_text[a:b]) is not None or not mostly_contact_lines(document_text[a:b]))
    ]
    # A short name spelt out ("what is NSTA": "National Spasmodic Torticollis Association") may be in
    # no such unit, only in an e-mail address: then the rarest word one holds counts, if nearly as rare
    # (a new user's trial: the entry was shown with nothing marked).
    held = [t for t in stemmed if any(_holds(words[i], t) for i in naming)]
    rarest = max(held, key=lambda t: stemmed[t], default=None)
    if rarest is None or stemmed[rarest] < RAREST_SHARE * max(stemmed.values()):
        # A place or a number only an entry's address lines hold ("Mukwonago", "Rockville MD"): the
        # entry's name says whose address it is (a new user's trial showed such entries unmarked).
        names = [i for i in naming if entry_name(document_text[units[i][0] : units[i][1]]) is not None]
        anywhere = [t for t in stemmed if any(_holds(w, t) for w in words)]
        top = max(anywhere, key=lambda t: stemmed[t], default=None)
        rare = top is not None and stemmed[top] >= RAREST_SHARE * max(stemmed.values())
        return names[0] if len(names) == 1 and rare else None
    return max((i for i in naming if _holds(words[i], rarest)), key=lambda i: merits[i])


def other_names(text: str) -> list[str]:
    """The other names a chunk lists for its subject ("Other names: RDP; DYT12": `ingest.loaders.medquad`)."""
    lines = [line.strip()[len(_NAMES_LINE) :] for line in text.split("\n") if line.strip().startswith(_NAMES_LINE)]
    return [name.strip() for line in lines for name in line.split(";") if name.strip()]


def _holds(words: set[str], word: str | None) -> bool:
    """True when `words` hold the word, or one starting with it: a short name within an address's
    word ("NSTA" in "NSTAmail@aol.com", the only place the fact sheet writes it)."""
    return word is not None and (word in words or (len(word) > 2 and any(w.startswith(word) for w in words)))


def entry_name(text: str) -> str | None:
    """The first line of a unit made mostly of contact lines, when that line is not one itself (an
    organisation's name above its address): what such a unit shows when it is marked for a question
    that does not ask how to reach anyone."""
    if not mostly_contact_lines(text):
        return None
    first = text.strip().split("\n", 1)[0].strip()
    return None if _CONTACT_LINE.search(first) else first


# A sentence that says what is not so ("No one treatment has been found to be universally effective.",
# "The cause of Dystonia is unknown.") and the next one that says what is, instead ("Instead, doctors
# use a variety of therapies…", "However, Dystonia can be a symptom of other diseases…").
_NEGATION = re.compile(r"\b(no|not|none|never|cannot|unknown|unclear)\b|n't\b", re.IGNORECASE)
_CONTRAST = re.compile(r"(instead|rather|however|but)\b", re.IGNORECASE)


def with_continuation(units: list[tuple[int, int]], best: int, document_text: str) -> tuple[int, int]:
    """The chosen unit's span, running on through the next unit when the chosen one only says what
    is not so and the next begins by saying what is ("…is unknown. However, …"): the first half of
    such a pair is no answer on its own."""
    start, end = units[best]
    if best + 1 >= len(units) or not _NEGATION.search(document_text[start:end]):
        return start, end
    next_start, next_end = units[best + 1]
    if document_text[end:next_start].strip() or not _CONTRAST.match(document_text[next_start:next_end].lstrip()):
        return start, end
    return start, next_end


def _names_answer(text: str, terms: set[str], names_question: bool) -> bool:
    """Whether a unit may answer as a list of other names: the question asks what else something is
    called, and the list holds a name the question uses. (Also letting the list answer any question
    whose word only it holds in the passage, as for "what is DDCH?", marked lists of names for words
    such as "onset": tuning sets, evidence: tune3 0.747 -> 0.659, tune4 0.808 -> 0.769.)"""
    return names_question and text.lstrip().startswith(_NAMES_LINE) and bool(unit_words(text.split(":", 1)[-1]) & terms)
