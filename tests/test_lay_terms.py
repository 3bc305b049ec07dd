"""The everyday-words glossary: cue matching, and its terms widening keyword search with the corpus's words."""

from __future__ import annotations

import json

import pytest

import index.search as search_module
from index.keyword import fts_query
from index.lay_terms import GLOSSARY, Entry, cue_stems, form_names, forms, glossary_terms, load_glossary, stem, words
from index.search import Searcher, SearchSettings
from index.store import open_snapshot


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("closing", "closed", "closes", "close"), True), (("children", "child"), True), (("eyelids", "eyelid"), True),
        (("quickly", "quick"), True), (("early", "ear"), False), (("ears", "early"), False),
    ],
)
def test_word_forms_share_a_stem(words, same):
    assert (len({stem(w) for w in words}) == 1) is same


def test_a_cue_fires_when_all_its_words_occur_in_any_order():
    entry = Entry.of([["eye", "close"]], ("blepharospasm",))
    assert entry.fires(words("My eyes keep closing by themselves"))
    assert entry.fires(words("Closed eye spasms"))
    assert not entry.fires(words("My eyes water"))


@pytest.mark.parametrize(
    ("cue", "question", "fires"),
    [
        ("tired", "So tired all the time", True),
        ("tired", "How do I change a flat tire?", False),  # a stem would match: both give "tir"
        ("evening", "Is it worse in the evening?", True),
        ("evening", "even when resting", False),
        ("family", "Does it run in families?", True),
        ("worry", "I'm worried", True),
        ("ache", "my arm feels achy", True),
        ("get", "is it getting worse", True),
        ("child", "can children get it", True),
        ("loss", "he lost his hearing", True),
    ],
)
def test_a_cue_word_matches_its_inflections_and_no_shorter_word(cue, question, fires):
    assert Entry.of([[cue]], ("term",)).fires(words(question)) is fires


def test_forms_are_built_forward_from_the_cue_word():
    assert {"closes", "closed", "closing"} <= forms("close")
    assert {"worries", "worried", "worrying"} <= forms("worry")
    assert {"jabbed", "jabbing"} <= forms("jab")
    assert "tire" not in forms("tired")


def test_terms_of_every_cued_entry_come_once_in_order():
    glossary = (
        Entry.of([["botox"]], ("botulinum toxin", "Botox injections")),
        Entry.of([["neck"]], ("cervical dystonia", "botulinum toxin")),
    )
    assert glossary_terms("Do Botox shots help my neck?", glossary) == [
        "botulinum toxin",
        "Botox injections",
        "cervical dystonia",
    ]
    assert glossary_terms("What is dystonia?", glossary) == []


def test_cue_words_count_as_understood_only_when_their_terms_are_usable():
    glossary = (
        Entry.of([["hurt"], ["ache"]], ("painful", "soreness")),
        Entry.of([["golf"]], ("the yips",)),
    )
    assert cue_stems("Does it hurt?", {"painful"}, glossary) == {stem("hurt")}
    assert cue_stems("Does it hurt?", set(), glossary) == frozenset()
    assert cue_stems("My golf swing hurts", {"soreness"}, glossary) == {stem("hurt")}


def test_eyelids_that_keep_closing_are_covered_by_the_shipped_glossary():
    # The corpus says "blepharospasm" and "eyelid twitching", never "closing": both words are meant.
    found = cue_stems("what can I do about my eyelids closing", {"blepharospasm"})
    assert found == {stem("eyelids"), stem("closing")}


def test_a_word_whose_glossary_terms_the_index_holds_counts_for_the_models_coverage(hash_index, hash_embedder):
    searcher = Searcher(hash_index, hash_embedder)
    snapshot = searcher.snapshot()
    assert searcher.frequencies(snapshot, ["hurt"]) == {"hurt": 0}  # the corpus never says "hurt"
    terms = searcher.question_terms(snapshot, "Does it hurt?")
    assert "painful" in terms.glossary
    assert terms.coverage == 0.0 and terms.meant == 1.0
    # A word that cues nothing the index holds stays uncovered, and without the glossary nothing changes.
    assert searcher.question_terms(snapshot, "Does skateboarding hurt?").meant < 1.0
    plain = Searcher(hash_index, hash_embedder, SearchSettings(glossary="")).question_terms(snapshot, "Does it hurt?")
    assert plain.meant == plain.coverage == 0.0


def test_keyword_mode_abstains_by_the_plain_coverage(hash_index, hash_embedder):
    # Keyword mode has no similarity to check the glossary's reading against: "hurt" alone is not enough.
    result = Searcher(hash_index, hash_embedder).search("Does it hurt?", mode="keyword")
    assert result.abstained


def test_the_shipped_glossary_loads_and_its_terms_are_the_corpus_own_words(hash_index):
    entries = load_glossary()
    assert len(entries) >= 40
    raw = json.loads(GLOSSARY.read_text(encoding="utf-8"))
    assert all(1 <= len(cue) <= 3 for item in raw for cue in item["cues"])
    snapshot = open_snapshot(hash_index)
    try:
        from index.lay_terms import term_words

        absent = [t for e in entries for t in e.terms if not snapshot.phrase_occurs(term_words(t))]
    finally:
        snapshot.close()
    assert len(absent) <= len([t for e in entries for t in e.terms]) // 10, absent


def test_an_unreadable_glossary_is_an_empty_one(tmp_path):
    bad = tmp_path / "lay_terms.json"
    bad.write_text("{not json", encoding="utf-8")
    assert load_glossary(bad) == ()
    assert load_glossary(tmp_path / "missing.json") == ()


def test_glossary_terms_widen_keyword_search_only(hash_index, hash_embedder):
    """Keyword search widens "a nerve doctor" with the corpus's "neurologist" (and "movement
    disorders"); the question's vector is left alone."""
    plain = Searcher(hash_index, hash_embedder, SearchSettings(glossary=""))
    widened = Searcher(hash_index, hash_embedder, SearchSettings(glossary="keyword"))
    question = "Is there a nerve doctor for this?"
    assert widened.keyword_terms(widened.snapshot(), question) == ["neurologist", "movement disorders"]
    assert plain.keyword_terms(plain.snapshot(), question) == []
    assert widened.dense_text(widened.snapshot(), question) == question
    assert fts_query(question, also=["neurologist", "cramp in the hand"]) == (
        '"nerve" OR "doctor" OR "neurologist" OR "cramp" OR "hand"'
    )
    passages = widened.search(question, k=5, mode="keyword").passages
    assert any("neurologist" in p.text.lower() for p in passages)
    assert not any("neurologist" in p.text.lower() for p in plain.search(question, k=5, mode="keyword").passages)


def test_the_vector_is_widened_only_when_set_so(hash_index, hash_embedder):
    both = Searcher(hash_index, hash_embedder, SearchSettings(glossary="both"))
    assert both.dense_text(both.snapshot(), "a nerve doctor") == "a nerve doctor (neurologist; movement disorders)"


def test_glossary_terms_the_index_lacks_or_too_common_to_bound_are_not_searched(hash_index, hash_embedder, monkeypatch):
    monkeypatch.setattr(search_module, "glossary_terms", lambda q: ["zqxv syndrome", "blepharospasm", "dystonia"])
    monkeypatch.setattr(search_module, "QUERY_CAP", 60)  # "dystonia" is in far more chunks than this
    searcher = Searcher(hash_index, hash_embedder, SearchSettings(glossary="keyword"))
    assert searcher.keyword_terms(searcher.snapshot(), "eyelids") == ["blepharospasm"]


def test_evidence_counts_the_glossary_words_a_question_cues(hash_index, hash_embedder):
    """ "Botox shots" cues the corpus's "botulinum toxin": the passage that says so is found and
    the sentence saying it is the one marked (keyword mode: words alone choose the evidence)."""
    widened = Searcher(hash_index, hash_embedder, SearchSettings(glossary="keyword"))
    result = widened.search("Do Botox shots help?", k=5, mode="keyword")
    marked = [p.text[p.highlight[0] : p.highlight[1]].lower() for p in result.passages if p.highlight]
    assert any("botulinum toxin" in m for m in marked), marked
    off = Searcher(hash_index, hash_embedder, SearchSettings(glossary=""))
    plain = off.search("Do Botox shots help?", k=5, mode="keyword")
    assert not any("botulinum toxin" in p.text[p.highlight[0] : p.highlight[1]].lower() for p in plain.passages)


def test_a_day_told_in_everyday_words_is_the_corpus_diurnal_fluctuation():
    """"Bad in the afternoon but she wakes up almost normal" is what the corpus calls "worse later in
    the day" (dopa-responsive dystonia): the model alone ranked it nowhere in the top 5 (a new user's trial)."""
    day = {"diurnal fluctuation", "worse later in the day"}
    for question in ("my daughter's dystonia is bad in the afternoon but she wakes up almost normal. why?",
                     "his legs get stiff by the end of the day but he's fine in the morning"):
        assert day <= set(glossary_terms(question)), question
    assert not day & set(glossary_terms("is it normal to feel tired in the afternoon"))


def test_thinking_and_memory_are_the_corpus_intelligence():
    """"Will dystonia affect my child's thinking" is answered by "does not affect a person's intelligence"."""
    for question in ("will dystonia affect my child's thinking", "does dystonia cause memory loss or dementia?"):
        assert "intelligence" in glossary_terms(question), question


def test_what_makes_it_worse_asks_what_sets_it_off():
    """"Makes it worse" asks for triggers ("brought on by stress"), not for how it progresses
    ("gets worse over time"); "bring it on" is left alone: "can another illness bring it on" asks
    for a cause (thirteenth session, tuning sets)."""
    trigger_terms = {"triggered by", "brought on by", "exacerbated", "intensified"}
    for question in ("what makes dystonia worse?", "does anything set off the spasms", "what can trigger a flare"):
        assert trigger_terms <= set(glossary_terms(question)), question
    for question in ("does dystonia get worse over time", "can another illness bring it on"):
        assert not trigger_terms & set(glossary_terms(question)), question


def test_a_numbered_form_named_one_way_brings_in_its_other_name():
    assert form_names("my son has DYT1, and my niece dyt-6") == ["dystonia 1", "dystonia 6"]
    assert form_names("cousin has dystonia 16, and his dad dystonia type 3") == ["DYT16", "DYT3"]
    assert form_names("dystonia at 16 years old, DYT is a gene family") == []
    assert glossary_terms("DYT7 and a shaky hand", glossary=())[:1] == ["dystonia 7"]


def test_a_form_asked_about_by_its_locus_finds_its_numbered_document(hash_index, hash_embedder, monkeypatch):
    question = "friend with dyt7 says his hand shakes and his voice has gone hoarse"

    def titles() -> list[str]:
        searcher = Searcher(hash_index, hash_embedder)
        return [p.title for p in searcher.search(question, k=5, mode="keyword").passages]

    assert any(title.startswith("Dystonia 7") for title in titles()), titles()
    monkeypatch.setattr("index.lay_terms.form_names", lambda question: [])
    assert not any(title.startswith("Dystonia 7") for title in titles()), "without its other name"
