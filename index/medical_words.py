"""Whether a question word the index lacks is a subject the knowledge base does not cover.

A word no chunk holds, that the model's vocabulary splits into three or more pieces, is most often
a medicine or a condition ("sumatriptan", "glaucoma"), and the search says no passage is about it.
A word it holds whole or in two pieces is most often an everyday one ("wheelchair", "pillow"), but
not always ("cannabis", "chemotherapy"): such a word needs a clearly medical reading
(PLAIN_WORD_MARGIN).
But people also write everyday words the corpus never uses ("knackered", "hairdresser", "wrinkle")
and misspell the corpus's own ("dystnia", "goverment"); a note that no passage is about those
tells a reader their answerable question is off-topic. Two checks keep such words out:

- a misspelling: the word is one letter away (a letter dropped, added, changed or two swapped)
  from a word the index holds, with the same first letter;
- how the model reads the word alone: nearer to the kinds of medical subject (a disease, a
  medicine, …) than to the kinds of everyday word (a thing, a place, a feeling, …), by at least
  MEDICAL_MARGIN in cosine; a word built like a medicine's name ("baclofen": `DRUG_STEMS`) is a
  medical subject without that reading.

The kinds were written before any figure was looked at; the margin was chosen on the tuning sets
(EVALUATION.md, seventh session).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from string import ascii_lowercase

import numpy as np

MEDICAL_KINDS = (
    "a disease",
    "a medical condition",
    "a medicine",
    "a drug",
    "an illness",
    "a medical procedure",
    "a symptom",
)
EVERYDAY_KINDS = (
    "an everyday word",
    "a thing",
    "a place",
    "a feeling",
    "a person",
    "an activity",
    "a brand",
)
# Tuning sets (cosine to the nearest medical kind less to the nearest everyday kind): 0.05 kept every
# medical word of the tuning sets' unanswerable questions that the conditions list does not name,
# and dropped "knackered", "hairdresser", "scissor", "croaky", "wrinkle", "iloilo", "puregym";
# 0.08 also dropped "baclofen" and "drowsiness".
MEDICAL_MARGIN = 0.05
# Medicine names are built from shared stems (the USAN and INN naming schemes: "-triptan",
# "-statin", "-olol"…), so a word the index lacks that ends in one is a medicine whatever the model
# makes of it: it reads "baclofen" and "tizanidine" as nearer everyday words than medical ones.
DRUG_STEMS = tuple(
    """fen profen azepam azolam triptan statin olol pril sartan dipine mab tinib cillin mycin
    cycline floxacin prazole tidine nidine promazine perazine apine peridol oxetine setron
    formin gliptin gliflozin glitazone lukast afil semide thiazide parin vudine navir ciclovir
    caine barbital dronate trexate sone olone xaban gatran tadine pramine triptyline zodone""".split()
)
# A word of one or two of the model's pieces counts only with a clearly medical reading. Tuning sets:
# such words in answerable questions read at most 0.207 ("pharmacy"), those in unanswerable ones
# from 0.278 ("diabetes", "chemotherapy", "antibiotics", already noted by other means) up; no tuning
# figure moves for a margin between the two. A new user's "can i get medical cannabis for my
# dystonia" (0.283) got dystonia passages with no note.
PLAIN_WORD_MARGIN = 0.25
MIN_SUBJECT_PIECES = 3  # the pieces from which a word is read with MEDICAL_MARGIN
MIN_DRUG_LETTERS = 7  # with three letters or more before the stem: short words end in "-sone", "-mab" too

MIN_MISSPELT_LETTERS = 5  # shorter words are too often a real word one letter from another ("stres" is 5)


def one_letter_away(word: str) -> list[str]:
    """The words one edit from `word` that keep its first letter: a letter dropped, two neighbours
    swapped, a letter changed or added (the candidates a misspelling of an index word comes from)."""
    found: set[str] = set()
    for at in range(len(word) + 1):
        head, tail = word[:at], word[at:]
        if tail:
            found.add(head + tail[1:])
        if len(tail) > 1:
            found.add(head + tail[1] + tail[0] + tail[2:])
        for letter in ascii_lowercase:
            if tail:
                found.add(head + letter + tail[1:])
            found.add(head + letter + tail)
    found.discard(word)
    return sorted(w for w in found if w[:1] == word[:1])


def misspelt(word: str, any_occurs: Callable[[list[str]], bool]) -> bool:
    """True when `word` is one letter away from a word the index holds (`any_occurs` asks the index
    whether any of a list of words occurs)."""
    return len(word) >= MIN_MISSPELT_LETTERS and word.isalpha() and any_occurs(one_letter_away(word))


def pieces(word: str) -> int:
    """How many pieces the model's vocabulary splits a word into."""
    from ingest.tokens import load_token_counter

    return load_token_counter().count(word)


def drug_name(word: str) -> bool:
    """True when the word is built like a medicine's name: a stem of `DRUG_STEMS` after at least
    three other letters, MIN_DRUG_LETTERS letters or more ("baclofen", "tizanidine", "sumatriptan")."""
    word = word.lower()
    return (
        len(word) >= MIN_DRUG_LETTERS
        and word.isalpha()
        and any(word.endswith(stem) and len(word) - len(stem) >= 3 for stem in DRUG_STEMS)
    )


class MedicalReader:
    """Reads words alone with the search's own model: medical subject or everyday word. The kinds'
    vectors are computed once, on first use."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray]):
        self._embed = embed
        self._kinds: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    def medical(self, words: list[str], embedded: dict[str, np.ndarray] | None = None) -> list[bool]:
        """For each word: does the model read it as a disease, medicine or other medical subject? A
        medicine's name by its stem (`drug_name`) is one without reading; a word of fewer than
        MIN_SUBJECT_PIECES of the model's pieces needs PLAIN_WORD_MARGIN. `embedded` holds vectors
        of words already embedded (with the question, in one batch); the others are embedded here."""
        unread = [word for word in words if not drug_name(word)]
        if not unread:
            return [True] * len(words)
        medical, everyday = self._kind_vectors()
        known = dict(embedded or {})
        fresh = [word for word in unread if word not in known]
        known.update(zip(fresh, self._embed(fresh) if fresh else []))
        vectors = np.stack([known[word] for word in unread])
        margins = (vectors @ medical.T).max(axis=1) - (vectors @ everyday.T).max(axis=1)
        needed = [MEDICAL_MARGIN if pieces(word) >= MIN_SUBJECT_PIECES else PLAIN_WORD_MARGIN for word in unread]
        read = dict(zip(unread, (bool(margin >= need) for margin, need in zip(margins, needed))))
        return [read.get(word, True) for word in words]

    def _kind_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._kinds is None:
                self._kinds = (self._embed(list(MEDICAL_KINDS)), self._embed(list(EVERYDAY_KINDS)))
            return self._kinds
