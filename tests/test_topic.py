"""The knowledge base's topic and questions that refer to it without naming it (`index.topic`), and
how the search uses them (no model: the hashing embedder)."""

from __future__ import annotations

import numpy as np

from index.embedder import HashEmbedder
from index.search import Searcher, SearchSettings
from index.topic import corpus_topic, names_topic, with_topic

TITLES = [
    "Dystonia",
    "What are Dystonias?",
    "early-onset primary dystonia",
    "Dystonia Treatment News and Information",
    "myoclonus-dystonia",
    "Mohr-Tranebjaerg syndrome",
]


def test_the_topic_is_the_word_most_titles_share_as_most_of_them_spell_it():
    assert corpus_topic(TITLES, lambda word: True) == "dystonia"


def test_there_is_no_topic_when_the_chunks_seldom_use_the_word():
    assert corpus_topic(TITLES, lambda word: word != "dystonia") is None


def test_titles_on_everything_or_too_few_titles_have_no_topic():
    varied = ["Aspirin and heart attacks", "Vitamin D in winter", "Sleep and memory", "Coffee and the liver"]
    assert corpus_topic(varied, lambda word: True) is None
    assert corpus_topic(["Dystonia", "Dystonia", "Migraine"], lambda word: True) is None
    assert corpus_topic([], lambda word: True) is None


def test_a_question_that_refers_to_the_topic_is_read_as_naming_it():
    assert with_topic("Can young kids get it too?", "dystonia") == "Can young kids get dystonia too?"
    assert with_topic("Does this run in families?", "dystonia") == "Does dystonia run in families?"
    # A noun phrase goes in preference to "it".
    assert (
        with_topic("Is it true this condition can leave someone unable to see?", "dystonia")
        == "Is it true dystonia can leave someone unable to see?"
    )
    assert with_topic("will the disorder get worse", "dystonia") == "will dystonia get worse"


def test_a_question_that_names_the_topic_or_refers_to_nothing_is_left_alone():
    assert with_topic("Can children get dystonias?", "dystonia") is None
    assert names_topic("DYSTONIA in kids", "dystonia")
    assert with_topic("What are the first warning signs?", "dystonia") is None
    assert with_topic("Can young kids get it too?", None) is None
    # A described disease is something else, not the topic.
    assert with_topic("In the inherited eye disease that comes with twisting, what comes first?", "dystonia") is None
    assert with_topic("what is the disease called Lubag", "dystonia") is None
    # "item" and "itself" are not "it".
    assert with_topic("Which item of the list helps?", "dystonia") is None


def test_the_search_ranks_a_referring_question_by_a_blend_and_answers_by_its_own_reading(hash_index):
    searcher = Searcher(hash_index, HashEmbedder())
    snapshot = searcher.snapshot()
    assert searcher.topic(snapshot) == "dystonia"
    embed = searcher.embedder.embed
    (own, ranked_by), (named, same) = searcher.question_vectors(
        snapshot, ["Can young kids get it too?", "Can young kids get dystonia too?"]
    )
    assert np.allclose(own, embed(["Can young kids get it too?"])[0]), "its own vector is the plain one"
    assert same is named, "a question naming the topic is ranked by its own vector"
    expected = own + embed(["Can young kids get dystonia too?"])[0]
    assert np.allclose(ranked_by, expected / np.linalg.norm(expected), atol=1e-6), "half and half, unit length"
    plain = Searcher(hash_index, HashEmbedder(), SearchSettings(topic_blend=0.0))
    (own_off, ranked_off), = plain.question_vectors(plain.snapshot(), ["Can young kids get it too?"])
    assert ranked_off is own_off


def test_whether_to_answer_is_decided_by_the_questions_own_vector(hash_index):
    searcher = Searcher(hash_index, HashEmbedder())
    plain = Searcher(hash_index, HashEmbedder(), SearchSettings(topic_blend=0.0))
    for question in ("Is it safe to fly with a cold?", "Can young kids get it too?"):
        blended, own_only = searcher.search(question), plain.search(question)
        assert blended.best_similarity == own_only.best_similarity
        assert blended.abstained == own_only.abstained


def test_the_topic_is_read_from_an_even_sample_of_the_titles(hash_index, monkeypatch):
    snapshot = Searcher(hash_index, HashEmbedder()).snapshot()
    every = snapshot.titles()
    sample = snapshot.titles(10)
    assert len(every) >= 30 and 7 <= len(sample) <= 14, (len(every), len(sample))
    assert set(sample) <= set(every) and snapshot.titles(10) == sample, "the same titles on every call"
    assert snapshot.titles(len(every)) == every
    monkeypatch.setattr("index.search.TOPIC_TITLES", 10)
    assert Searcher(hash_index, HashEmbedder()).topic(snapshot) == "dystonia", "a sample finds the same topic"
    monkeypatch.setattr("index.search.TOPIC_TITLES", 1)
    assert Searcher(hash_index, HashEmbedder()).topic(snapshot) is None, "one title is too few to tell"
