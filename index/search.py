"""Answer a question with cited passages: dense + keyword search, fusion, merging, evidence, abstention.

`Searcher` holds the embedder and the live generation of the index; it re-opens the index
when a reindex publishes a new generation (checked on every query by reading CURRENT), and
keeps answering from the old one if the new one cannot be opened. Tunable numbers live in
`SearchSettings`; their values come from measurements written up in EVALUATION.md.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

from index.acronyms import candidates, defined, spelled_out, with_spelled_out
from index.aspects import aspect_note, unanswered_aspects
from index.conditions import (
    kin_occurs,
    listed_at,
    listing_chunks,
    named_conditions,
    not_covered,
    organisation_conditions,
    passing_conditions,
    source_words,
    unmentioned_conditions,
)
from index.embedder import Embedder
from index.errors import ConfigError, KnowledgeBaseError
from index.evidence import best_unit, entry_name, other_names, unit_words, with_continuation
from index.fusion import reciprocal_rank_fusion, score_fusion
from index.intents import Intent, read_intent
from index.keyword import QUERY_CAP, ROW_CAP, STOPWORDS, family_word, fts_query, query_terms
from index.language import other_language
from index.lay_terms import cue_stems, cue_words, glossary_terms, stem, term_words
from index.layout import read_current
from index.medical_words import (
    MIN_MISSPELT_LETTERS,
    MIN_SUBJECT_PIECES,
    MedicalReader,
    drug_name,
    misspelt,
    one_letter_away,
    pieces,
)
from index.passages import Passage, drop_near_duplicates, merge_chunks, without_boilerplate
from index.places import postal_codes
from index.proper_names import absent_names
from index.remembered import Remembered
from index.store import Snapshot, StoredChunk, open_snapshot
from index.subjects import INDEX_WORD, NamedCondition
from index.templates import TEMPLATE_DOCUMENTS, key_hash, template_key
from index.title_subjects import asked_stems, form_numbers, subject_match, symptom_timing_words, title_subject
from index.topic import corpus_topic, names_topic, with_topic
from index.vector_index import one_thread_per_search
from ingest.notes import declared_source, is_document_note
from ingest.records import is_contact_block as is_contact_entry
from ingest.records import is_reference_list

MODES = ("hybrid", "dense", "keyword")
COMMON_SHARE_INVERSE = 4  # a word in more than 1/4 of the chunks is common
# The topic word (`topic.corpus_topic`: in a quarter of the titles) is found from about this many
# titles, evenly spread: on a million synthetic five-word titles it took 7.0 s (on the first search
# after each reindex); on 5,000, 0.05 s, and a sample that size measures a quarter to within ~1%.
TOPIC_TITLES = 5000
# A question about the topic unnamed that is answered under `answer_above` (`Searcher.abstains`):
# "can it come on suddenly?" is answerable, "can it rain twice in a day?" is not, and the model
# cannot tell them apart; the reader can.
WEAK_MATCH = "These passages match your question only weakly: they may not answer it."
NO_ANSWER = "No passage in the knowledge base answers this question."
# Said for a question in another language (`index.language`): the documents and the model are English.
IN_ENGLISH = "The documents are in English, and questions in English are understood best"
KEYWORD_RUNS_KEPT = 256  # BM25 runs remembered per searcher (a few hundred KB at most)
FREQUENCIES_KEPT = 50_000  # words' chunk counts remembered per searcher (a few MB at most)
SUBJECTS_KEPT = 50_000  # documents' title subjects remembered per searcher (a few MB at most)
MAX_CORRECTIONS = 3  # index words a misspelt question word may stand for
_NAME = re.compile(r"\b[A-Z][A-Za-z]+\b")  # a capitalised word: a name, unless it starts the question
MAX_QUESTION_CHARS = 1000  # a longer question is cut to this before searching, and the result says so
# The FTS expression that finds documents' notes (`ingest.notes`) for a question about the documents
# themselves, and how many of its matches are read: at most this many notes join the candidates.
_NOTE_CUES = 'source OR sources OR reviewed OR "provided by" OR "last updated" OR copyright OR "not intended"'
NOTE_CANDIDATES = 20
ANCHOR_DOCUMENTS = 2  # `Searcher._anchors`: a word held in more documents names none of them
_TYPED_AS_NAME = re.compile(r"[A-Z]\w*[A-Z]|[a-zA-Z]\d|\d[a-zA-Z]")  # "DRD", "dyt12", "TOR1A"


# Evidence counts the words of glossary terms a question cues at this share of their rarity
# (tuning sets, evidence: 0 → heldout 0.638, lay 0.673; 0.25 → 0.660, 0.755; 0.5 and 1 → 0.681, 0.735).
EVIDENCE_GLOSSARY_SHARE = 0.5


@dataclass(frozen=True)
class SearchSettings:
    """The tunable parts of retrieval (see EVALUATION.md for how each value was chosen)."""

    candidates: int = 100  # chunks taken from each of dense and keyword search
    fusion: str = "score"  # "score" (max-normalised sum) beat "rrf" on SciFact train and held-out sets
    dense_weight: float = 1.0
    keyword_weight: float = 0.5
    rrf_k: int = 60  # only for fusion="rrf"
    # Abstention (EVALUATION.md): answer when the best chunk's cosine reaches `answer_above`, or
    # reaches `rescue_above` while nearly all of the question (by rarity) occurs in the corpus;
    # the second path keeps exact-term questions ("SGCE") the model itself barely understands.
    answer_above: float = 0.22
    rescue_above: float = 0.15
    rescue_coverage: float = 0.9
    # Keyword mode embeds nothing: it answers when at least this share of the question (by rarity)
    # occurs. 0.25 on the tuning sets (heldout, lay, offtopic): 2 of 65 answerable refused, 15 of 40
    # unanswerable abstained; 0.5 refused 16 of 65 (EVALUATION.md).
    keyword_coverage: float = 0.25
    # Sentence-level rescoring (hybrid): the best stored sentence unit of each of the top
    # `rescore_depth` chunks adds `unit_weight` × its cosine (divided by the best such cosine).
    rescore_depth: int = 50
    unit_weight: float = 0.5
    # A passage scoring under this share of the best passage's score is not shown as if it were as good.
    relative_floor: float = 0.5
    # A question word in at most this many chunks is rare: the chunk keyword search ranks first
    # for it is kept in the top k whatever the fusion says.
    rare_chunks: int = 3
    # Keyword search looks for a question word's whole family ("treated": "treat…") when the family
    # is in at least this many times as many chunks as the word (`Searcher.families`); 0 turns it
    # off. Tuning sets: 3 changed no figure (searching every word of six letters or more as its
    # family moved lay MRR@10 0.870 → 0.850 and tune4 0.670 → 0.661).
    family_ratio: float = 3.0
    # Title subjects (`title_subjects`, hybrid, among the top `rescore_depth` chunks, only when a
    # general document is among them): each chunk gains `subject_weight` × the share of its title's
    # subject words the question holds, or × `general_share` when its title names no narrower subject
    # than the corpus's. Chosen on the tuning sets (EVALUATION.md, fifth session): 0.4 / 0.5 took
    # blind1 hit@5 0.677 → 0.769 and tune2 0.829 → 0.857; 0.8 or a general share of 1.0 cost lay hit@5.
    subject_weight: float = 0.4
    general_share: float = 0.5
    # ... or × `named_topic_share` when the question names the topic itself and nothing narrower that
    # a top document's title holds ("is dystonia inherited": the fact sheet's "many cases appear to be
    # inherited", not Dystonia 6's pattern). Tuning sets (EVALUATION.md, twenty-seventh session): 0.75 /
    # 1.0 / 1.5 took heldout MRR@10 0.975 → 0.988 and tune2 0.791 → 0.800 / 0.807 / 0.798, nothing else
    # moved; 2.5 cost dev hit@5 (1.000 → 0.960).
    named_topic_share: float = 1.0
    # Everyday words widened with the corpus's own (`lay_terms`): "keyword" (chosen on the tuning
    # sets; "dense" and "both" cost abstentions on off-topic questions), "dense", "both" or "" (off).
    glossary: str = "keyword"
    # Hybrid mode: a question asking for an organisation (`intents.asks_for_organisation`: "is there
    # a charity for…", "who can help with…") adds this to the top chunks that are an organisation's
    # entry (name, address, phone); which entry comes first is still the question's words'. A
    # question asking for neither an organisation nor contact details takes it off them. Tuning
    # sets (EVALUATION.md, tenth session): 0.15 / 0.3 / 0.5 within 0.01 MRR of each other.
    contact_weight: float = 0.3
    # Hybrid mode: a document's own note (`ingest.notes`: a source line, a disclaimer, a review date)
    # among the top chunks gains this for a question about the source ("who put out this fact
    # sheet?") and loses it for any other: its generic medical wording ("consult your doctor") sits
    # close to any medical question.
    note_weight: float = 0.3
    # Hybrid mode: a list of resources' names with no sentence (`ingest.records.is_reference_list`:
    # "These resources address the diagnosis or management of X: - Gene Review: …") among the top
    # chunks loses this unless the question asks where to read more (`intents.asks_for_reading`):
    # its title words make it rank for any question about X, and it answers none.
    list_weight: float = 0.3
    # The model reads the question with its misspelt words corrected (`dense_text`) when a word has
    # one correction the index holds; keyword search looks for the correction either way.
    model_spelling: bool = True
    # Hybrid mode, a question asking for an organisation: an entry among the top chunks that names
    # what the question is about (its words or its glossary terms: "eyelids", "blepharospasm")
    # gains this beside `contact_weight`.
    subject_entry_weight: float = 0.3
    # Hybrid mode: a chunk holding a sentence of the shape the question asks for (`intents.answer_shape`:
    # "how long…" a duration, "what age…" an age, "how common…" a rate, "which gene…" a symbol) gains
    # this. Tuning sets (EVALUATION.md, fourteenth session): 0.1 / 0.2 / 0.3 / 0.4 all raised MRR on
    # dev, tune2 and tune3 and lowered none; 0.3 was best.
    shape_weight: float = 0.3
    # Dense ranking: a question that refers to the knowledge base's topic without naming it ("Can
    # young kids get it too?": `topic.with_topic`) is ranked by its vector blended with this share of
    # the vector of the question naming it ("…get dystonia too?"); whether to answer at all is still
    # decided by the question's own vector. 0 turns it off.
    topic_blend: float = 0.5
    # Hybrid mode: a question word held by at most this many chunks, all in at most ANCHOR_DOCUMENTS
    # documents, names those documents (`Searcher._anchors`): their chunks gain `subject_weight`, as
    # if the question named their titles. 0 turns it off.
    anchor_chunks: int = 20


class QuestionVectors(NamedTuple):
    """A question's own vector (whether to answer, which sentence to mark) and the one its chunks are
    ranked by: the same array, or its blend with the question read as naming the topic."""

    own: np.ndarray
    ranked_by: np.ndarray

    @property
    def blended(self) -> bool:
        """True when the ranking vector is a blend (the question refers to the topic unnamed)."""
        return self.ranked_by is not self.own


@dataclass(frozen=True)
class SearchResult:
    """Passages for one question, or an abstention with the reason."""

    question: str
    mode: str
    passages: tuple[Passage, ...]
    abstained: bool = False
    message: str = ""
    best_similarity: float = 0.0
    coverage: float = 0.0  # rarity-weighted share of the question's words found in the index
    terms: tuple[str, ...] = ()  # the question's informative words, for marking
    generation: str = ""
    missing: tuple[str, ...] = ()  # subject words of the question that no passage contains
    note: str = ""  # shown above the passages, e.g. that none is about a missing subject


class StageClock:
    """Seconds spent in each stage of one search (for the benchmark); stages may repeat and add up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the body of a `with` block under `name`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


class _NoClock(StageClock):
    """The clock of searches nobody times: no timing, no shared totals."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield


_NO_CLOCK = _NoClock()


class Searcher:
    """Searches the index in kb_dir with one embedder; share one per process."""

    def __init__(self, kb_dir: Path, embedder: Embedder, settings: SearchSettings | None = None):
        self.kb_dir = kb_dir
        self.embedder = embedder
        one_thread_per_search()
        self.settings = settings or SearchSettings()
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        # Remembered per (generation, …): a published generation never changes.
        self._keyword_runs: Remembered[tuple[str, str, int], list[tuple[int, float]]] = Remembered(KEYWORD_RUNS_KEPT)
        self._frequencies: Remembered[tuple[str, str], int] = Remembered(FREQUENCIES_KEPT)  # word → chunks
        self._term_usable: Remembered[tuple[str, str], bool] = Remembered(FREQUENCIES_KEPT)  # glossary term → usable
        self._subjects: Remembered[tuple[str, str], dict[str, float]] = Remembered(SUBJECTS_KEPT)  # doc → subject
        # word → the documents it names (`_holding_documents`)
        self._holders: Remembered[tuple[str, str], tuple[frozenset[str], bool]] = Remembered(FREQUENCIES_KEPT)
        self._slips: Remembered[tuple[str, str], bool] = Remembered(FREQUENCIES_KEPT)  # word → misspelling
        self._fixes: Remembered[tuple[str, str], list[str]] = Remembered(FREQUENCIES_KEPT)  # word → index words
        self._topics: Remembered[str, str | None] = Remembered(4)  # generation → the corpus's topic word
        self._sources: Remembered[str, frozenset[str]] = Remembered(4)  # generation → its source links' words
        self._long_forms: Remembered[tuple[str, str], str | None] = Remembered(FREQUENCIES_KEPT)  # short name → long
        self._medical = MedicalReader(embedder.embed)
        self.reload_error: str = ""

    def snapshot(self) -> Snapshot:
        """The live generation, re-opened when a reindex has published a new one."""
        with self._lock:
            name = read_current(self.kb_dir)
            if self._snapshot is None or (name is not None and name != self._snapshot.name):
                try:
                    self._snapshot = open_snapshot(
                        self.kb_dir, expected_model=self.embedder.name, expected_dimension=self.embedder.dimension
                    )
                    self.reload_error = ""
                except KnowledgeBaseError as error:
                    if self._snapshot is None:
                        raise
                    # Keep serving the generation we have; say why the new one was not taken.
                    self.reload_error = str(error)
            return self._snapshot

    def search(
        self,
        question: str,
        k: int = 5,
        mode: str = "hybrid",
        collections: list[str] | None = None,
        doc_ids: list[str] | None = None,
        highlight: bool = True,
        clock: StageClock | None = None,
    ) -> SearchResult:
        """The k best passages for a question (fewer if the filter allows fewer).

        `highlight=False` skips marking evidence sentences (evaluation does not look at them).
        A question longer than MAX_QUESTION_CHARS is cut to that length; the message says so.
        Keyword mode never embeds the question, so it needs no model. `clock` collects the
        seconds of each stage (embed, dense, keyword, fusion, rescore, passages, evidence).
        """
        if len(question) > MAX_QUESTION_CHARS:
            result = self.search(question[:MAX_QUESTION_CHARS], k, mode, collections, doc_ids, highlight, clock)
            note = (
                f"Only the first {MAX_QUESTION_CHARS:,} characters of the question were searched "
                f"(it has {len(question):,})."
            )
            return replace(result, message=f"{note} {result.message}".strip())
        if mode not in MODES:
            raise ConfigError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        if k < 1:
            raise ConfigError("the number of passages must be at least 1")
        snapshot = self.snapshot()
        if not question.strip():
            return SearchResult(
                question,
                mode,
                (),
                abstained=True,
                generation=snapshot.name,
                message="Type a question to search the knowledge base.",
            )
        clock = clock or _NO_CLOCK
        long_forms = self.long_forms(snapshot, question)
        # What is searched: "BEBRF (Benign Essential …)"; "eye lids" as "eyelids".
        asked = with_spelled_out(self.joined(snapshot, question), long_forms)
        query: np.ndarray | None = None  # what the chunks are ranked by
        own: np.ndarray | None = None  # the question's own reading: whether to answer, which sentence to mark
        embedded: dict[str, np.ndarray] = {}  # vectors of the words no chunk holds, for `subject_words`
        dense: list[tuple[int, float]] = []
        allowed = _allowed(snapshot, collections, doc_ids)
        best = 0.0
        refers = False  # the question refers to the knowledge base's topic without naming it
        with clock.stage("keyword"):
            terms = self.question_terms(snapshot, asked)
        if mode != "keyword":
            with clock.stage("embed"):  # with the words no chunk holds, read in the same batch (`subject_words`)
                batch, embedded = self._vectors(snapshot, [asked], [w for w in terms.missing if not drug_name(w)])
                vectors = batch[0]
                own, query = vectors
                refers = vectors.blended
            with clock.stage("dense"):
                dense = self.dense(snapshot, query, allowed)
                if vectors.blended:  # the question's own reading decides whether to answer: its best cosine
                    dense_own = self.dense(snapshot, own, allowed, pool=1)
                    best = dense_own[0][1] if dense_own else 0.0
                else:
                    best = dense[0][1] if dense else 0.0
        with clock.stage("keyword"):
            subjects = partial(self.subject_words, snapshot, read=query is not None, embedded=embedded)
            sources = self._sources.get(snapshot.name, lambda: source_words([d.source for d in snapshot.documents()]))
            names, absent = named_conditions(
                snapshot, asked, terms.missing, terms.common, self.frequencies, subjects, sources
            )
            # Read from the question as typed: "what is NSTA" asks what it is, not for the "…Association"
            # its long form names (read widened, it marked the whole address: a new user's trial).
            intent = read_intent(question, self.topic(snapshot))
            if intent.contact_lines_answer:  # an institution it names that no chunk holds (`proper_names`)
                absent = (*absent, *absent_names(question, partial(self.frequencies, snapshot)))
            spelt = {short.lower() for short in long_forms}  # held, as its long form
            unheld = {name.lower(): name for name in absent if name.lower() not in spelt}  # each once
            terms = replace(terms, missing=tuple(unheld.values()))
        passages: tuple[Passage, ...] = ()
        message = NO_ANSWER
        if terms.missing:
            message = f"No passage in the knowledge base {not_covered(terms.missing)}."
        covered = terms.coverage if query is None else terms.meant
        named = (
            query is not None
            and self.settings.rescue_above <= best < self.settings.answer_above
            and self.names_rare_subject(snapshot, asked, terms.counts, allowed)
        )
        itself = intent.itself  # the documents' own notes answer it
        if itself or not self.abstains(best, covered, keyword_only=query is None, refers=refers, named=named):
            ranked = self.ranking(
                snapshot, asked, query, mode, k, allowed, dense=dense, clock=clock, terms=terms, intent=intent
            )
            # The evidence answers the question as asked: its own vector marks the sentence.
            passages = self._passages(snapshot, ranked, k, intent, own, terms if highlight else None, clock)
        note = ""
        if other_language(asked):  # its words matched by chance, if at all: that, not which were missing
            note = f"{IN_ENGLISH}: these passages may not answer a question in another language." if passages else ""
            message = f"{IN_ENGLISH}: please ask in English."
        elif passages and terms.missing:
            note = f"No passage {not_covered(terms.missing)}; these are the nearest passages."
        elif passages and itself:  # asked about the documents themselves: weak unless a note of one comes first
            note = "" if is_document_note(passages[0].text) else WEAK_MATCH
        elif passages and self.answered_by_reference(best, covered, refers):
            note = WEAK_MATCH  # answered only because it asks about "it": say how weakly
        elif passages:
            passing = passing_conditions(snapshot, names, {*terms.rarity}, asked)
            helped = (
                ()
                if passing or intent.contact_lines_answer
                else organisation_conditions(snapshot, names, set(terms.rarity) - terms.common)
            )
            unmentioned = () if passing or helped else unmentioned_conditions(names, passages)
            if passing:
                listed = [name for name in names if name.written in passing]
                passages, where = self.with_listing(
                    snapshot, passages, ranked, listed, allowed, k, intent, own, terms if highlight else None
                )
                note = (
                    f"No passage is about {', '.join(passing)}: the knowledge base only lists it among others"
                    f"{f' (passage {where})' if where else ''}. These are the nearest passages."
                )
            elif helped:
                note = (
                    f"No passage is about {', '.join(helped)}: the knowledge base only names it in an "
                    "organisation's name. These are the nearest passages."
                )
            elif unmentioned:
                note = f"None of these passages mentions {', '.join(unmentioned)}; they are the nearest ones."
            elif not intent.contact and (aspects := unanswered_aspects(asked, passages, terms.informative)):
                note = aspect_note(aspects)
        return SearchResult(
            question=question,
            mode=mode,
            passages=passages,
            abstained=not passages,
            message="" if passages else message,
            missing=terms.missing,
            note=note,
            best_similarity=best,
            coverage=terms.coverage,
            terms=tuple(terms.informative),
            generation=snapshot.name,
        )

    def with_listing(
        self,
        snapshot: Snapshot,
        passages: tuple[Passage, ...],
        ranked: list[tuple[int, float]],
        listed: list[NamedCondition],
        allowed: set[int] | None,
        k: int,
        intent: Intent,
        own: np.ndarray | None,
        terms: QuestionTerms | None,
    ) -> tuple[tuple[Passage, ...], int | None]:
        """The passages, one of which lists a name the knowledge base only lists, with that list's
        sentence marked (when `terms` asks for marks), and that passage's rank (None if no chunk the
        filter allows lists it): the note says the name is only listed, and the reader should see the
        list (a new user's trial: "i had a stroke and now my arm twists" was told so, and the list
        was at rank 8). When none of them lists it, the best chunk that does
        (`conditions.listing_chunks`) takes the last place."""

        def first_at(text: str) -> int | None:
            return next((at for name in listed if (at := listed_at(name, text)) is not None), None)

        ats = [first_at(p.text) for p in passages]
        if all(at is None for at in ats):
            for name in listed:
                if holders := listing_chunks(snapshot, name, allowed):
                    scored = [(holders[0], dict(ranked).get(holders[0], 0.0))]
                    kept = passages[: k - 1] if len(passages) >= k else passages
                    passages = (*kept, *self._passages(snapshot, scored, 1, intent, own, terms))
                    ats = [*ats[: len(kept)], *(first_at(p.text) for p in passages[len(kept) :])]
                    break
        where = next((i for i, at in enumerate(ats) if at is not None), None)
        shown = list(passages)
        if where is not None and terms is not None:
            p, at = shown[where], ats[where]
            if at is not None and not (p.highlight and p.highlight[0] <= at < p.highlight[1]):
                shown[where] = self._marked_at(snapshot, p, p.char_start + at)
        ranked_passages = tuple(replace(p, rank=rank) for rank, p in enumerate(shown, start=1))
        return ranked_passages, None if where is None else where + 1

    def _marked_at(self, snapshot: Snapshot, p: Passage, at: int) -> Passage:
        """The passage with the stored sentence unit holding document offset `at` marked, and its page."""
        rows = snapshot.chunks(list(p.chunk_ids))
        for chunk_id, units in snapshot.units_of(list(p.chunk_ids)).items():
            for _, start, end in units:
                if start <= at < end and p.char_start <= start and end <= p.char_end:
                    page = rows[chunk_id].page if chunk_id in rows and rows[chunk_id].page else p.page
                    return replace(p, highlight=(start - p.char_start, end - p.char_start), page=page)
        return p

    def subject_words(
        self, snapshot: Snapshot, words: list[str], read: bool, embedded: dict[str, np.ndarray] | None = None
    ) -> list[bool]:
        """For each word no chunk holds: does it name a subject (`medical_words`)? A misspelling of an
        index word does not; with `read` (the model is loaded: not in keyword mode), the model must
        also read the word as medical (from its vector in `embedded`, computed with the question's,
        when there); without the model, only a word of many pieces names one."""
        slips = [self._misspelt(snapshot, word) for word in words]
        unsure = [word for word, slip in zip(words, slips) if not slip]
        if not read:  # by its form alone: a word of many pieces
            return [not slip and pieces(word) >= MIN_SUBJECT_PIECES for word, slip in zip(words, slips)]
        medical = dict(zip(unsure, self._medical.medical(unsure, embedded)))
        return [not slip and medical[word] for word, slip in zip(words, slips)]

    def _misspelt(self, snapshot: Snapshot, word: str) -> bool:
        """`medical_words.misspelt` (one query of ~300-650 candidates), or written solid for two index
        words in a row ("antipsychotics": `split_compound`, a phrase query per split), remembered per
        generation."""

        def slip() -> bool:
            return misspelt(word, snapshot.any_word_occurs) or bool(split_compound(snapshot, word))

        return self._slips.get((snapshot.name, word), slip)

    def long_forms(self, snapshot: Snapshot, question: str) -> dict[str, str]:
        """The question's short names the index spells out (`acronyms`), with their long forms: the
        search reads "BEBRF phone" as "BEBRF (Benign Essential Blepharospasm Research Foundation)
        phone". A short name is written in capitals, or is no word of the model's vocabulary ("bebrf")."""
        found: dict[str, str] = {}
        for word in candidates(question):
            if word.isupper() or not _whole_word(word.lower()):
                key = (snapshot.name, word.lower())
                if long := self._long_forms.get(key, partial(self._long_form, snapshot, word.lower())):
                    found[word] = long
        return found

    def _long_form(self, snapshot: Snapshot, short: str) -> str | None:
        """The long form a chunk holding `short` (as a word, or the start of one: "NSTAmail@aol.com")
        spells out, or defines it by in brackets, when at most `rare_chunks` chunks hold it: a name more
        use is known by itself. ("what is CSF" was refused: the model reads the letters as nothing.)"""
        holders = snapshot.keyword_search(f"{short}*", self.settings.rare_chunks + 1)
        if not holders or len(holders) > self.settings.rare_chunks:
            return None
        chunks = snapshot.chunks([i for i, _ in holders]).values()
        own = re.compile(rf"\b{re.escape(short)}", re.IGNORECASE)
        for chunk in chunks:
            if own.search(chunk.text) and (long := spelled_out(chunk.text, short)):
                return long
        # "cerebrospinal fluid (CSF)": the text says what it stands for. Only a term in lower case, a
        # thing the model knows by its words; a capitalised one is a name the run above reads (with
        # more holders allowed, DDON and HMDPC were spelt out this way, and tune3's answers fell).
        if long := next((long for chunk in chunks if (long := defined(chunk.text, short)) and long[0].islower()), None):
            return long
        # One of a condition's other names ("Other names: RDP; DYT12; …"), whole, in one document only:
        # it stands for the title. "RDP triggers" read as nothing to the model (best cosine 0.13) and was
        # refused (a new user's trial). Held by two documents ("XDP"), their titles differ: neither is read.
        if len({chunk.doc_id for chunk in chunks}) > 1:
            return None
        return next(
            (chunk.title for chunk in chunks if short in {name.lower() for name in other_names(chunk.text)}),
            None,
        )

    def dense_text(self, snapshot: Snapshot, question: str) -> str:
        """What the question's vector is computed from: the question with each misspelt word that has
        one correction spelt right (the model reads "stres" as pieces of nothing: "stress" is what
        was meant), plus glossary terms if set so."""
        if self.settings.model_spelling:
            question = self._spelt_right(snapshot, question)
        if self.settings.glossary not in ("dense", "both"):
            return question
        terms = self._glossary_terms(snapshot, question)
        return f"{question} ({'; '.join(terms)})" if terms else question

    def question_vectors(self, snapshot: Snapshot, questions: list[str]) -> list[QuestionVectors]:
        """Each question's own vector (of `dense_text`), which decides whether to answer, and the
        vector it is ranked by: the same one, or, when the question refers to the knowledge base's
        topic without naming it (`topic.with_topic`), its blend with the vector of the question
        naming it, by `topic_blend`. One batch for all of them."""
        return self._vectors(snapshot, questions, [])[0]

    def _vectors(
        self, snapshot: Snapshot, questions: list[str], words: list[str]
    ) -> tuple[list[QuestionVectors], dict[str, np.ndarray]]:
        """`question_vectors`, and the vectors of `words` for the medical reader (`subject_words`),
        in the same batch: a second call of the model took ~2 ms a search."""
        texts = [self.dense_text(snapshot, q) for q in questions]
        topic = self.topic(snapshot) if self.settings.topic_blend else None
        about = [with_topic(text, topic) for text in texts]
        extra = [text for text in about if text]
        words = list(dict.fromkeys(words))
        vectors = self.embedder.embed(texts + extra + words)
        embedded = dict(zip(words, vectors[len(texts) + len(extra) :]))
        share = self.settings.topic_blend
        pairs: list[QuestionVectors] = []
        at = len(texts)
        for own, reading in zip(vectors[: len(texts)], about):
            if reading is None:
                pairs.append(QuestionVectors(own, own))
                continue
            blend = (1 - share) * own + share * vectors[at]
            at += 1
            pairs.append(QuestionVectors(own, (blend / max(float(np.linalg.norm(blend)), 1e-12)).astype(own.dtype)))
        return pairs, embedded

    def topic(self, snapshot: Snapshot) -> str | None:
        """The knowledge base's topic word (`topic.corpus_topic`), remembered per generation."""

        def find() -> str | None:
            limit = max(snapshot.manifest.chunks, 1) / COMMON_SHARE_INVERSE
            titles = snapshot.titles(TOPIC_TITLES)
            return corpus_topic(titles, lambda word: self.frequencies(snapshot, [word])[word] > limit)

        return self._topics.get(snapshot.name, find)

    def joined(self, snapshot: Snapshot, question: str) -> str:
        """The question with two words in a row written solid where one of them is in no chunk and,
        together, they are a word the index holds or the glossary knows: "eye lids closing" was refused
        (no chunk holds "lids"; "eyelids" is the glossary's cue for blepharospasm: a new user's trial)."""
        # Whole words of letters, neither a stopword ("for me" is not "forme") nor part of "e45".
        written = [m for m in re.finditer(r"(?<!\w)[A-Za-z]{2,}(?!\w)", question) if m.group().lower() not in STOPWORDS]
        if len(written) < 2:
            return question
        counts = self.frequencies(snapshot, list(dict.fromkeys(m.group().lower() for m in written)))
        pieces: list[str] = []
        at = 0
        for first, second in zip(written, written[1:]):
            solid = (first.group() + second.group()).lower()
            between = question[first.end() : second.start()]
            if (
                first.start() < at
                or between not in (" ", "-")
                or all(counts[m.group().lower()] for m in (first, second))
            ):
                continue
            if solid in cue_words() or self.frequencies(snapshot, [solid])[solid]:
                pieces += [question[at : first.start()], first.group() + second.group()]
                at = second.end()
        return "".join(pieces) + question[at:] if pieces else question

    def _spelt_right(self, snapshot: Snapshot, question: str) -> str:
        """The question with every word no chunk holds that has exactly one correction replaced by it."""
        counts = self.frequencies(snapshot, query_terms(question))
        fixes = {w: self._corrections(snapshot, w) for w, n in counts.items() if n == 0}
        single = {w: found[0] for w, found in fixes.items() if len(found) == 1}
        if not single:
            return question
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, single)) + r")\b", re.IGNORECASE)
        return pattern.sub(lambda m: single[m.group(1).lower()], question)

    def keyword_terms(self, snapshot: Snapshot, question: str) -> list[str]:
        """Glossary terms whose words keyword search looks for beside the question's, if set so."""
        return self._keyword_glossary(self._glossary_terms(snapshot, question))

    def _also(self, terms: QuestionTerms) -> list[str]:
        """What keyword search looks for beside the question's words: its glossary terms (if set so)
        and the corrections of its misspelt words."""
        return [*self._keyword_glossary(list(terms.glossary)), *terms.corrections]

    def _keyword_glossary(self, glossary: list[str]) -> list[str]:
        return glossary if self.settings.glossary in ("keyword", "both") else []

    def question_terms(self, snapshot: Snapshot, question: str) -> QuestionTerms:
        """What the index says about the question's words, the glossary terms it cues and the index
        words its misspelt words stand for (looked up once per search: ranking, the rare-term pin
        and the evidence all use them)."""
        terms = _question_terms(snapshot, question, self.frequencies)
        fixes = {w: self._corrections(snapshot, w) for w, n in terms.counts.items() if n == 0}
        corrections = list(dict.fromkeys(fix for found in fixes.values() for fix in found))
        glossary = self._glossary_terms(snapshot, question) if self.settings.glossary else []
        places = postal_codes(question)
        if not glossary and not corrections and not places:
            return terms
        words = list(dict.fromkeys(w for t in glossary for w in query_terms(t)))
        codes = [place.code.lower() for place in places]
        counts = self.frequencies(snapshot, [*words, *corrections, *codes])
        # A state named as addresses write it ("california": "CA 92708"), when the index holds the code.
        places = [place for place, code in zip(places, codes) if 0 < counts[code] < QUERY_CAP]
        corrections += [place.code.lower() for place in places]
        total = max(snapshot.manifest.chunks, 1)
        # Evidence counts glossary words as question words at EVIDENCE_GLOSSARY_SHARE of their weight,
        # and a misspelt word's correction or a state's code at the full weight (it is the question's own word).
        widened = {w: EVIDENCE_GLOSSARY_SHARE * _rarity(counts[w], total) for w in words if counts[w]}
        widened.update({w: _rarity(counts[w], total) for w in corrections if counts[w]})
        # A misspelt word or a state's name counts as held in every mode; glossary cues only where the model reads too.
        named = {word for place in places for word in place.words}
        fixed = frozenset(stem(w) for w, found in fixes.items() if found) | {stem(w) for w in named}
        coverage = _coverage(terms.rarity, terms.counts, fixed) if fixed else terms.coverage
        translated = cue_stems(question, set(glossary)) | fixed
        meant = _coverage(terms.rarity, terms.counts, translated) if translated else coverage
        searchable = tuple(w for w in corrections if 0 < counts[w] < QUERY_CAP)  # as `_glossary_terms` does
        return replace(
            terms,
            glossary=tuple(glossary),
            corrections=searchable,
            widened=widened,
            coverage=coverage,
            meant=meant,
            missing=tuple(w for w in terms.missing if w not in named),
        )

    def _corrections(self, snapshot: Snapshot, word: str) -> list[str]:
        """The index words a word no chunk holds is one letter away from ("alchohol": "alcohol"), when
        it is long enough to be a misspelling (`medical_words.misspelt`) and not a word of the model's
        vocabulary (a real word: "leaving" is not "leading", "county" not "country"); else the two
        words in a row it is written solid for (`split_compound`: "antipsychotics" for "anti-psychotic");
        remembered per generation."""

        def held() -> list[str]:
            if len(word) >= MIN_MISSPELT_LETTERS and word.isalpha() and not _whole_word(word):
                close = sorted(snapshot.words_held(one_letter_away(word)))[:MAX_CORRECTIONS]
                if close:
                    return close
            return split_compound(snapshot, word)

        return self._fixes.get((snapshot.name, word), held)

    def _glossary_terms(self, snapshot: Snapshot, question: str) -> list[str]:
        """The glossary terms the question cues that this generation holds, with no word so common
        that matching it would scan a large share of the index (each term looked up once)."""

        def usable(term: str) -> bool:
            words = query_terms(term)  # the words keyword search will look for
            counts = self.frequencies(snapshot, words) if words else {}
            rare_enough = bool(words) and all(0 < counts.get(w, 0) < QUERY_CAP for w in words)
            return rare_enough and snapshot.phrase_occurs(term_words(term))

        return [
            term
            for term in glossary_terms(question)
            if self._term_usable.get((snapshot.name, term), partial(usable, term))
        ]

    def abstains(
        self,
        best_similarity: float,
        coverage: float,
        keyword_only: bool = False,
        refers: bool = False,
        named: bool = False,
    ) -> bool:
        """True when nothing in the index is close enough to the question to answer it. Keyword mode
        has no similarity: it answers when `keyword_coverage` of the question (by rarity) is in the index.
        A question that refers to the knowledge base's topic without naming it ("can it come on
        suddenly, like within a day or so?": `topic.with_topic`) is taken at `rescue_above`, like one
        whose words the index nearly all holds: "it" tells the model nothing, so its own reading
        scores low (0.199 here), and a knowledge base's user asking about "it" means its subject.
        Tuning sets: tune4's refused answerable questions 5 → 4 of 60; no other figure changed.
        A question that names something only a few passages hold (`named`: `names_rare_subject`) is
        taken at `rescue_above` too: tune4's refusals 4 → 3, nothing else changed."""
        s = self.settings
        if keyword_only:
            return coverage < s.keyword_coverage
        if best_similarity >= s.answer_above:
            return False
        if best_similarity >= s.rescue_above and (coverage >= s.rescue_coverage or named):
            return False
        return not self.answered_by_reference(best_similarity, coverage, refers)

    def names_rare_subject(
        self, snapshot: Snapshot, question: str, counts: dict[str, int], allowed: set[int] | None = None
    ) -> bool:
        """True when the question names something (a capitalised word, not its first) that at most
        `rare_chunks` chunks hold, one of them in its text rather than in an address or a document's
        own note: "the Duke people apparently built some new lab model out of cells?" (the news
        item's Duke University) reads as little to the model (best cosine 0.207) but is about what
        the knowledge base holds. "Is the Bronx Zoo open on Sundays?" names an address's borough and
        "Is Cleveland Clinic good for heart surgery?" a disclaimer's publisher: neither counts.
        A word typed in lower case counts when the chunks holding it always write it capitalised
        ("what did duke researchers discover" was refused, a new user's trial; tuning: tune4's refused
        answerable questions 2 → 1 of 60, nothing else moved). Counting any word that few chunks hold
        answered "How long does a broken arm take to heal?" (tuning sets): "broken" is written so."""
        first = re.match(r"\W*(\w+)", question)
        names = {
            word
            for match in _NAME.finditer(question)
            if (word := match.group()) != "I" and not (first and match.start() == first.start(1))
        }
        typed_low = set(re.findall(r"\b[a-z]{3,}\b", question))
        for name in (n for n in names | typed_low if 0 < counts.get(n.lower(), 0) <= self.settings.rare_chunks):
            holders = _only(snapshot.keyword_search(f'"{name.lower()}"', self.settings.rare_chunks), allowed)
            chunks = snapshot.chunks([i for i, _ in holders]).values()
            if name.islower():  # a name typed in lower case, if the chunks never write it so
                if any(re.search(rf"\b{name}\b", chunk.text) for chunk in chunks):
                    continue
                name = name.capitalize()
            written = re.compile(rf"\b{re.escape(name)}\b")  # the name itself, not a word of its stem ("clinical")
            for chunk in chunks:
                if written.search(chunk.text) and not is_contact_entry(chunk.text) and not is_document_note(chunk.text):
                    return True
        return False

    def answered_by_reference(self, best_similarity: float, coverage: float, refers: bool) -> bool:
        """True when only the question's reference to the topic ("it") keeps it from abstaining
        (`abstains`): then the passages are said to match weakly (`WEAK_MATCH`)."""
        s = self.settings
        return refers and s.rescue_above <= best_similarity < s.answer_above and coverage < s.rescue_coverage

    def dense(
        self, snapshot: Snapshot, query: np.ndarray, allowed: set[int] | None = None, pool: int | None = None
    ) -> list[tuple[int, float]]:
        """Nearest chunks by cosine, best first, within the filter."""
        return snapshot.dense_search(query, pool or self.settings.candidates, within=allowed)

    def rank(
        self,
        snapshot: Snapshot,
        question: str,
        query: np.ndarray | None,
        mode: str,
        allowed: set[int] | None = None,
        pool: int | None = None,
        dense: list[tuple[int, float]] | None = None,
        clock: StageClock = _NO_CLOCK,
        counts: dict[str, int] | None = None,
        also: list[str] | None = None,
    ) -> list[tuple[int, float]]:
        """Chunks ranked by the mode: dense, keyword (BM25) or their fusion; best first.
        `query` (the question's vector) may be None only in keyword mode; `counts` are the question
        words' capped chunk counts and `also` the glossary terms for keyword search, when the caller
        has them."""
        pool = pool or self.settings.candidates
        if mode != "keyword" and dense is None:
            if query is None:
                raise ValueError(f"{mode} search needs the question's vector")
            with clock.stage("dense"):
                dense = self.dense(snapshot, query, allowed, pool)
        keyword: list[tuple[int, float]] = []
        if mode != "dense":
            limit = _keyword_limit(allowed, pool)
            with clock.stage("keyword"):
                if counts is None:
                    counts = self.frequencies(snapshot, query_terms(question))
                if also is None:
                    also = self.keyword_terms(snapshot, question)
                match = fts_query(question, counts, QUERY_CAP, also, self.families(snapshot, counts))
                keyword = _only(self._keyword(snapshot, match, limit), allowed)[:pool]
        with clock.stage("fusion"):
            return self._rank(mode, (dense or [])[:pool], keyword)

    def ranking(
        self,
        snapshot: Snapshot,
        question: str,
        query: np.ndarray | None,
        mode: str,
        k: int,
        allowed: set[int] | None = None,
        pool: int | None = None,
        dense: list[tuple[int, float]] | None = None,
        clock: StageClock = _NO_CLOCK,
        terms: QuestionTerms | None = None,
        intent: Intent | None = None,
    ) -> list[tuple[int, float]]:
        """The chunks a search takes its k passages from, best first: `rank`, then in hybrid mode
        the sentence-unit rescoring and the rare-term pin. Evaluation ranks through this too."""
        terms = terms or self.question_terms(snapshot, question)
        intent = intent or read_intent(question, self.topic(snapshot))
        also = self._also(terms)
        ranked = self.rank(
            snapshot, question, query, mode, allowed, pool, dense=dense, clock=clock, counts=terms.counts, also=also
        )
        if intent.itself:
            ranked = self._with_notes(snapshot, ranked, allowed)
        if query is not None and mode == "hybrid":
            with clock.stage("rescore"):
                ranked = self._rescore(snapshot, ranked, query)
                ranked = self._favour_subjects(snapshot, question, ranked, terms, form_numbers(question))
                ranked = self._favour_kinds(snapshot, ranked, intent, terms)
                ranked = self._pin_rare(snapshot, question, ranked, terms, allowed, k)
        return ranked

    def frequencies(self, snapshot: Snapshot, words: list[str]) -> dict[str, int]:
        """In how many chunks each word occurs (counted up to ROW_CAP), remembered per generation: a
        published generation never changes, and counting a common word walks up to ROW_CAP rows."""
        found = {word: count for (_, word), count in self._frequencies.known((snapshot.name, w) for w in words).items()}
        todo = [w for w in words if w not in found]
        if todo:
            counted = snapshot.chunk_frequencies(todo, ROW_CAP)
            found.update(counted)
            self._frequencies.remember({(snapshot.name, word): count for word, count in counted.items()})
        return {w: found[w] for w in words}

    def families(self, snapshot: Snapshot, counts: dict[str, int]) -> frozenset[str]:
        """The question words keyword search looks for as their word family (`keyword.fts_query`):
        those whose family is in at least `family_ratio` times as many chunks ("treated": 1 chunk
        of the default corpus; "treat…", with "treatment" and "treatments": 22). The keyword index's
        stemmer leaves "treated" and "treatment" apart, so "how is dystonia treated?" found only the
        one passage saying "treated" (a diagnosis section) and put it first."""
        ratio = self.settings.family_ratio
        words = [w for w, n in counts.items() if ratio and n < QUERY_CAP and family_word(w)]
        if not words:
            return frozenset()
        keys = [f"{w}*" for w in words]  # no word holds "*": these keys never meet a word's own count
        found = {key: n for (_, key), n in self._frequencies.known((snapshot.name, k) for k in keys).items()}
        todo = [w for w, key in zip(words, keys) if key not in found]
        if todo:
            counted = snapshot.family_frequencies(todo, QUERY_CAP)
            found.update({f"{w}*": n for w, n in counted.items()})
            self._frequencies.remember({(snapshot.name, f"{w}*"): n for w, n in counted.items()})
        return frozenset(w for w in words if found[f"{w}*"] >= ratio * max(counts[w], 1) and found[f"{w}*"] < QUERY_CAP)

    def _keyword(self, snapshot: Snapshot, match: str, limit: int) -> list[tuple[int, float]]:
        """BM25 run of an FTS5 expression, remembered per generation (a published generation never
        changes): ranking and rare-term pinning share one query, and repeated questions cost none."""
        return self._keyword_runs.get((snapshot.name, match, limit), lambda: snapshot.keyword_search(match, limit))

    def _rank(self, mode: str, dense: list[tuple[int, float]], keyword: list[tuple[int, float]]):
        s = self.settings
        if mode == "dense":
            return dense
        if mode == "keyword":
            return keyword
        runs, weights = [dense, keyword], [s.dense_weight, s.keyword_weight]
        if s.fusion == "score":
            return score_fusion(runs, weights)
        return reciprocal_rank_fusion(runs, weights, k=s.rrf_k)

    def _rescore(self, snapshot: Snapshot, ranked: list[tuple[int, float]], query: np.ndarray):
        """Add to each top chunk's fused score the weighted cosine of its best stored sentence unit."""
        depth, weight = self.settings.rescore_depth, self.settings.unit_weight
        top = ranked[:depth]
        units = snapshot.units_of([chunk_id for chunk_id, _ in top])
        ids = [unit_id for found in units.values() for unit_id, _, _ in found]
        similarity = dict(zip(ids, snapshot.unit_similarities(ids, query).tolist()))
        best = {c: max((similarity[u] for u, _, _ in units.get(c, [])), default=0.0) for c, _ in top}
        scale = max(max(best.values(), default=0.0), 1e-6)
        rescored = sorted(((c, s + weight * max(best[c], 0.0) / scale) for c, s in top), key=lambda item: -item[1])
        return rescored + ranked[depth:]

    def _favour_subjects(
        self,
        snapshot: Snapshot,
        question: str,
        ranked: list[tuple[int, float]],
        terms: QuestionTerms,
        numbers: set[str],
    ):
        """Add to each top chunk's score what its document's title says about fitting the question: the
        share of the title's subject words the question holds, or `general_share` for a general
        document (`named_topic_share` when the question names the topic itself and nothing narrower
        that a top title holds); the whole share for a document the question names by a short name only it holds
        (`_anchors`, in a knowledge base with a topic). Without a general document among the top
        chunks (a corpus with no common topic, such as SciFact's papers, has none) only named
        documents gain."""
        depth, weight = self.settings.rescore_depth, self.settings.subject_weight
        if not weight:
            return ranked
        top = ranked[:depth]
        owners = snapshot.chunk_titles([chunk_id for chunk_id, _ in top])
        subjects = {doc_id: self._subject(snapshot, doc_id, title) for doc_id, title in set(owners.values())}
        # Named documents count in a knowledge base with a topic (its condition's pages); with none
        # (SciFact's papers) they moved nDCG@10 0.7371 → 0.7349.
        on_topic = self.settings.anchor_chunks and self.topic(snapshot) is not None
        anchors = self._anchors(snapshot, question, terms) if on_topic else set()
        if all(subjects.values()) and not anchors:
            return ranked
        general = not all(subjects.values())
        # A number counts only as a form's name (`numbers`): "my 8 year old son" is not "Dystonia 8".
        timing = symptom_timing_words(question)
        asked = asked_stems(
            [w for w in [*terms.rarity, *terms.widened] if (not w.isdigit() or w in numbers) and w not in timing]
        )

        topic = self.topic(snapshot)
        narrower = any(subject_match(subject, asked) for subject in subjects.values() if subject)
        share = self.settings.general_share
        if topic and names_topic(question, topic) and not narrower and not anchors:
            share = self.settings.named_topic_share

        def fit(chunk_id: int) -> float:
            doc_id = owners.get(chunk_id, ("", ""))[0]
            if doc_id in anchors:
                return 1.0
            subject = subjects.get(doc_id)
            if subject is None or not general:
                return 0.0
            return subject_match(subject, asked) if subject else share

        rescored = sorted(((c, s + weight * fit(c)) for c, s in top), key=lambda item: -item[1])
        return rescored + ranked[depth:]

    def _anchors(self, snapshot: Snapshot, question: str, terms: QuestionTerms) -> set[str]:
        """The documents a question names by a short name or symbol only they hold, in at most
        `anchor_chunks` chunks, all in at most ANCHOR_DOCUMENTS documents (not counting organisations'
        entries and documents' notes): a word typed in capitals or letters with digits ("DRD", "dyt12"), or
        one a holder lists among its subject's other names ("lubag"). "DRD prevalence" names
        dopa-responsive dystonia; "prevalence", in every condition's page, must not choose the
        condition (a new user's trial got "The prevalence of HMDPC is unknown."). Any rare word did
        not do: everyday words few pages hold ("neurologist", "insulation") moved tuning answers down."""
        limit = self.settings.anchor_chunks
        # Typed as a name: two capitals ("DRD") or letters with digits ("dyt12"); not a bare number ("my 15 yr old").
        typed = {w.lower() for w in re.findall(r"\w+", question) if _TYPED_AS_NAME.search(w)}
        found: set[str] = set()
        for word, count in terms.counts.items():
            if 0 < count <= limit and INDEX_WORD.fullmatch(word):
                key = (snapshot.name, word)
                docs, listed = self._holders.get(key, partial(self._holding_documents, snapshot, word))
                if word in typed or listed:
                    found |= docs
        return found

    def _holding_documents(self, snapshot: Snapshot, word: str) -> tuple[frozenset[str], bool]:
        """The documents whose text (not an organisation's entry or a note) holds `word`, when at most
        `anchor_chunks` chunks in at most ANCHOR_DOCUMENTS documents do (else none), and whether one
        lists it among its subject's other names."""
        limit = self.settings.anchor_chunks
        holders = self._keyword(snapshot, f'"{word}"', limit + 1)
        if len(holders) > limit:
            return frozenset(), False
        rows = [r for r in snapshot.chunks([c for c, _ in holders]).values() if not is_contact_entry(r.text)]
        rows = [r for r in rows if not is_document_note(r.text)]
        docs = frozenset(r.doc_id for r in rows)
        if len(docs) > ANCHOR_DOCUMENTS:
            return frozenset(), False
        named = unit_words(word)
        return docs, any(named <= unit_words(name) for r in rows for name in other_names(r.text))

    def _subject(self, snapshot: Snapshot, doc_id: str, title: str) -> dict[str, float]:
        """A document's title subject words (stem → rarity), without the corpus's common words;
        remembered per generation. Empty for a general document."""

        def subject() -> dict[str, float]:
            words = title_subject(title)
            counts = self.frequencies(snapshot, words) if words else {}
            total = max(snapshot.manifest.chunks, 1)
            limit = total / COMMON_SHARE_INVERSE
            return {
                root: max(_rarity(counts[w], total), 1e-6)
                for w in words
                if 0 < counts[w] <= limit
                for root in asked_stems([w])
            }

        return self._subjects.get((snapshot.name, doc_id), subject)

    def _favour_kinds(self, snapshot: Snapshot, ranked: list[tuple[int, float]], intent: Intent, terms: QuestionTerms):
        """Reweigh the top chunks by what kind of text they are. Contact entries (`ingest.records`:
        an organisation's name, address, phone) gain `contact_weight` for a question asking for an
        organisation, keep their score for one asking how to reach someone, and lose it for any
        other question: "is it contagious?" is not answered by a street address. For an
        organisation question an entry that names what the question is about (its words, or the
        glossary's: "eyelids" is "blepharospasm") gains `subject_entry_weight` more: the
        organisation for that, not merely an organisation. A document's own note (`ingest.notes`:
        source, disclaimer, review date) gains `note_weight` for a question about the source and
        loses it for any other. Any other chunk holding a sentence of the shape the question asks
        for (`intents.answer_shape`: a duration, an age, a gene...) gains `shape_weight`; here only
        the shape's pattern counts: a chunk saying no further gene has been found is still about the
        gene (with the exclusion too, the passage holding "caused by mutations in the ATP1A3 gene"
        fell from first to second for two of three tuning questions)."""
        settings = self.settings
        subject: set[str] = set()
        if intent.organisation:
            entry_change = settings.contact_weight
            subject = _entry_subject(terms)
        elif intent.contact:
            entry_change = 0.0
        else:
            entry_change = -settings.contact_weight
        note_change = settings.note_weight if intent.source else -settings.note_weight
        list_change = 0.0 if intent.reading else -settings.list_weight
        shape = intent.shape if settings.shape_weight and intent.shape is not None and intent.shape.ranks else None
        if not entry_change and not note_change and not list_change and shape is None:
            return ranked
        top = ranked[: settings.rescore_depth]
        rows = snapshot.chunks([chunk_id for chunk_id, _ in top])
        # Neither asked: an entry whose address alone holds a question word ("driving": "Wacker Drive")
        # loses what keyword search gave it too (a new user's trial ranked that entry first).
        address_only = unit_words(" ".join(terms.informative)) if entry_change < 0 else set()
        changes = {
            c: entry_change
            + _subject_gain(row.text, subject, settings.subject_entry_weight)
            - (settings.keyword_weight if _address_only(row.text, address_only) else 0.0)
            if is_contact_entry(row.text)
            else note_change
            if is_document_note(row.text)
            else list_change
            if is_reference_list(row.text)
            else settings.shape_weight
            if shape is not None and shape.pattern.search(row.text)
            else 0.0
            for c, row in rows.items()
        }
        if not any(changes.values()):
            return ranked
        rescored = sorted(((c, s + changes.get(c, 0.0)) for c, s in top), key=lambda item: -item[1])
        return rescored + ranked[len(top) :]

    def _with_notes(self, snapshot: Snapshot, ranked: list[tuple[int, float]], allowed: set[int] | None):
        """For a question about the documents themselves, their notes (source line, credit, review date)
        among the candidates at the best score, whatever the question's words: "who is the author" or
        "last updated" reads as nothing to the model and matches no note's words, and ranked
        organisations' entries first (a new user's trial)."""
        found = [c for c, _ in snapshot.keyword_search(_NOTE_CUES, NOTE_CANDIDATES) if allowed is None or c in allowed]
        rows = snapshot.chunks(found)
        notes = [c for c in found if c in rows and is_document_note(rows[c].text)]
        if not notes:
            return ranked
        top, chosen = (ranked[0][1] if ranked else 1.0), set(notes)
        return [(c, top) for c in notes] + [(c, s) for c, s in ranked if c not in chosen]

    def _pin_rare(self, snapshot: Snapshot, question: str, ranked, terms: QuestionTerms, allowed, k: int):
        """Keep in the top k the chunk keyword search ranks first when it holds a rare question word."""
        families = self.families(snapshot, terms.counts)
        # A rare form of a common word family ("treated") is no rare term.
        rare = [t for t, n in terms.counts.items() if 0 < n <= self.settings.rare_chunks and t not in families]
        if not rare:
            return ranked
        # The same expression and limit as `rank`'s keyword run, so this is the remembered run.
        match = fts_query(question, terms.counts, QUERY_CAP, self._also(terms), families)
        keyword = _only(self._keyword(snapshot, match, _keyword_limit(allowed, self.settings.candidates)), allowed)[:20]
        if not keyword:
            return ranked
        first = keyword[0][0]
        holders = {i for term in rare for i, _ in snapshot.keyword_search(f'"{term}"', self.settings.rare_chunks)}
        position = next((i for i, (c, _) in enumerate(ranked) if c == first), None)
        if first not in holders or (position is not None and position < k):
            return ranked
        rest = [item for item in ranked if item[0] != first]
        anchor = rest[k - 2][1] if k >= 2 and len(rest) >= k - 1 else (rest[0][1] if rest else 1.0)
        return [*rest[: k - 1], (first, anchor), *rest[k - 1 :]]

    def _passages(
        self,
        snapshot: Snapshot,
        ranked,
        k: int,
        intent: Intent,
        query: np.ndarray | None,
        terms: QuestionTerms | None,
        clock: StageClock = _NO_CLOCK,
    ) -> tuple[Passage, ...]:
        """Merge and de-duplicate the best chunks until k passages stand, drop the far weaker ones,
        then rank them and mark each one's evidence sentence."""
        with clock.stage("passages"):
            passages, rows, texts = self._merged(snapshot, ranked, k)
        with clock.stage("evidence"):
            units = snapshot.units_of([chunk_id for p in passages for chunk_id in p.chunk_ids])
            templates = self._templates(snapshot, passages, units, texts)
            passages = [self._trimmed(p, units, texts[p.doc_id], templates) for p in passages]
            if terms is not None:
                passages = [
                    self._evidence(snapshot, p, units, rows, texts, query, terms, intent, templates) for p in passages
                ]
        return tuple(replace(p, rank=rank) for rank, p in enumerate(passages, start=1))

    def _trimmed(
        self, p: Passage, units: dict[int, list[tuple[int, int, int]]], text: str, templates: set[str]
    ) -> Passage:
        """The passage without the boilerplate sentences at its ends (`passages.without_boilerplate`)."""
        spans = sorted({(start, end) for chunk_id in p.chunk_ids for _, start, end in units.get(chunk_id, [])})
        flags = [template_key(text[start:end], p.title) in templates for start, end in spans]
        return without_boilerplate(p, spans, flags, text) if any(flags) else p

    def _templates(
        self, snapshot: Snapshot, passages: list[Passage], units: dict[int, list[tuple[int, int, int]]], texts
    ) -> set[str]:
        """Keys of the passages' sentence units that TEMPLATE_DOCUMENTS or more documents of the
        generation hold with only their title changed (counted at build time: one query)."""
        keys: dict[int, str] = {}
        for p in passages:
            text = texts[p.doc_id]
            for chunk_id in p.chunk_ids:
                for _, start, end in units.get(chunk_id, []):
                    key = template_key(text[start:end], p.title)
                    if len(key) > 1:
                        keys[key_hash(key)] = key
        return {keys[h] for h in snapshot.template_hashes(list(keys), TEMPLATE_DOCUMENTS)}

    def _merged(
        self, snapshot: Snapshot, ranked, k: int
    ) -> tuple[list[Passage], dict[int, StoredChunk], dict[str, str]]:
        """The best chunks merged into at most k passages, without those far below the best; with
        the chunk rows and document texts read for them (one query each per widening of the window)."""
        passages: list[Passage] = []
        rows: dict[int, StoredChunk] = {}
        texts: dict[str, str] = {}
        window = 3 * k
        while True:
            top = ranked[:window]
            rows.update(snapshot.chunks([chunk_id for chunk_id, _ in top if chunk_id not in rows]))
            scored = [(rows[chunk_id], score) for chunk_id, score in top if chunk_id in rows]
            texts.update(snapshot.document_texts(list({c.doc_id for c, _ in scored} - texts.keys())))
            passages = drop_near_duplicates(merge_chunks(scored, texts), texts=texts)
            if len(passages) >= k or window >= len(ranked):
                break
            window *= 2
        passages = passages[:k]
        if passages and passages[0].score > 0:
            floor = self.settings.relative_floor * passages[0].score
            passages = [p for p in passages if p.score >= floor]
        # Only the passages shown, once a document: a scan of a 1 MB text for its source line takes ~7 ms.
        publishers = {doc_id: declared_source(texts[doc_id]) for doc_id in {p.doc_id for p in passages}}
        passages = [replace(p, publisher=publishers[p.doc_id]) for p in passages]
        return passages, rows, texts

    def _evidence(
        self,
        snapshot: Snapshot,
        p: Passage,
        units: dict[int, list[tuple[int, int, int]]],
        rows: dict[int, StoredChunk],
        texts: dict[str, str],
        query: np.ndarray | None,
        terms: QuestionTerms,
        intent: Intent,
        templates: set[str] | frozenset[str] = frozenset(),
    ) -> Passage:
        """The passage with its best stored sentence unit marked, and the page that unit is on.
        Without the question's vector (keyword mode) the question's words alone choose."""
        spans: dict[tuple[int, int], int] = {}
        chunk_of: dict[tuple[int, int], int] = {}
        for chunk_id in p.chunk_ids:
            for unit_id, start, end in units.get(chunk_id, []):
                if p.char_start <= start and end <= p.char_end and (start, end) not in spans:
                    spans[(start, end)] = unit_id
                    chunk_of[(start, end)] = chunk_id
        ordered = sorted(spans)
        if not ordered:
            return p
        similarity = (
            snapshot.unit_similarities([spans[s] for s in ordered], query)
            if query is not None
            else np.zeros(len(ordered), dtype=np.float32)
        )
        # The words the question names its subject by ("this twisting condition") do not choose the sentence.
        named_by = {stem(word) for word in intent.naming}
        weights = {t: w for t, w in {**terms.widened, **terms.rarity}.items() if stem(t) not in named_by}
        best = best_unit(ordered, similarity, texts[p.doc_id], weights, intent, templates, p.title)
        if best is None:
            return p
        chunk = rows[chunk_of[ordered[best]]]
        start, end = with_continuation(ordered, best, texts[p.doc_id])
        if end != ordered[best][1] and rows[chunk_of[ordered[best + 1]]].page != chunk.page:
            end = ordered[best][1]  # a mark never runs over onto another PDF page: the page shown is its own
        if intent.contact_lines_answer and is_contact_entry(chunk.text):
            # How to reach someone: the answer is the whole entry (name, address, phone), not one line of it.
            start, end = max(chunk.char_start, p.char_start), min(chunk.char_end, p.char_end)
        elif (name := entry_name(texts[p.doc_id][start:end])) is not None:
            # Not asked how to reach them: the organisation's name, not its address.
            start = texts[p.doc_id].index(name, start)
            end = start + len(name)
        page = chunk.page if chunk.page else p.page
        return replace(p, highlight=(start - p.char_start, end - p.char_start), page=page)


@dataclass(frozen=True)
class QuestionTerms:
    """What the index says about a question's content words."""

    rarity: dict[str, float]  # inverse chunk frequency per word
    coverage: float  # rarity-weighted share of the words that occur in the index
    informative: list[str]  # words found, in at most 1/COMMON_SHARE_INVERSE of the chunks: worth marking
    common: set[str]  # words found in more chunks than that: the corpus's topic, not the question's
    counts: dict[str, int] = field(default_factory=dict)  # chunks holding each word
    missing: tuple[str, ...] = ()  # words no chunk holds that may name a subject (`_may_name_subject`)
    glossary: tuple[str, ...] = ()  # glossary terms the question cues that the index holds (`lay_terms`)
    # `coverage` counting also the words whose glossary terms the index holds ("hurt": "painful"); the
    # model's answer-or-abstain rule uses it. Keyword mode keeps `coverage`: with this one it answered
    # everyday questions whose words cue the glossary ("tire", "golf": EVALUATION.md, eighth session).
    meant: float = 0.0
    widened: dict[str, float] = field(default_factory=dict)  # their words, by rarity (for the evidence)
    # index words the question's misspelt words stand for ("alcohol"), and the codes of the states it names ("ca")
    corrections: tuple[str, ...] = ()


def _question_terms(
    snapshot: Snapshot, question: str, frequencies: Callable[[Snapshot, list[str]], dict[str, int]]
) -> QuestionTerms:
    """Chunk frequencies of the question's content words, turned into rarity, coverage and classes."""
    terms = query_terms(question)
    if not terms:
        return QuestionTerms({}, 0.0, [], set())
    counts = frequencies(snapshot, terms)
    total = max(snapshot.manifest.chunks, 1)
    rarity = {term: _rarity(count, total) for term, count in counts.items()}
    limit = total / COMMON_SHARE_INVERSE
    coverage = _coverage(rarity, counts)
    return QuestionTerms(
        rarity=rarity,
        coverage=coverage,
        meant=coverage,
        informative=[t for t in terms if 0 < counts[t] <= limit],
        common={t for t in terms if counts[t] > limit},
        counts=counts,
        missing=tuple(t for t in terms if counts[t] == 0 and _may_name_subject(t) and not kin_occurs(snapshot, t)),
    )


# Words that judge rather than name a subject ("does alcohol make it better?", "is it bad for me?").
JUDGEMENT_WORDS = frozenset("better worse best worst bad good fine okay ok safe unsafe helpful harmful".split())


def _coverage(rarity: dict[str, float], counts: dict[str, int], translated: frozenset[str] = frozenset()) -> float:
    """The rarity-weighted share of the question's words the index holds, or, for a word it does not
    hold, whose glossary terms it holds (`translated`: their cue stems). "Does it hurt?" is covered
    by "painful"; "how do I fix my golf slice" is not. Tuning sets, hybrid: blind1's one refused
    answerable question ("Does it hurt?") is answered; no unanswerable one loses its abstention or note.
    A judgement word the index lacks ("better", "bad": `JUDGEMENT_WORDS`) asks how, not about what,
    and is left out: "does alcohol make it better?" is covered by "alcohol" (tuning sets unchanged)."""
    weighed = {term: weight for term, weight in rarity.items() if counts[term] > 0 or term not in JUDGEMENT_WORDS}
    weighed = weighed or rarity
    found = sum(weight for term, weight in weighed.items() if counts[term] > 0 or stem(term) in translated)
    return found / sum(weighed.values())


MIN_COMPOUND_PART = 3  # letters in each half of a word written solid ("anti" + "psychotics")


def split_compound(snapshot: Snapshot, word: str) -> list[str]:
    """The two words in a row ("anti psychotics") that a word no chunk holds is written solid for,
    when some chunk holds them so ("anti-psychotic drugs": the keyword index splits at the hyphen);
    else []. The first split from the left that the index holds wins."""
    if not word.isalpha() or len(word) < 2 * MIN_COMPOUND_PART:
        return []
    for at in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
        if snapshot.phrase_occurs([word[:at], word[at:]]):
            return [f"{word[:at]} {word[at:]}"]
    return []


def _rarity(count: int, total: int) -> float:
    """Inverse chunk frequency of a word held by `count` of `total` chunks."""
    return math.log((total + 1) / (count + 0.5))


# Words of an organisation question that ask for one rather than say what it is for.
_ASKING_FOR_HELP = unit_words(
    """help helps helping support supports group groups charity charities foundation foundations
    organisation organization organisations organizations association associations society societies
    nonprofit advocacy helpline contact call ring write turn find get look advice people person"""
)


def _entry_subject(terms: QuestionTerms) -> set[str]:
    """The stems of what an organisation question is about: its informative words and the words of
    the glossary terms it cues, less the words that ask for an organisation."""
    return unit_words(" ".join((*terms.informative, *terms.widened))) - _ASKING_FOR_HELP


def _subject_gain(text: str, subject: set[str], gain: float) -> float:
    """`gain` for an entry that names the question's subject, else 0."""
    return gain if subject and not subject.isdisjoint(unit_words(text)) else 0.0


def _address_only(entry: str, words: set[str]) -> bool:
    """True when an entry's address lines hold one of `words` (stems) and its name line none."""
    name, _, address = entry.strip().partition("\n")
    return bool(words) and words.isdisjoint(unit_words(name)) and not words.isdisjoint(unit_words(address))


def _whole_word(word: str) -> bool:
    """True for a word the model's vocabulary holds whole (one piece): a real English word."""
    return pieces(word) == 1


def _may_name_subject(word: str) -> bool:
    """True for a word that may name a subject the knowledge base lacks, if no chunk holds it: five
    letters or more, all letters. Whether it does is `Searcher.subject_words`' to say: by the model's
    reading (`medical_words`), or without the model by its form alone (three or more of the model's
    pieces: "metformin", "sumatriptan"; everyday words are whole pieces or two: "worry", "toddler").
    Two pieces by form flagged 3 of 65 answerable tuning questions for words like those; three flag
    none, and lose one unanswerable flag of 30 ("wrinkles") on the tuning sets (EVALUATION.md)."""
    return len(word) >= 5 and word.isalpha()


def _allowed(snapshot: Snapshot, collections: list[str] | None, doc_ids: list[str] | None) -> set[int] | None:
    """Chunk ids the filters allow, or None when there is no filter."""
    if not collections and not doc_ids:
        return None
    return snapshot.chunk_ids_where(collections or [], doc_ids or [])


def _keyword_limit(allowed: set[int] | None, pool: int) -> int:
    """How many BM25 hits to fetch: the pool, or enough to survive a filter (the same for ranking and
    rare-term pinning, so they share one remembered run)."""
    return pool if allowed is None else 100_000


def _only(run: list[tuple[int, float]], allowed: set[int] | None) -> list[tuple[int, float]]:
    return run if allowed is None else [(i, s) for i, s in run if i in allowed]
