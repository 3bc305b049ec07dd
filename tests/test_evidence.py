"""Evidence choice on fixtures: never a question, a table header or a bare contact block (unless asked),
possessive fragments are not question words, and sentence units join short fragments."""

from __future__ import annotations

import numpy as np

from index.evidence import asks_for_contact, best_unit, is_table_header, unit_penalty
from index.keyword import query_terms
from ingest.sentence_units import sentence_units

TEXT = (
    "What is writer's cramp?\n"
    "Drug | Starting dose | Usual maximum\n"
    "Trihexyphenidyl | 1 mg | 30 mg\n"
    "Dystonia Medical Research Foundation\n1 East Wacker Drive, Suite 2810\nChicago, IL 60601-1905\n"
    "Phone: 312.755.0198\n"
    "Writer's cramp is a task-specific dystonia that affects the hand while writing."
)


def _units() -> list[tuple[int, int]]:
    return sentence_units(TEXT, 0, len(TEXT))


def test_short_fragments_join_the_next_unit_and_offsets_are_exact():
    units = _units()
    assert all(TEXT[a:b] == TEXT[a:b].strip() and b <= len(TEXT) for a, b in units)
    assert TEXT[units[-1][0] : units[-1][1]].endswith("while writing.")


def test_evidence_is_never_a_question_a_table_header_or_an_address():
    units = _units()
    # Give every unit the same similarity: only the rules and the words can decide.
    similarity = np.full(len(units), 0.9, dtype=np.float32)
    terms = {t: 1.0 for t in query_terms("What is writer's cramp?")}
    best = best_unit(units, similarity, TEXT, terms, contact_question=False)
    assert best is not None and TEXT[units[best][0] : units[best][1]].startswith("Writer's cramp is a task")
    header = TEXT.index("Drug |")
    assert is_table_header(TEXT, header) and not is_table_header(TEXT, TEXT.index("Trihexyphenidyl"))
    assert unit_penalty("What is writer's cramp?", False, False) > 0
    assert (
        unit_penalty("1 East Wacker Drive, Suite 2810\nChicago, IL 60601-1905\nPhone: 312.755.0198", False, False) > 0
    )
    assert unit_penalty("Phone: 312.755.0198", False, contact_question=True) == 0


def test_contact_questions_are_recognised():
    assert asks_for_contact("What is the phone number of the foundation?")
    assert not asks_for_contact("Does stress make dystonia worse?")


def test_possessive_s_is_not_a_question_word():
    assert query_terms("Is writer's cramp a dystonia? I don't know") == ["writer", "cramp", "dystonia", "don"]
