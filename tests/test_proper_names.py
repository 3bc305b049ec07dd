"""Organisations' names a question writes that the index never holds (no model): asked for an
organisation or how to reach one, the reader is told the knowledge base has no passage about it."""

from __future__ import annotations

from index.embedder import HashEmbedder
from index.proper_names import absent_names, written_names
from index.search import Searcher


def test_names_are_read_from_how_they_are_written():
    assert written_names("Mayo Clinic neurology phone number") == [["Mayo", "Clinic"]], "opening a question, two words"
    assert written_names("Where can I get help? Is the NHS any good") == [["NHS"]], "'Where', 'Is' open sentences"
    assert written_names("phone for Johns Hopkins's movement clinic") == [["Johns", "Hopkins"]], "without the 's"
    assert written_names("What Doctor Treats Dystonia") == [], "title case writes no names"
    assert written_names("WHERE IS THE MAYO CLINIC") == [], "nor does a question in capitals"
    assert written_names("is there a support group near me") == []


def test_only_an_institution_no_chunk_holds_is_absent():
    held = {"cleveland": 3, "clinic": 3, "group": 9}
    counts = lambda words: {word: held.get(word, 0) for word in words}  # noqa: E731
    assert absent_names("Mayo Clinic neurology phone number", counts) == ["Mayo Clinic"]
    assert absent_names("Cleveland Clinic phone number", counts) == [], "every word held"
    assert absent_names("does the NHS run a dystonia group", counts) == ["NHS"], "a word in capitals"
    assert absent_names("is there a support group in London", counts) == [], "a place is no institution"
    assert absent_names("the foundation in Manhattan, phone?", counts) == [], "a place describing an entry"


def test_an_organisation_the_knowledge_base_lacks_is_said_so(hash_index):
    searcher = Searcher(hash_index, HashEmbedder())
    asked = searcher.search("Mayo Clinic neurology phone number", mode="keyword")
    assert asked.passages, "the nearest entries are still shown"
    assert asked.missing == ("Mayo Clinic",)
    assert asked.note == "No passage is about Mayo Clinic; these are the nearest passages."
    credited = searcher.search("Cleveland Clinic phone number", mode="keyword")
    assert "Cleveland" not in credited.note, "a credit line holds it"
    mentioned = searcher.search("my Mayo Clinic neurologist says its dystonia, what causes it", mode="keyword")
    assert "Mayo" not in mentioned.note, "not asked for: the clinic is where the reader was seen"
