"""Practical questions the shown passages do not answer: cost, insurance, doses, side effects,
pregnancy, driving, diet.

People ask what pages about a condition seldom say: what a treatment costs, whether insurance
pays, the dose, whether it is safe in pregnancy or at the wheel. The passages found for such a
question are about its subject (Botox, cervical dystonia) and read like an answer: "what is the
dose of botox for cervical dystonia" marked "low doses of levodopa" with no word of warning. The
aspects and their words come from the question types of consumer-health question sets (cost,
dosage, side effects, pregnancy, diet…), written before any figure was looked at; words that also
have everyday senses in questions the corpus answers ("pay" for research funding, "food", "eat")
are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.evidence import stem
from index.passages import Passage
from index.subjects import INDEX_WORD

QUESTION_OPENERS = frozenset(
    """what which who whom whose when where why how is are was were do does did can could will would
    should shall has have any""".split()
)
# A clause ends at punctuation, a dash, or "and"/"but"/"so" before the asker's own words: "im
# pregnant and my husband has DRD will the baby get it" tells, then asks (a new user's trial).
_CLAUSE_END = re.compile(r"[,.;:!?]+\s*|\s+-+\s+|\s+(?:and|but|so)\s+(?=(?:i|im|i'm|my|we|our)\b)", re.I)

ASPECTS: dict[str, re.Pattern[str]] = {
    label: re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    for label, words in {
        "cost": r"costs?|prices?|pricey|expensive|afford|affordable",
        "insurance": r"insurance|insurers?|insured|medicare|medicaid",
        "doses": r"doses?|dosages?|dosing|milligrams?|mg|units",
        "side effects": r"side[- ]effects?|adverse effects?",
        "pregnancy": r"pregnant|pregnancy|pregnancies|breastfeed(?:ing)?",
        "driving": r"drive|driving",
        "diet": r"diets?|dietary",
    }.items()
}


def unanswered_aspects(question: str, passages: Iterable[Passage], subject: Iterable[str]) -> tuple[str, ...]:
    """The aspects the question asks about that no shown passage speaks of together with the
    question's subject: a passage answers an aspect when it holds one of the aspect's words and, if
    the question has `subject` words (its informative words other than the aspect's own), one of
    those too ("doses of levodopa" does not answer a question about doses of Botox)."""
    asking = asked_clauses(question)
    asked = [label for label, words in ASPECTS.items() if any(words.search(clause) for clause in asking)]
    if not asked:
        return ()
    texts = [p.text for p in passages]
    unanswered: list[str] = []
    for label in asked:
        words = ASPECTS[label]
        own = {stem(w) for w in subject if not words.fullmatch(w)}
        holding = [text for text in texts if words.search(text)]
        if not any(not own or own & {stem(w) for w in INDEX_WORD.findall(text.lower())} for text in holding):
            unanswered.append(label)
    return tuple(unanswered)


def asked_clauses(question: str) -> list[str]:
    """The clauses that ask: all of a one-clause question, else those that open with a question word
    or end with "?". An aside tells what the question is not about: "im 20 weeks pregnant, what are
    the odds the baby gets it", "is it a waste of money, my insurance only covers 10 sessions"."""
    clauses = [c.strip() for c in _CLAUSE_END.split(question) if c.strip()]
    if len(clauses) <= 1:
        return clauses
    ends = [m.group() for m in _CLAUSE_END.finditer(question)]
    return [
        clause
        for at, clause in enumerate(clauses)
        if clause.split()[0].lower() in QUESTION_OPENERS or (at < len(ends) and "?" in ends[at])
    ]


def aspect_note(unanswered: tuple[str, ...]) -> str:
    """The note shown above the passages for `unanswered_aspects`."""
    asked = " or ".join(unanswered)
    return f"None of these passages speaks of {asked} for what you asked about; they are the nearest ones."
