"""What a document is about, by its title: the words that name a narrower subject than the knowledge base's.

A knowledge base about dystonia holds documents about dystonia itself ("Dystonias", "What are
Dystonias?", "Dystonia Treatment News and Information") and documents about one form of it
("dystonia 6", "myoclonus-dystonia", "task-specific focal dystonia"). A question that names no
form ("Does this run in families?", "Can young kids get it too?") asks about the subject itself,
and a form's document that happens to say "inherited" is a worse answer than the general one. A
title's subject words are its content words less the corpus's own topic (the words the search
finds too common to tell chunks apart) and the words that only say what kind of document it is or
which aspect it covers ("news", "treatment"). A title with none left is a general document. No
model here; the search weighs these against the question's own words.
"""

from __future__ import annotations

import re

from index.evidence import stem
from index.keyword import STOPWORDS, query_terms

# Words that say what kind of document a title heads, or which aspect of its subject it covers,
# without naming a narrower subject.
GENERIC_TITLE_WORDS = frozenset(
    """news information overview facts fact sheet sheets introduction guide faq faqs questions
    answers basics handbook update updates article articles about latest treatment treatments
    therapy therapies symptoms symptom causes cause diagnosis research care management living
    support resources""".split()
)

# A number after one of these, or before one of these, is an age, a count or a time, not a form's
# number ("my 8 year old", "aged 8", "3 times a day"; not "dystonia 8", "DYT 6", "type 2").
_AGE_WORDS = frozenset("age aged ages old".split())
_UNIT_WORDS = frozenset(
    """year years yr yrs yo month months week weeks day days hour hours hr hrs minute minutes min
    mins second seconds time times mg percent""".split()
)
_WORD = re.compile(r"[a-z]+|[0-9]+")  # "dyt5" is "dyt", "5", as keyword search splits it


def form_numbers(question: str) -> set[str]:
    """The numbers a question uses as a form's name: right after a word ("dystonia 8", "type 2"),
    and neither an age nor a count ("my 8 year old son" names no "dystonia 8")."""
    words = _WORD.findall(question.lower())
    return {
        word
        for at, word in enumerate(words)
        if word.isdigit()
        and at > 0
        and words[at - 1].isalpha()
        and words[at - 1] not in STOPWORDS | _AGE_WORDS
        and (at + 1 == len(words) or words[at + 1] not in _UNIT_WORDS)
    }


# "early warning signs", "the first symptoms": a word that times the signs, not a form's name ("early-onset").
_TIMED_SIGNS = re.compile(
    r"\b(earliest|early|earlier|first|initial|late|later|latest)\s+(?:(?!onset\b)\w+\s+){0,2}?(?:warning\s+)?"
    r"(?:signs?|symptoms?|indications?|clues?)\b",
    re.IGNORECASE,
)


def symptom_timing_words(question: str) -> set[str]:
    """The words a question times the signs by ("early" in "the early warning signs of dystonia"):
    they ask when a sign comes, not about the form whose title holds the word ("early-onset primary dystonia")."""
    return {match.group(1).lower() for match in _TIMED_SIGNS.finditer(question)}


def title_subject(title: str) -> list[str]:
    """The title's content words less those that only say what kind of document it is."""
    return [word for word in query_terms(title) if word not in GENERIC_TITLE_WORDS]


def subject_match(subject: dict[str, float], asked: set[str]) -> float:
    """The share of a title's subject words (stem → weight) that the question's stems hold, by weight."""
    total = sum(subject.values())
    return sum(weight for word, weight in subject.items() if word in asked) / total if total else 0.0


def asked_stems(words) -> set[str]:
    """The stems a question's words are compared with subject words by."""
    return {stem(word) for word in words}
