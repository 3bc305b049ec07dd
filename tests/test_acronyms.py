"""Short names written only inside an address are spelt out from the entry that holds them."""

from __future__ import annotations

from index.acronyms import candidates, defined, spelled_out, with_spelled_out
from index.embedder import HashEmbedder
from index.search import Searcher

ENTRY = """Bachmann-Strauss Dystonia & Parkinson Foundation
Fred French Building
Email: info@bsdpf.org"""


def test_initials_spell_a_run_of_capitalised_words_with_joining_words_inside():
    assert spelled_out(ENTRY, "BSDPF") == "Bachmann-Strauss Dystonia & Parkinson Foundation"
    assert spelled_out("the National Spasmodic Torticollis Association\nEmail: NSTAmail@aol.com", "nsta") == (
        "National Spasmodic Torticollis Association"
    )


def test_no_run_no_long_form():
    assert spelled_out(ENTRY, "DMRF") is None
    assert spelled_out("the dystonia medical research foundation", "dmrf") is None  # not capitalised
    assert spelled_out("Of The Dystonia", "otd") is None  # a joining word does not start a name


def test_the_question_reads_the_long_form_beside_the_short_name():
    assert candidates("is BEBRF in Texas? what is bebrf") == ["BEBRF", "Texas", "what", "bebrf"]
    assert with_spelled_out("BEBRF phone", {"BEBRF": "Benign Essential Blepharospasm Research Foundation"}) == (
        "BEBRF (Benign Essential Blepharospasm Research Foundation) phone"
    )
    assert with_spelled_out("BEBRF phone", {}) == "BEBRF phone"


def test_a_short_name_only_in_an_email_address_finds_its_organisation(hash_index):
    searcher = Searcher(hash_index, HashEmbedder())
    for question, name in [
        ("NSTA toll free number", "National Spasmodic Torticollis Association"),
        ("BEBRF", "Benign Essential Blepharospasm Research Foundation"),
    ]:
        result = searcher.search(question, k=3, mode="keyword")
        assert result.passages and result.passages[0].text.startswith(name), result
        assert not result.missing and not result.note, result
        assert result.question == question


def test_a_short_name_defined_in_brackets_is_spelt_out_by_the_words_before_them():
    text = "measuring specific substances or enzymes in the blood or cerebrospinal fluid (CSF), may be useful"
    assert defined(text, "CSF") == defined(text, "csf") == "cerebrospinal fluid"
    assert defined("such as obsessive-compulsive disorder (OCD).", "OCD") == "obsessive-compulsive disorder"
    assert defined("Specific laboratory tests performed on CSF help", "CSF") is None, "not defined here"
    assert defined("the fluid (CSF) test", "CSF") is None, "its letters are not in the words before"


def test_a_term_defined_in_lower_case_is_spelt_out(hash_index):
    """The model reads the letters CSF as nothing, and "what is CSF" was refused (a new user's
    trial); its long form is in lower case, so no run of capitalised words spells it."""
    searcher = Searcher(hash_index, HashEmbedder())
    snapshot = searcher.snapshot()
    assert searcher.long_forms(snapshot, "what is CSF") == {"CSF": "cerebrospinal fluid"}
