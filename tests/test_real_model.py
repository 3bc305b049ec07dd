"""The real model on the real corpus: the answers people get, and the question sets at their targets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import DEV_QUESTIONS, REPO, needs_shared

from index import cli as index_cli
from index.embedder import MiniLMEmbedder
from index.evaluate import evaluate_questions, load_questions

pytestmark = pytest.mark.model
QUESTIONS = REPO / "bench" / "questions"


def test_basal_ganglia_in_the_top_three_with_its_citation(real_searcher):
    result = real_searcher.search("Which part of the brain is believed to be involved in dystonia?", k=3)
    hits = [p for p in result.passages if "basal ganglia" in p.text]
    assert hits, [p.text[:80] for p in result.passages]
    best = hits[0]
    assert best.title and best.source and best.section
    a, b = best.highlight
    assert "basal ganglia" in best.text[a:b]  # the evidence mark is on the answering sentence


def test_a_gene_question_finds_the_gene(real_searcher):
    top = real_searcher.search("Which gene causes myoclonus-dystonia?", k=1).passages[0]
    assert "SGCE" in top.text and top.source.startswith("https://ghr.nlm.nih.gov/")


def test_the_product_example_is_answered(real_searcher):
    result = real_searcher.search("Does stress make it worse?", k=5)
    assert not result.abstained
    assert any("stress" in p.text for p in result.passages)


def test_how_is_it_treated_finds_the_treatments_and_marks_what_doctors_do(real_searcher):
    """"treated" is in one chunk (a diagnosis section), "treatment" in many: the word family counts.
    The fact sheet's first treatment sentence says only what is not so; the mark runs on to "Instead"."""
    result = real_searcher.search("how is dystonia treated", k=5)
    top = result.passages[0]
    assert "diagnos" not in top.section.lower() and "treatment" in top.section.lower(), top.section
    sheet = [p for p in result.passages if p.title == "What are Dystonias?"]
    assert sheet, [p.title for p in result.passages]
    a, b = sheet[0].highlight
    assert "Instead, doctors use a variety of therapies" in sheet[0].text[a:b]


def test_what_is_dystonia_marks_the_sentence_that_says_what_it_is(real_searcher):
    """Not the shortest sentence naming it ("Others are mild. Some people inherit dystonia.")."""
    result = real_searcher.search("What is dystonia?", k=3)
    for passage in result.passages:
        a, b = passage.highlight or (0, 0)
        assert re.search(r"\b(is|are) (a|movement disorders)\b", passage.text[a:b]), passage.text[a:b]


def test_a_question_naming_the_news_items_university_is_answered_from_it(real_searcher):
    # Its best cosine is 0.207, under the 0.22 threshold; "Duke" is in one chunk's text.
    result = real_searcher.search("the Duke people apparently built some new lab model out of cells?", k=5)
    assert not result.abstained
    assert result.passages[0].title == "Dystonia Treatment News and Information", result.passages[0].title
    assert real_searcher.search("How tall is the Fred French Building?").abstained, "a name only an address holds"
    # Typed in lower case on a phone: the chunks only ever write "Duke" capitalised (a new user's trial).
    typed = real_searcher.search("what did duke researchers discover", k=5)
    assert not typed.abstained and "Dystonia Treatment News and Information" in [p.title for p in typed.passages[:2]]
    assert real_searcher.search("How long does a broken arm take to heal?").abstained, "'broken' is written so"


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "How do I change a flat tire on my car?",
        "Give me a recipe for chocolate chip cookies",
        "Who won the 2018 FIFA World Cup?",
        # "it" is read as "dystonia" for ranking only: whether to answer is the question's own reading.
        "Is it safe to take antibiotics while I'm pregnant?",
    ],
)
def test_off_topic_questions_are_abstained_on(real_searcher, question):
    result = real_searcher.search(question)
    assert result.abstained and result.passages == ()


def test_a_question_that_leaves_the_subject_unsaid_is_read_as_about_it(real_searcher):
    # Ranked by "Does dystonia run in families?" too, the fact sheet's answer comes up from rank 7
    # (EVALUATION.md, fifteenth session); the question's own words mark the sentence.
    result = real_searcher.search("Does this run in families?", k=3)
    answer = [p for p in result.passages if "many cases appear to be inherited" in p.text]
    assert answer, [p.text[:80] for p in result.passages]
    a, b = answer[0].highlight or (0, 0)
    assert "inherited" in answer[0].text[a:b]


def test_a_bare_gene_name_is_not_abstained_on(real_searcher):
    # MiniLM hardly knows "SGCE" (cosine ~0.17), but the corpus does: the coverage rule keeps it.
    result = real_searcher.search("SGCE", k=3)
    assert not result.abstained and "SGCE" in result.passages[0].text


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("RDP triggers", "rapid-onset dystonia parkinsonism"),  # was refused (best cosine 0.13)
        ("DRD prevalence", "dopa-responsive dystonia"),  # "The prevalence of HMDPC is unknown." came first
        ("lubag inheritance", "x-linked dystonia-parkinsonism"),  # myoclonus-dystonia's imprinting came first
    ],
)
def test_a_short_name_with_an_aspect_word_stays_with_its_condition(real_searcher, question, title):
    # A new user's trial: the aspect word, in every condition's page, chose another condition.
    result = real_searcher.search(question, k=3)
    assert result.passages and result.passages[0].title.lower() == title, [p.title for p in result.passages]


def test_a_short_question_in_words_the_corpus_never_uses_is_answered_through_the_glossary(real_searcher):
    # "Does it hurt?" scores 0.206 with its best passage (under the 0.22 bar), and the corpus never says
    # "hurt", but it says "painful": the glossary's reading covers the question, so the rescue path answers.
    result = real_searcher.search("Does it hurt?", k=5)
    assert not result.abstained and result.best_similarity < real_searcher.settings.answer_above
    assert any("pain" in p.text.lower() for p in result.passages)


@pytest.mark.parametrize(
    "question",
    [
        "does being stressed or knackered make it worse? uni exams coming up and im dreading it",
        "im a hairdresser and my scissor hand cramps up halfway through a cut, does this happen in my line of work",
        "would those wrinkle injections help my neck spasms",
    ],
)
def test_everyday_words_the_corpus_never_uses_are_not_called_missing_subjects(real_searcher, question):
    result = real_searcher.search(question)
    assert result.passages and not result.missing and not result.note, result.note


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("does the glaucoma eye pressure puff test at the optician hurt", "glaucoma"),
        ("Is propranolol a good medicine for essential tremor in older people?", "propranolol"),
        ("how do you tell appendicitis from just a bad stomach bug", "appendicitis"),
        # The model reads "baclofen" as nearer an everyday word; its "-fen" names a medicine.
        ("is baclofen safe to take long term for muscle stiffness?", "baclofen"),
        # A whole word of the model's vocabulary, read as clearly medical (a new user's trial).
        ("can i get medical cannabis for my dystonia", "cannabis"),
    ],
)
def test_medical_subjects_the_corpus_never_names_are_still_noted(real_searcher, question, subject):
    result = real_searcher.search(question)
    assert subject in result.missing and (result.abstained or result.note), result


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # It marked "low doses of levodopa" with no warning (second new-user trial, twenty-third session).
        ("what is the dose of botox for cervical dystonia", "doses"),
        ("does insurance cover botox injections for dystonia", "insurance"),
    ],
)
def test_practical_questions_the_passages_do_not_answer_are_noted(real_searcher, question, aspect):
    result = real_searcher.search(question)
    assert result.passages and aspect in result.note, result.note


@pytest.mark.parametrize("question", ["when was this information last reviewed", "who published this fact sheet"])
def test_a_question_about_the_documents_themselves_is_answered_by_their_notes(real_searcher, question):
    # The model reads these as little (best cosine 0.13-0.15): they were refused (second trial).
    result = real_searcher.search(question)
    assert not result.abstained and "last reviewed on" in result.passages[0].text, result


@needs_shared
def test_dev_question_set_meets_its_targets(real_searcher):
    scores = evaluate_questions(real_searcher, load_questions(DEV_QUESTIONS), "hybrid", "dev")
    # MRR bar 0.75, was 0.85 while passages could span sections: a passage now stops at its section,
    # and three dev answers ("paternal copy of the SGCE gene") sit in the section after the one that
    # answers in other words (EVALUATION.md, "structure-aware passages").
    assert scores.hit_at_5 >= 0.95 and scores.mrr_at_10 >= 0.75, scores
    assert scores.abstained_unanswerable == 1.0 and scores.wrong_abstentions == 0.0, scores


def test_held_out_questions_meet_the_same_bar(real_searcher):
    questions = load_questions(QUESTIONS / "heldout.jsonl")
    scores = evaluate_questions(real_searcher, [q for q in questions if q.answers], "hybrid", "heldout")
    assert scores.hit_at_5 >= 0.95 and scores.mrr_at_10 >= 0.85 and scores.wrong_abstentions == 0.0, scores
    off_topic = [q for q in questions if q.id in {"ho41", "ho42", "ho43", "ho44", "ho45"}]
    assert evaluate_questions(real_searcher, off_topic, "hybrid", "off").abstained_unanswerable == 1.0


def test_everyday_wording_finds_the_medical_passage(real_searcher):
    scores = evaluate_questions(real_searcher, load_questions(QUESTIONS / "lay.jsonl"), "hybrid", "lay")
    assert scores.hit_at_5 >= 0.85 and scores.wrong_abstentions == 0.0, scores  # 0.88 since section-bounded passages


@pytest.mark.parametrize(
    ("name", "hit_at_5", "mrr", "evidence", "flagged", "wrong_notes", "refused"),
    [
        ("blind.jsonl", 0.74, 0.55, 0.76, 0.9, 0.04, 0.02),
        ("tune2.jsonl", 0.83, 0.66, 0.73, 0.9, 0.04, 0.02),
        ("tune3.jsonl", 0.88, 0.75, 0.57, 0.95, 0.13, 0.02),
        ("tune4.jsonl", 0.77, 0.62, 0.75, 0.85, 0.07, 0.07),
        ("blind2.jsonl", 0.87, 0.74, 0.77, 0.8, 0.04, 0.02),
        ("blind3.jsonl", 0.85, 0.74, 0.73, 0.9, 0.06, 0.02),
        ("blind4.jsonl", 0.87, 0.75, 0.69, 0.85, 0.04, 0.02),
        ("blind5.jsonl", 0.85, 0.70, 0.66, 0.95, 0.04, 0.02),
        ("blind6.jsonl", 0.82, 0.74, 0.72, 0.9, 0.04, 0.02),
        ("blind7.jsonl", 0.82, 0.74, 0.72, 0.9, 0.04, 0.02),
        ("blind8.jsonl", 0.87, 0.75, 0.73, 0.95, 0.04, 0.02),
        ("blind9.jsonl", 0.92, 0.77, 0.71, 0.95, 0.04, 0.02),
        ("blind10.jsonl", 0.9, 0.79, 0.8, 0.95, 0.04, 0.02),
        ("blind11.jsonl", 0.8, 0.6, 0.56, 0.95, 0.04, 0.02),
        ("blind12.jsonl", 0.83, 0.68, 0.74, 0.85, 0.04, 0.02),
        ("blind13.jsonl", 0.87, 0.77, 0.76, 0.95, 0.04, 0.02),
        ("blind14.jsonl", 0.9, 0.76, 0.77, 0.95, 0.04, 0.02),
        ("blind15.jsonl", 0.9, 0.75, 0.83, 0.95, 0.05, 0.02),
        ("blind16.jsonl", 0.9, 0.78, 0.75, 0.95, 0.04, 0.02),
        ("blind17.jsonl", 0.83, 0.72, 0.6, 0.95, 0.04, 0.04),
        ("blind18.jsonl", 0.88, 0.73, 0.68, 0.95, 0.04, 0.02),
        ("blind19.jsonl", 0.92, 0.78, 0.69, 0.85, 0.04, 0.02),
        ("blind20.jsonl", 0.87, 0.78, 0.72, 0.95, 0.04, 0.02),
        ("blind21.jsonl", 0.88, 0.76, 0.70, 0.95, 0.04, 0.04),
        ("blind22.jsonl", 0.89, 0.80, 0.80, 0.95, 0.04, 0.04),
        ("blind23.jsonl", 0.94, 0.79, 0.73, 0.95, 0.06, 0.02),
        ("blind24.jsonl", 0.88, 0.73, 0.85, 0.95, 0.04, 0.02),
        ("blind25.jsonl", 0.88, 0.79, 0.77, 0.95, 0.04, 0.02),
        ("blind26.jsonl", 0.9, 0.76, 0.66, 0.95, 0.05, 0.02),
        ("blind27.jsonl", 0.87, 0.76, 0.78, 0.95, 0.04, 0.02),
        ("blind28.jsonl", 0.86, 0.74, 0.68, 0.95, 0.05, 0.02),
        ("blind29.jsonl", 0.9, 0.76, 0.7, 0.95, 0.04, 0.02),
        ("blind30.jsonl", 0.86, 0.69, 0.67, 0.75, 0.02, 0.03),
    ],
)
def test_the_blind_sets_stay_at_their_measured_level(
    real_searcher, name, hit_at_5, mrr, evidence, flagged, wrong_notes, refused
):
    """Floors a little under what the sets written blind measure (hit@5 / MRR@10 / evidence /
    unanswerable flagged / answerable with a note / answerable refused; today's figures are in
    EVALUATION.md, sixteenth session: e.g. blind10 0.933 / 0.849 / 0.879 / 1.0 / 0 / 0), so a change
    that loses ground on questions written without the code fails here. blind, tune2 and tune3
    choose settings, and tune4 (written to provoke refusals); blind2 to blind30 are report-only. blind11,
    written to avoid the documents' own words, is among the hardest (0.883 / 0.742 / 0.685, 1 of 60
    refused; 3 before a question about "it" was answered with a weak-match note, nineteenth session,
    which moved one blind3 question from refused to noted: its note floor is 0.06). These are not issue 9's
    aims (hit@5 0.95, MRR 0.85, evidence 0.85, every unanswerable question flagged, none refused),
    which are not met. A note on an answerable question ("no passage is about …") stays rare; tune3
    was written to provoke them (medicines and other conditions mentioned in passing)."""
    scores = evaluate_questions(real_searcher, load_questions(QUESTIONS / name), "hybrid", name, evidence=True)
    assert scores.hit_at_5 >= hit_at_5 and scores.mrr_at_10 >= mrr, scores
    assert scores.evidence is not None and scores.evidence >= evidence, scores
    assert scores.flagged_unanswerable is not None and scores.flagged_unanswerable >= flagged, scores
    assert scores.wrong_abstentions <= refused and scores.wrong_flags is not None, scores
    assert scores.wrong_flags <= wrong_notes, scores


def test_cli_answers_many_questions_from_stdin_with_one_model_load(real_index, capsys, monkeypatch):
    import io

    monkeypatch.delenv("KB_EMBEDDER", raising=False)
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("Which gene causes myoclonus-dystonia?\nWhat is the capital of France?\n")
    )
    assert index_cli.main(["--index-dir", str(real_index), "search", "--json", "-k", "2"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    gene = [r for r in rows if r["query"].startswith("Which gene")]
    assert len(gene) == 2 and "SGCE" in gene[0]["text"] and gene[0]["highlight"]
    assert [r for r in rows if r["query"].startswith("What is the capital")] == [
        {
            "query": "What is the capital of France?",
            "abstained": True,
            "message": "No passage in the knowledge base answers this question.",
            "best_similarity": pytest.approx(0.07, abs=0.05),
        }
    ]
    assert Path(real_index / "CURRENT").exists()


def test_the_embedder_gives_sentence_transformers_own_normalised_vectors(model):
    """The plain-torch forward pass returns what sentence-transformers' encode returns, in input
    order: within 1e-5 in float32, and within cosine 0.9999 in bfloat16 (the default where the CPU
    has it).

    The texts cover what differs between the paths if anything does: padding in a batch of mixed
    lengths, truncation past 256 word pieces, accents and CJK characters, an empty text.
    """
    from sentence_transformers import SentenceTransformer

    from index.bert import BertEncoder, _bf16_native
    from ingest.tokens import bundled_model_dir

    corpus_text = (REPO / "corpus" / "founding" / "what_are_dystonias.txt").read_text(encoding="utf-8")
    texts = [
        "Does stress make it worse?",
        "Botulinum toxin injections relax the neck muscles.",
        "tremor",
        "",
        corpus_text[:6000],  # far past the model's 256 word pieces
        "Ünïcödé café — naïve 漢字, writer's cramp",
        "word " * 300,
    ]
    assert BertEncoder.supports(bundled_model_dir())
    reference = SentenceTransformer(str(bundled_model_dir()), device="cpu")
    theirs = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    exact = MiniLMEmbedder(precision="float32")
    ours = exact.embed(texts)
    assert ours.shape == (len(texts), 384) and ours.dtype.name == "float32"
    assert abs(ours - theirs).max() < 1e-5
    both_truncated = exact.embed([texts[4], texts[6]])  # equal lengths: the batch runs with no attention mask
    assert abs(both_truncated - theirs[[4, 6]]).max() < 1e-5
    assert abs((ours**2).sum(axis=1) - 1).max() < 1e-5
    through_st = MiniLMEmbedder(engine="sentence-transformers").embed(texts)
    assert abs(through_st - theirs).max() < 1e-5
    default = model.embed(texts)
    assert default.dtype.name == "float32" and abs((default**2).sum(axis=1) - 1).max() < 1e-5
    assert (default * theirs).sum(axis=1).min() > (0.9998 if _bf16_native() else 1 - 1e-6)
    questions = [model.embed([text])[0] for text in texts[:4]]  # one text: the single-question path
    assert (np.stack(questions) * theirs[:4]).sum(axis=1).min() > 0.9998


def test_many_batches_on_one_thread_each_give_the_same_vectors_in_order():
    """Several batches run one per core on one torch thread each: same vectors as one text at a
    time (float32, where a batch's padding changes no digit that matters), rows in input order,
    progress for every text, and torch's thread count given back."""
    import torch

    model = MiniLMEmbedder(precision="float32")
    corpus_text = (REPO / "corpus" / "founding" / "what_are_dystonias.txt").read_text(encoding="utf-8")
    sentences = [s.strip() for s in corpus_text.split(".") if len(s.split()) > 3][:45]
    threads = torch.get_num_threads()
    done: list[int] = []
    together = model.embed(sentences, on_batch=done.append)
    alone = [model.embed([text])[0] for text in sentences]
    assert len(sentences) > 2 * 16 and sum(done) == len(sentences)
    assert abs(together - alone).max() < 1e-5
    assert torch.get_num_threads() == threads


def test_a_model_directory_the_plain_forward_pass_cannot_compute_is_refused_by_it(tmp_path):
    """Another pooling (here CLS) must go to sentence-transformers, not be computed wrongly."""
    from index.bert import BertEncoder
    from ingest.tokens import bundled_model_dir

    source = bundled_model_dir()
    for name in ("modules.json", "config.json", "sentence_bert_config.json", "tokenizer.json"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "1_Pooling").mkdir()
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    assert BertEncoder.supports(tmp_path)
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    assert not BertEncoder.supports(tmp_path)


def test_a_symptom_list_is_marked_rather_than_the_template_sentences_around_it(real_searcher):
    question = (
        "dystonia 11 - does it come with anxiety or being scared to leave the house? my daughters already on zoloft"
    )
    result = real_searcher.search(question)
    top = result.passages[0]
    assert top.title == "Dystonia 11" and top.highlight is not None
    a, b = top.highlight
    assert "Anxiety" in top.text[a:b], top.text[a:b]
