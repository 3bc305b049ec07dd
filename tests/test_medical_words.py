"""Which missing question words name a subject: misspellings and everyday words do not."""

from __future__ import annotations

import numpy as np

from index.embedder import HashEmbedder
from index.medical_words import EVERYDAY_KINDS, MEDICAL_KINDS, MedicalReader, misspelt, one_letter_away
from index.search import Searcher


def test_one_letter_away_covers_each_kind_of_slip_and_keeps_the_first_letter():
    near = set(one_letter_away("dystnia"))
    assert {"dystonia", "dysnia", "dytsnia", "dystnis"} <= near, "added, dropped, swapped, changed"
    assert "dystnia" not in near and all(word.startswith("d") for word in near)


def test_a_misspelling_is_a_word_one_letter_from_an_index_word():
    held = {"dystonia", "government"}

    def any_occurs(words: list[str]) -> bool:
        return bool(held & set(words))

    assert misspelt("dystnia", any_occurs) and misspelt("goverment", any_occurs)
    assert not misspelt("glaucoma", any_occurs)
    assert not misspelt("gout", lambda words: True), "words under six letters are never taken for slips"


def _reader(medical_words: set[str]) -> MedicalReader:
    """A reader whose stand-in model puts the medical kinds and `medical_words` on one axis and
    everything else on another."""

    def embed(texts: list[str]) -> np.ndarray:
        rows = [[1.0, 0.0] if t in MEDICAL_KINDS or t in medical_words else [0.0, 1.0] for t in texts]
        return np.array(rows, dtype=np.float32)

    return MedicalReader(embed)


def test_the_reader_keeps_words_read_as_medical_and_embeds_the_kinds_once():
    calls: list[list[str]] = []
    reader = _reader({"glaucoma"})
    inner = reader._embed

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return inner(texts)

    reader._embed = counting
    assert reader.medical(["glaucoma", "knackered"]) == [True, False]
    assert reader.medical(["scissor"]) == [False]
    assert reader.medical([]) == []
    kinds = [c for c in calls if c in (list(MEDICAL_KINDS), list(EVERYDAY_KINDS))]
    assert len(kinds) == 2, "each list of kinds is embedded once"


def test_a_medicines_name_is_known_by_its_stem_without_reading_it():
    from index.medical_words import drug_name

    for word in ("baclofen", "tizanidine", "sumatriptan", "atorvastatin", "propranolol", "olanzapine", "Lidocaine"):
        assert drug_name(word), word
    for word in ("magazine", "person", "cocaine", "everyone", "season", "knackered", "telephone", "fen-phen"):
        assert not drug_name(word), word
    calls: list[list[str]] = []
    reader = _reader(set())  # the stand-in model reads no word as medical
    inner = reader._embed
    reader._embed = lambda texts: calls.append(texts) or inner(texts)
    assert reader.medical(["baclofen", "knackered"]) == [True, False]
    assert ["baclofen"] not in calls and ["baclofen", "knackered"] not in calls, "a stem needs no reading"
    assert reader.medical(["baclofen"]) == [True]


def test_a_misspelt_corpus_word_is_not_noted_as_a_missing_subject(hash_index):
    searcher = Searcher(hash_index, HashEmbedder())
    result = searcher.search("could a dragging foot be early signs of dystnia", mode="keyword")
    assert result.passages and "dystnia" not in result.missing and not result.note, result.note
    listed = searcher.search("Is sumatriptan safe with dystonia?", mode="keyword")
    assert listed.missing == ("sumatriptan",), "a listed medicine is noted whatever it is one letter from"


def test_a_word_of_one_or_two_pieces_needs_a_clearly_medical_reading():
    """"cannabis" and "pharmacy" are whole words of the model's vocabulary: only the clearly medical
    reading counts ("can i get medical cannabis for my dystonia" got no note, a new user's trial).
    "appendicitis" is four pieces: the plain margin is enough."""
    from index.medical_words import MEDICAL_MARGIN, PLAIN_WORD_MARGIN, pieces

    assert pieces("cannabis") < 3 <= pieces("appendicitis")
    strong, weak = PLAIN_WORD_MARGIN + 0.03, (MEDICAL_MARGIN + PLAIN_WORD_MARGIN) / 2
    margins = {"cannabis": strong, "pharmacy": weak, "appendicitis": weak}

    def embed(texts: list[str]) -> np.ndarray:
        # medical kinds on one axis, everyday kinds on the other; a word a margin towards the first
        rows = [
            [1.0, 0.0] if t in MEDICAL_KINDS else [0.0, 1.0] if t in EVERYDAY_KINDS else [margins[t], 0.0]
            for t in texts
        ]
        return np.array(rows, dtype=np.float32)

    assert MedicalReader(embed).medical(["cannabis", "pharmacy", "appendicitis"]) == [True, False, True]


def test_without_the_model_only_a_word_of_many_pieces_is_a_missing_subject(hash_index):
    searcher = Searcher(hash_index, HashEmbedder())
    result = searcher.search("will cannabis or glaucoma drops help dystonia", mode="keyword")
    assert "glaucoma" in result.missing and "cannabis" not in result.missing, result.missing


def test_words_embedded_with_the_question_are_read_without_another_model_call():
    calls: list[list[str]] = []
    reader = _reader({"glaucoma"})
    inner = reader._embed
    reader._embed = lambda texts: calls.append(texts) or inner(texts)
    reader.medical(["warm"])  # the kinds are embedded once, on first use
    calls.clear()
    embedded = dict(zip(["glaucoma", "knackered"], inner(["glaucoma", "knackered"])))
    assert reader.medical(["glaucoma", "knackered"], embedded) == [True, False]
    assert calls == []
    assert reader.medical(["glaucoma", "scissor"], embedded) == [True, False]
    assert calls == [["scissor"]], "only the word not embedded yet"


def test_a_search_reads_its_missing_words_in_the_questions_batch(hash_index):
    """A word no chunk holds was read by a second call of the model (~2 ms a search): it is now
    embedded with the question, in one batch."""
    embedder = HashEmbedder()
    batches: list[list[str]] = []
    inner = embedder.embed
    embedder.embed = lambda texts: batches.append(list(texts)) or inner(texts)  # type: ignore[method-assign]
    searcher = Searcher(hash_index, embedder)
    searcher._medical.medical(["warm"])  # the reader's kinds are embedded once, on first use
    batches.clear()
    searcher.search("can i get medical cannabis for my dystonia")
    assert len(batches) == 1 and "cannabis" in batches[0], batches
