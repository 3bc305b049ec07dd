"""Practical questions the shown passages do not answer: cost, insurance, doses, side effects,
pregnancy, driving, diet.

People ask what pages about a condition seldom say: what a treatment costs, whether insurance
pays, the dose, whether it is safe in pregnancy or at the wheel. The passages found for such a
question are about its subject (Botox, cervical dystonia) and read like an answer: "what is the
dose of botox for cervical dystonia" marked "low doses of levodopa" with no word of warning. The
aspects and their words come from the question types of consumer-health question sets (cost,
dosage, side effects, pregnancy, diet…), written before any figure was looked at; words that also
have everyday senses in questions the corpus answers ("pay" for research funding, "eating" in
"trouble eating") are left out. A new user's trial added the phrasings people use: "how many
shots", "how much botox", "how often do i take", "what should i eat", "cheap"; and a passage
naming alcohol or caffeine speaks of diet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.evidence import stem
from index.passages import Passage
from index.subjects import INDEX_WORD
from ingest.records import is_contact_block

QUESTION_OPENERS = frozenset(
    """what which who whom whose when where why how is are was were do does did can could will would
    should shall has have any""".split()
)
# A clause ends at punctuation, a dash, or "and"/"but"/"so" before the asker's own words: "im
# pregnant and my husband has DRD will the baby get it" tells, then asks (a new user's trial).
_CLAUSE_END = re.compile(r"[,.;:!?]+\s*|\s+-+\s+|\s+(?:and|but|so)\s+(?=(?:i|im|i'm|my|we|our)\b)", re.I)

_MEDICINE = (
    r"(?:shots?|injections?|pills?|tablets?|jabs?|mg|units|botox|levodopa|medicines?|medications?|drugs?|doses?)"
)
_NOT_A_DOSE = r"(?!(?:does|do|is|are|will|would|can|could|should)\b)"  # "how much does botox cost" asks a price
# Each aspect: the words that ask about it, and, where they differ, the words that speak of it. A
# passage naming alcohol or caffeine as triggers speaks of diet; "what should i eat" asks about it.
_ASPECT_WORDS: dict[str, tuple[str, str | None]] = {
    "cost": (r"costs?|prices?|pricey|expensive|afford|affordable|cheap(?:er|est)?|for free|free of charge", None),
    "insurance": (r"insurance|insurers?|insured|medicare|medicaid", None),
    "doses": (
        r"doses?|dosages?|dosing|milligrams?|mg|units"
        rf"|how (?:many|much) (?:{_NOT_A_DOSE}\w+ ){{0,2}}{_MEDICINE}(?!\s+(?:helps?|works?|improves?))"
        r"|how often (?:do|does|should|can|must|will) (?:i|you|we|he|she|they) "
        rf"(?:take|(?:get|need|have) (?:the |my |a |an |more )?{_MEDICINE})",
        r"doses?|dosages?|dosing|milligrams?|mg|units",
    ),
    "side effects": (r"side[- ]effects?|adverse effects?", None),
    "pregnancy": (r"pregnant|pregnancy|pregnancies|breastfeed(?:ing)?", None),
    "driving": (  # "does stress drive the symptoms" asks nothing about driving
        r"driving|drive (?:a |my |the |our )?(?:car|vehicle)"
        r"|(?:can|could|should|may|allowed to|able to|safe to|still) (?:i |you |we |he |she |they )?(?:still )?drive",
        r"drive|driving",
    ),
    "diet": (
        r"diets?|dietary|nutrition(?:al)?|(?:what|which|any|certain|special|some) foods?|foods? to (?:eat|avoid)"
        r"|what (?:should|can|do|to) (?:i |we |you |he |she |they )?eat",
        r"diets?|dietary|nutrition(?:al)?|foods?|meals?|alcohol|caffeine|coffee|drinks?",
    ),
}
ASPECTS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    label: (
        re.compile(rf"\b(?:{asking})\b", re.IGNORECASE),
        re.compile(rf"\b(?:{speaking or asking})\b", re.IGNORECASE),
    )
    for label, (asking, speaking) in _ASPECT_WORDS.items()
}


def unanswered_aspects(question: str, passages: Iterable[Passage], subject: Iterable[str]) -> tuple[str, ...]:
    """The aspects the question asks about that no shown passage speaks of together with the
    question's subject: a passage answers an aspect when it holds one of the words that speak of it
    and, if the question has `subject` words (its informative words other than those asking about
    the aspect), one of those too ("doses of levodopa" does not answer a question about doses of Botox)."""
    asking = asked_clauses(question)
    # "1 East Wacker Drive" is no driving. A passage's title names its subject too: "Dystonia 8"'s
    # passage says "brought on by alcohol, caffeine" without the number (a new user's trial noted it).
    passages = [p for p in passages if not is_contact_block(p.text)]
    unanswered: list[str] = []
    for label, (asks, speaks) in ASPECTS.items():
        matched = [m.group() for clause in asking for m in asks.finditer(clause)]
        if not matched:
            continue
        aspect_words = {stem(w) for phrase in matched for w in INDEX_WORD.findall(phrase.lower())}
        own = {stem(w) for w in subject} - aspect_words
        holding = [f"{p.title} {p.text}" for p in passages if speaks.search(p.text)]
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
