"""A document's notes about itself (`ingest.notes`): source lines, disclaimers, review dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.notes import declared_source, is_document_note

_FACT_SHEET = Path(__file__).resolve().parent.parent / "corpus" / "founding" / "what_are_dystonias.txt"


@pytest.mark.parametrize(
    "block",
    [
        "Source: National Institutes of Health; National Institute of Neurological Disorders and Stroke",
        "This information is not intended to replace the advice of a doctor. Last reviewed: March 2024",
        "This leaflet was produced by the Dystonia Society. Copyright 2021. All rights reserved.",
        "Please talk to your GP before changing any medicine.\nReviewed by Dr A. Smith",
        "© 2020 Example Trust",
        "NIH: National Institute of Neurological Disorders and Stroke",
    ],
)
def test_notes_about_the_document_are_recognised(block):
    assert is_document_note(block)


@pytest.mark.parametrize(
    "block",
    [
        "Botulinum toxin injections are the most effective treatment for focal dystonia.",
        # a note sentence inside content: the chunk is content
        "Symptoms may worsen with stress. Please consult your doctor for advice before stopping a medicine.",
        "Sources of stress, such as fatigue, can make the spasms worse.",  # "Sources" used as a word
        "",
    ],
)
def test_content_is_not_a_note(block):
    assert not is_document_note(block)


def test_the_fact_sheets_closing_block_is_a_note_and_its_content_is_not():
    text = _FACT_SHEET.read_text(encoding="utf-8")
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    notes = [block for block in blocks if is_document_note(block)]
    assert [note.split()[0] for note in notes] == ["Source:", "This"]
    assert notes[1].startswith("This information is provided by Cleveland Clinic")


_NEWS = _FACT_SHEET.parent / "dystonia_treatment_news.txt"


def test_the_source_a_document_declares_is_its_own_source_line():
    assert declared_source(_FACT_SHEET.read_text(encoding="utf-8")) == (
        "National Institutes of Health; National Institute of Neurological Disorders and Stroke"
    )
    # "(SOURCE: DUKE UNIVERSITY) - Duke researchers…" credits one news item, not the page
    assert "SOURCE: DUKE" in _NEWS.read_text(encoding="utf-8")
    assert declared_source(_NEWS.read_text(encoding="utf-8")) == ""


@pytest.mark.parametrize(
    "text, source",
    [
        ("Leaflet\n\nSources: World Health Organization.\n", "World Health Organization"),
        ("  source :  Dystonia Society  \nmore", "Dystonia Society"),
        ("Open source: yes, the code is open", ""),
        ("Source:\nnothing on the line", ""),
        ("The source: a gene called THAP1", ""),
    ],
)
def test_only_a_source_line_of_its_own_is_declared(text, source):
    assert declared_source(text) == source
