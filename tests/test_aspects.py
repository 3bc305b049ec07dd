"""Practical aspects (cost, doses, pregnancy…) the shown passages do not speak of get a note."""

from __future__ import annotations

import pytest

from index.aspects import asked_clauses, aspect_note, unanswered_aspects
from index.passages import Passage


def passage(text: str) -> Passage:
    return Passage("d", "T", "s", "c", "", None, 0, len(text), text, 1.0, (0,), (0,))


LEVODOPA = passage("If DRD is suspected, a therapeutic trial with low doses of levodopa is the practical approach.")
BOTOX = passage("Doctors use medicines, Botox injections, surgery and physical therapy.")


def test_a_dose_question_answered_only_by_another_medicines_doses_is_noted():
    question = "what is the dose of botox for cervical dystonia"
    assert unanswered_aspects(question, [LEVODOPA, BOTOX], ["botox", "cervical"]) == ("doses",)
    assert unanswered_aspects("what dose of levodopa is tried", [LEVODOPA, BOTOX], ["levodopa"]) == ()


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("does insurance cover botox injections", "insurance"),
        ("can I get pregnant if I have dystonia", "pregnancy"),
        ("is it safe to drive with cervical dystonia", "driving"),
        ("how much does it cost", "cost"),
        ("what are the side-effects of the injections", "side effects"),
        ("what diet helps", "diet"),
    ],
)
def test_each_aspect_no_passage_speaks_of_is_named(question, aspect):
    assert unanswered_aspects(question, [BOTOX], []) == (aspect,)
    assert aspect in aspect_note((aspect,))


def test_a_question_without_an_aspect_gets_nothing():
    assert unanswered_aspects("what causes dystonia", [BOTOX], ["causes"]) == ()


@pytest.mark.parametrize(
    "question",
    [
        "is there a dystonia society in new jersey?? what town is it in, might drive over from philly on the weekend",
        "does physio actually help with this or is it a waste of money, my insurance only covers 10 sessions",
        "i carry the gch1 change and im 20 weeks pregnant, what are the odds the baby gets it",
        "im pregnant and my husband has DRD will the baby get it",
    ],
)
def test_an_aspect_told_in_an_aside_is_not_what_is_asked(question):
    assert unanswered_aspects(question, [BOTOX], []) == ()


def test_the_asking_clauses_are_those_that_open_with_a_question_word_or_end_in_a_question_mark():
    assert asked_clauses("what is the dose of botox") == ["what is the dose of botox"]
    assert asked_clauses("my son has it, the injections cost a lot. is there a cheaper one?") == [
        "is there a cheaper one"
    ]
    assert asked_clauses("im pregnant, botox safe?") == ["botox safe"]


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("how many botox shots do i need", "doses"),
        ("how much botox for neck", "doses"),
        ("how often do i take it", "doses"),
        ("what should i eat with dystonia", "diet"),
        ("are there foods to avoid", "diet"),
        ("cheap treatment for writers cramp", "cost"),
        ("how much does botox cost", "cost"),
    ],
)
def test_aspects_asked_in_everyday_phrasings_are_named(question, aspect):
    """Phrasings a new user's trial found passing without a note."""
    assert unanswered_aspects(question, [BOTOX], []) == (aspect,)


@pytest.mark.parametrize(
    "question",
    [
        "dystonia 11 - how often do people have floppy, weak muscle tone",
        "will my daughter have trouble getting food down",
        "how many people get dystonia",
        "how often do you get spasms",  # a second trial: frequency, not dosing
        "how often do they need surgery",
        "how much botox helps cervical dystonia",
        "does stress drive dystonia symptoms",
    ],
)
def test_words_of_an_aspect_used_for_something_else_ask_nothing(question):
    assert unanswered_aspects(question, [BOTOX], []) == ()


def test_alcohol_and_caffeine_speak_of_diet_and_a_street_called_drive_of_no_driving():
    triggers = passage("Attacks of dystonia 8 can be brought on by alcohol, caffeine, stress or fatigue.")
    assert unanswered_aspects("diet and drinks that trigger dystonia", [triggers], ["trigger", "dystonia"]) == ()
    entry = passage("Dystonia Medical Research Foundation\n1 East Wacker Drive, Suite 2810\nPhone: 312.755.0198")
    assert unanswered_aspects("can dystonia stop me from driving", [entry], ["dystonia", "stop"]) == ("driving",)


def test_a_passages_title_names_its_subject_for_an_aspect():
    # "what foods make dystonia 8 worse" was noted: Dystonia 8's passage says "brought on by alcohol,
    # caffeine" without the number, which only its title holds (a new user's trial).
    triggers = Passage("d", "Dystonia 8", "s", "c", "", None, 0, 40, "Attacks are brought on by alcohol, caffeine.",
                       1.0, (0,), (0,))
    assert unanswered_aspects("what foods make dystonia 8 worse", [triggers], ["make", "8", "worse"]) == ()
    assert unanswered_aspects("what foods make dystonia 6 worse", [triggers], ["make", "6", "worse"]) == ("diet",)
