"""Evidence choice on fixtures: never a question, a table header or a bare contact block (unless asked),
possessive fragments are not question words, and sentence units join short fragments."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from index.evidence import best_unit, is_table_header, unit_penalty, with_continuation
from index.intents import NOTHING_ASKED, asks_for_contact, read_intent
from index.keyword import query_terms
from index.templates import template_key
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
    best = best_unit(units, similarity, TEXT, terms)
    assert best is not None and TEXT[units[best][0] : units[best][1]].startswith("Writer's cramp is a task")
    header = TEXT.index("Drug |")
    assert is_table_header(TEXT, header) and not is_table_header(TEXT, TEXT.index("Trihexyphenidyl"))
    assert unit_penalty("What is writer's cramp?", False, False) > 0
    assert (
        unit_penalty("1 East Wacker Drive, Suite 2810\nChicago, IL 60601-1905\nPhone: 312.755.0198", False, False) > 0
    )
    assert unit_penalty("Phone: 312.755.0198", False, contact_question=True) == 0


NAMES_ASKED = replace(NOTHING_ASKED, names=True)


def test_a_list_of_other_names_answers_only_a_question_about_names():
    from index.intents import asks_for_names

    text = "Other names: DRD; Segawa syndrome\nDopa-responsive dystonia is a disorder of movement."
    units = [(0, 33), (34, len(text))]
    similarity = np.array([0.9, 0.5], dtype=np.float32)  # the names line is the closer one
    terms = {"drd": 1.0}
    assert best_unit(units, similarity, text, terms) == 1
    assert best_unit(units, similarity, text, terms, NAMES_ASKED) == 0
    other = {"parkinson": 1.0}  # "is parkinson's the same thing?": the list names no Parkinson's
    assert best_unit(units, similarity, text, other, NAMES_ASKED) == 1
    assert asks_for_names("Is DRD the same as Segawa syndrome?") and asks_for_names("what else is it called")
    assert asks_for_names("other names for dystonia 1") and not asks_for_names("What is DRD?")


def test_a_disclaimer_or_source_line_answers_only_a_question_about_the_source():
    text = (
        "This information is provided by Cleveland Clinic and is not intended to replace the medical advice "
        "of your doctor. Speak with a neurologist about dystonia."
    )
    second = text.index("Speak")
    units = [(0, second - 1), (second, len(text))]
    similarity = np.array([0.7, 0.4], dtype=np.float32)  # the disclaimer reads closer to "which doctor?"
    question = "what kind of doctor should we see"
    terms = {t: 1.0 for t in query_terms(question)}
    assert best_unit(units, similarity, text, terms, read_intent(question)) == 1
    source = "who provided this information?"
    assert best_unit(units, similarity, text, {t: 1.0 for t in query_terms(source)}, read_intent(source)) == 0
    news = "(SOURCE: DUKE UNIVERSITY) - Duke University researchers have identified a common mechanism."
    assert unit_penalty(news, False, False) == 0, "a news item's dateline tag does not make its sentence a note"


def test_a_passage_with_no_sentence_that_can_answer_has_none_marked():
    text = "What are the signs and symptoms of dystonia 2?\nOther names: DYT2; Torsion dystonia 2"
    second = text.index("Other")
    units = [(0, second - 1), (second, len(text))]
    similarity = np.array([0.8, 0.6], dtype=np.float32)
    assert best_unit(units, similarity, text, {"sign": 1.0}) is None, "a question and a names list: no mark"


def test_with_no_sentence_that_can_answer_the_one_naming_what_was_asked_is_marked():
    """A bare short name ("PED") finds a passage whose only unit holding it is the list of other
    names: that list is marked rather than nothing. An organisation's entry, for a question that
    does not ask how to reach it, is marked by its name line alone. Either must hold the question's
    rarest word."""
    from index.evidence import entry_name

    text = "What are the signs and symptoms of dystonia 18?\nOther names: DYT18; PED; Paroxysmal dyskinesia"
    second = text.index("Other")
    units = [(0, second - 1), (second, len(text))]
    similarity = np.array([0.8, 0.6], dtype=np.float32)
    assert best_unit(units, similarity, text, {"ped": 1.0}) == 1, "the names list holds the asked word"
    assert best_unit(units, similarity, text, {"sign": 1.0}) is None, "never the question, though it holds it"
    entry = "American Speech-Language-Hearing Association (ASHA)\n2200 Research Boulevard"
    assert best_unit([(0, len(entry))], np.array([0.3], dtype=np.float32), entry, {"asha": 1.0}) == 0
    # Not any organisation for a word it does not hold ("lubag" marked unrelated names: a new user's trial).
    assert best_unit([(0, len(entry))], np.array([0.3], dtype=np.float32), entry, {"voice": 1.0}) is None
    other = "Other names: DYT6; Dystonia 6; Torsion dystonia 6"
    weights = {"dyt16": 3.0, "dystonia": 0.5}  # the rarest word is the one the list must hold
    assert best_unit([(0, len(other))], np.array([0.3], dtype=np.float32), other, weights) is None
    assert entry_name(entry) == "American Speech-Language-Hearing Association (ASHA)"
    address = "Rockville, MD 20850\nToll-free: 800.638.8255"
    assert best_unit([(0, len(address))], np.array([0.3], dtype=np.float32), address, {"md": 1.0}) is None
    assert entry_name("Writer's cramp is a task-specific dystonia.") is None


def test_a_short_name_held_only_in_an_email_address_marks_the_entrys_name():
    """"what is NSTA": the fact sheet writes "NSTA" only in "NSTAmail@aol.com", on an address line;
    the name line spells it out. The rarest word a markable unit holds counts when nearly as rare as
    the question's rarest (a new user's trial: the entry was shown with nothing marked). A word far
    commoner than the one asked about, which the entry does not hold, marks nothing."""
    text = (
        "National Spasmodic Torticollis Association\n9920 Talbert Avenue\n"
        "Fountain Valley, CA 92708\nPhone: 714.378.9837\nEmail: NSTAmail@aol.com"
    )
    second = text.index("Fountain")
    units = [(0, second - 1), (second, len(text))]
    similarity = np.array([0.3, 0.3], dtype=np.float32)
    spelt = {"nsta": 6.0, "national": 3.6, "spasmodic": 4.4, "torticollis": 3.0, "association": 2.4}
    assert best_unit(units, similarity, text, spelt) == 0
    assert best_unit(units, similarity, text, {"lubag": 6.0, "association": 2.4}) is None


def test_an_entry_shown_for_a_question_not_about_reaching_anyone_marks_its_name(hash_index):
    from index.embedder import HashEmbedder
    from index.search import Searcher

    searcher = Searcher(hash_index, HashEmbedder())
    result = searcher.search("Is blepharospasm benign?", mode="keyword", k=10)
    entry = next(p for p in result.passages if p.text.startswith("Benign Essential Blepharospasm Research Foundation"))
    assert entry.highlight is not None, "an entry is not shown with nothing marked"
    a, b = entry.highlight
    assert entry.text[a:b] == "Benign Essential Blepharospasm Research Foundation"


def test_a_place_only_an_address_holds_marks_the_entrys_name():
    """"Mukwonago", "Rockville MD": the entry was found and shown with nothing marked (a new user's
    trial); its name says whose address it is. A word the entry does not hold marks nothing."""
    text = "Spasmodic Torticollis Dystonia/ST Dystonia\nP.O. Box 28\nMukwonago, WI 53149\nPhone: 262.560.9534"
    second = text.index("Mukwonago")
    units = [(0, second - 1), (second, len(text))]
    similarity = np.array([0.2, 0.2], dtype=np.float32)
    assert best_unit(units, similarity, text, {"mukwonago": 6.0}) == 0
    assert best_unit(units, similarity, text, {"bronx": 6.0}) is None


def test_a_short_name_asked_about_marks_its_entrys_name_not_its_address(hash_index):
    """"what is NSTA" asks what it is: read with its long form ("…Association") it was an
    organisation question, and the whole address was marked (a new user's trial)."""
    from index.embedder import HashEmbedder
    from index.search import Searcher

    result = Searcher(hash_index, HashEmbedder()).search("what is NSTA", mode="keyword", k=3)
    entry = result.passages[0]
    assert entry.text.startswith("National Spasmodic Torticollis Association") and entry.highlight, result
    a, b = entry.highlight
    assert entry.text[a:b] == "National Spasmodic Torticollis Association"


def test_contact_questions_are_recognised():
    assert asks_for_contact("What is the phone number of the foundation?")
    assert not asks_for_contact("Does stress make dystonia worse?")


def test_possessive_s_is_not_a_question_word():
    assert query_terms("Is writer's cramp a dystonia? I don't know") == ["writer", "cramp", "dystonia", "don"]


def test_word_forms_of_one_root_meet():
    from index.evidence import stem

    assert stem("treatment") == stem("treated") == "treat"
    assert stem("inheritance") == stem("inherited") == "inherit"
    assert stem("injuries") == stem("injury") and stem("families") == stem("family")


def test_a_contact_question_marks_the_whole_entry_and_others_one_line(hash_index):
    from index.embedder import HashEmbedder
    from index.search import Searcher

    searcher = Searcher(hash_index, HashEmbedder())
    asked = searcher.search("Phone number of the Dystonia Medical Research Foundation?", mode="keyword", k=3)
    entry = next(p for p in asked.passages if p.text.startswith("Dystonia Medical Research Foundation"))
    a, b = entry.highlight
    marked = entry.text[a:b]
    assert marked.startswith("Dystonia Medical Research Foundation") and "Phone: 312.755.0198" in marked
    assert "Email:" in marked, "the whole entry, name to email"
    other = searcher.search("Is blepharospasm benign?", mode="keyword", k=10)
    assert any("\nPhone:" in p.text for p in other.passages), "the test needs a contact entry among the passages"
    for p in other.passages:
        if p.highlight:
            a, b = p.highlight
            assert "\nPhone:" not in p.text[a:b], "no contact block marked for a question that does not ask for one"


def test_the_passage_topic_does_not_choose_its_sentence(monkeypatch):
    """"limb dystonia" is in most of the passage's sentences, so it cannot tell them apart: the one
    sentence about treatment is marked for "How is limb dystonia treated?" even though the
    opening sentence is a little closer to the question as a whole."""
    import index.evidence as evidence
    from index.evidence import passage_weights

    text = (
        "Limb dystonia is a rare disorder of the arm or leg. "
        "In most cases, the cause of limb dystonia remains unknown. "
        "Treatment is challenging; botulinum toxin injections may help."
    )
    first = text.index("In most")
    third = text.index("Treatment")
    units = [(0, first - 1), (first, third - 1), (third, len(text))]
    terms = {"limb": 3.0, "dystonia": 1.0, "treated": 2.0}
    similarities = np.array([0.55, 0.50, 0.60])
    assert best_unit(units, similarities, text, terms) == 2
    weights = passage_weights({"limb": 3.0, "treat": 2.0}, [{"limb"}, {"limb"}, {"treat"}])
    assert weights == pytest.approx({"limb": 1.0, "treat": 2.0 * 2 / 3})
    assert passage_weights({"limb": 3.0}, [{"limb"}, {"limb"}]) == {"limb": 3.0}, "two units: plain weights"
    monkeypatch.setattr(evidence, "passage_weights", lambda terms, words: dict(terms))
    assert best_unit(units, similarities, text, terms) == 0, "plain weights mark the topic"


def test_a_template_sentence_has_one_key_whatever_the_title():
    def intro(title: str) -> str:
        return f"The Human Phenotype Ontology provides the following list of signs and symptoms for {title}."

    assert template_key(intro("Dystonia 11"), "Dystonia 11") == template_key(intro("Dystonia 7"), "Dystonia 7")
    assert template_key(intro("Dystonia 11"), "") != template_key(intro("Dystonia 7"), "")


def test_evidence_passes_over_a_template_sentence_for_the_answer():
    title = "Dystonia 11"
    text = (
        "The Human Phenotype Ontology provides the following list of signs and symptoms for Dystonia 11.\n"
        "Muscular hypotonia 5% Agoraphobia - Anxiety - Depression"
    )
    units = [(0, text.index("\n")), (text.index("\n") + 1, len(text))]
    similarity = np.array([0.6, 0.5], dtype=np.float32)  # the template sentence reads closer to the question
    terms = {t: 1.0 for t in query_terms("signs and symptoms of dystonia 11: anxiety?")}
    keys = {template_key(text[: units[0][1]], title)}
    assert best_unit(units, similarity, text, terms) == 0
    assert best_unit(units, similarity, text, terms, NOTHING_ASKED, keys, title) == 1


def test_a_plural_and_its_singular_share_a_stem():
    from index.evidence import stem

    for plural, singular in (("causes", "cause"), ("muscles", "muscle"), ("movements", "movement"),
                             ("diseases", "disease"), ("injuries", "injury"), ("spasms", "spasm")):
        assert stem(plural) == stem(singular), (plural, singular)
    assert stem("treated") == stem("treatment") == stem("treats")
    assert stem("stress") == stem("stressed") == "stress", "a double s is no plural"
    assert stem("curable") == stem("cure") == stem("cures"), "is it curable? is answered by 'There is no cure.'"
    assert stem("treatable") == stem("treat")


def test_questions_that_ask_for_a_shape_of_answer_are_recognised():
    from index.intents import answer_shape

    cases = {
        "How long do the attacks last?": "Common symptoms include 1 to 4 hour long episodes.",
        "at what age does it usually start": "Symptoms typically begin between ages 2 and 15.",
        "when does it first show up in kids": "Signs appear in early childhood.",
        "how common is it in jewish families": "It affects 1 in 3,000 to 9,000 people in this population.",
        "what are the odds my kids get it": "Each child has a 50% (1 in 2) chance to inherit the mutation.",
        "which genes cause the levodopa form?": "It is caused by mutations in the GCH1, TH or SPR genes.",
        "what sets off the jerks": "Attacks can be brought on by alcohol, caffeine or stress.",
        "what treatments might help an arm or leg": "Botulinum toxin injection and physical therapy may help.",
        "How is it treated?": "Doctors use medicines, Botox injections, surgery and other treatments.",
        "Does this run in families?": "Of the primary dystonias, many cases appear to be inherited.",
        "does it come from the dad's side": "It occurs when mutations affect the paternal copy of the gene.",
        "what causes dystonia?": "The cause is unknown, but it can be due to another disease.",
        "what can be done for it": "Drugs such as levodopa improve the symptoms.",
    }
    for question, sentence in cases.items():
        shape = answer_shape(question)
        assert shape is not None and shape.search(sentence), question
    assert not answer_shape("which gene is involved").search("The gene makes a protein."), "symbols only"
    assert not answer_shape("which gene is involved").search("Dystonia 6 is also called DYT6.")
    assert not answer_shape("how long do attacks last").search("The disorder causes involuntary movement.")
    assert not answer_shape("How is it treated?").search("Jerks may be triggered by movement or stimulation.")
    assert not answer_shape("what causes dystonia?").search("Dystonia is a disorder that causes contractions.")
    for question in ("Is it curable?", "how long ago was it found", "Is it contagious?", "what is it",
                     "What is the capital of France?"):
        assert answer_shape(question) is None, question


def test_a_question_asking_what_something_is_marks_the_sentence_that_says_what_it_is():
    from index.intents import answer_shape

    for question in ("What is dystonia?", "whats DYT1", "What is writer's cramp?",
                     "what actually is this twisting muscle thing my mum just got diagnosed with?",
                     "What does primary or idiopathic dystonia mean?"):
        shape = answer_shape(question)
        assert shape is not None and shape.search("Dystonia is a movement disorder."), question
    definition = answer_shape("What is dystonia?")
    assert definition is not None
    assert definition.search("About half the cases have no known cause and are called primary dystonia.")
    assert definition.search("The dystonias are movement disorders in which muscles contract.")
    assert not definition.search("Some people inherit dystonia.")
    assert not definition.search("It is inherited, which means one copy of the gene is altered.")

    text = (
        "Dystonia is a movement disorder that causes involuntary contractions of your muscles. Symptoms often "
        "start in childhood. Others are mild. Some people inherit dystonia. There is no cure."
    )
    ends = [m.end() for m in re.finditer(r"\.", text)]
    units = [(0 if i == 0 else ends[i - 1] + 1, end) for i, end in enumerate(ends)]
    question = "What is dystonia?"
    terms = {t: 1.0 for t in query_terms(question)}
    similarity = np.array([0.55, 0.4, 0.3, 0.62, 0.3], dtype=np.float32)  # the short sentence reads closest
    assert best_unit(units, similarity, text, terms) == 3
    assert best_unit(units, similarity, text, terms, read_intent(question)) == 0


def test_a_sentence_saying_no_gene_was_found_is_not_the_gene_the_question_asks_for():
    from index.intents import answer_shape

    gene = answer_shape("which gene is behind rapid onset dystonia parkinsonism")
    assert gene is not None
    found = "Rapid-onset dystonia parkinsonism is caused by mutations in the ATP1A3 gene."
    not_found = (
        "In some people with rapid-onset dystonia parkinsonism, no mutation in the ATP1A3 gene has been identified."
    )
    assert gene.search(found) and not gene.search(not_found)
    assert not gene.search("The genetic cause of the disorder in the SPR gene is unknown.")
    assert gene.search("A mutation in the TOR1A gene was found in 1997."), "found, not 'not found'"

    units = [(0, len(not_found)), (len(not_found) + 1, len(not_found) + 1 + len(found))]
    text = not_found + " " + found
    similar = np.array([0.6, 0.5], dtype=np.float32)  # the negated sentence is nearer the question
    assert best_unit(units, similar, text, {"gene": 1.0}, replace(NOTHING_ASKED, shape=gene)) == 1


def test_a_sentence_saying_no_mutation_was_found_is_not_marked_over_one_that_names_the_cause():
    found = "Rapid-onset dystonia parkinsonism is caused by mutations in the ATP1A3 gene."
    not_found = "In some people, no mutation in the ATP1A3 gene has been identified."
    text = f"{found} {not_found}"
    units = [(0, len(found)), (len(found) + 1, len(text))]
    similar = np.array([0.5, 0.58], dtype=np.float32)  # the negative one reads a little closer to "ATP1A3"
    assert best_unit(units, similar, text, {"atp1a3": 1.0}) == 0
    unknown = "The prevalence of the condition is unknown."
    assert best_unit([(0, len(unknown))], np.array([0.5], dtype=np.float32), unknown, {}) == 0, "not a no-mutation"


def test_evidence_marks_the_sentence_of_the_shape_the_question_asks_for():

    text = (
        "Paroxysmal nonkinesigenic dyskinesia is a disorder that causes periods of involuntary movement. "
        "Episodes usually last 1 to 4 hours."
    )
    second = text.index("Episodes")
    units = [(0, second - 1), (second, len(text))]
    question = "How long does paroxysmal nonkinesigenic dyskinesia last?"
    terms = {t: 1.0 for t in query_terms(question)}
    similarity = np.array([0.5, 0.45], dtype=np.float32)  # the restating sentence reads closer
    assert best_unit(units, similarity, text, terms) == 0
    assert best_unit(units, similarity, text, terms, read_intent(question)) == 1


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        (  # a negative sentence and the one that says what is done instead: both are the answer
            "No one treatment has been found to be universally effective. Instead, doctors use a variety of"
            " therapies. Response to the drugs varies from one person to the next.",
            "No one treatment has been found to be universally effective. Instead, doctors use a variety of therapies.",
        ),
        (
            "The cause of dystonia is unknown. However, it can be a symptom of other diseases."
            " More text follows here in this passage.",
            "The cause of dystonia is unknown. However, it can be a symptom of other diseases.",
        ),
        (  # a plain sentence is not continued, even by "However"
            "Botulinum toxin eases the spasms for months. However, the injections must be repeated.",
            "Botulinum toxin eases the spasms for months.",
        ),
        (  # a negative sentence whose next one does not turn to what is so stays alone
            "There is no cure for dystonia. Doctors use medicines to ease the symptoms.",
            "There is no cure for dystonia.",
        ),
        (  # the last sentence of the passage has nothing to run on to
            "The cause of dystonia is unknown.",
            "The cause of dystonia is unknown.",
        ),
    ],
)
def test_a_sentence_saying_what_is_not_runs_on_through_the_next_saying_what_is(text: str, marked: str):
    units = sentence_units(text, 0, len(text))
    start, end = with_continuation(units, 0, text)
    assert text[start:end] == marked


def test_the_words_a_question_names_its_subject_by_are_not_what_it_asks():
    from index.intents import naming_words

    assert naming_words("shaky hands - can that be part of this twisting muscle condition?") == {"twisting", "muscle"}
    assert naming_words("for the jerks-plus-twisting condition, does it matter") == {"jerks", "plus", "twisting"}
    assert naming_words("which bit of the brain fails in these twisting movements?") == {"twisting"}
    assert naming_words("what causes dystonia?") == frozenset()


def test_a_sentence_holding_only_the_subjects_description_is_not_marked(tmp_path):
    """"Tremor with these twisting muscle spasm movements?" asks about tremor: the sentence saying
    what the twisting is held more of the question's words and was marked (tuning sets, evidence:
    lay 0.765 → 0.804, tune3 0.761 → 0.772)."""
    from index.embedder import HashEmbedder
    from index.search import Searcher
    from index.update import update_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "d.md").write_text(
        "# Dystonia\n\n## Symptoms\n\nMuscle spasms cause twisting and odd postures. "
        "Other possible symptoms include tremor. Symptoms often start in childhood.\n",
        encoding="utf-8",
    )
    update_index(corpus, tmp_path / "kb", HashEmbedder())
    searcher = Searcher(tmp_path / "kb", HashEmbedder())
    passage = searcher.search("tremor with these twisting muscle spasm movements?").passages[0]
    start, end = passage.highlight
    assert passage.text[start:end] == "Other possible symptoms include tremor."
