"""Measure retrieval: question sets (hit@1, hit@5, MRR@10, abstention) and BEIR data sets (nDCG@10, R@100).

Question sets are JSONL files in the format of shared/eval/README.md: a passage answers when
its text contains one of the answer phrases after lower-casing, straightening quotes and
collapsing white space. They run against the live index. A BEIR folder (corpus.jsonl,
queries.jsonl, qrels/<split>.tsv) is indexed once into its own cached index directory and
ranked at document level (a document scores as its best chunk).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.errors import KnowledgeBaseError
from index.manifest import incompatibility
from index.search import MODES, Searcher

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Question:
    """One labelled question; no answers means the corpus cannot answer it."""

    id: str
    question: str
    answers: tuple[str, ...]


@dataclass
class QuestionSetScores:
    """Scores of one question set in one mode."""

    name: str
    mode: str
    questions: int
    answerable: int
    hit_at_1: float | None
    hit_at_5: float | None
    mrr_at_10: float | None
    abstained_unanswerable: float | None  # share of unanswerable questions with no passage (want 1.0)
    wrong_abstentions: float | None  # share of answerable questions with no passage (want 0.0)
    misses: list[str] = field(default_factory=list)  # answerable ids with no answer in the top 5
    evidence: float | None = None  # share of answering top-5 passages whose marked sentence holds the answer
    # share of unanswerable questions abstained OR answered under a visible "no passage is about X" note
    flagged_unanswerable: float | None = None
    wrong_flags: float | None = None  # share of answerable questions given that note (want 0.0)


@dataclass
class BeirScores:
    """Scores of one BEIR data set split in one mode."""

    name: str
    split: str
    mode: str
    queries: int
    ndcg_at_10: float
    recall_at_100: float
    mrr_at_10: float = 0.0
    p_at_5: float = 0.0


def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces: how answers and passages are compared."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES).lower()).strip()


def load_questions(path: Path) -> list[Question]:
    """Questions from a JSONL file; a malformed line is an error naming the line."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            questions.append(Question(str(data["id"]), data["question"], tuple(data.get("answers", []))))
        except (ValueError, KeyError, TypeError) as error:
            raise KnowledgeBaseError(f"{path}:{number}: not a question record ({error})") from None
    return questions


def evaluate_questions(
    searcher: Searcher, questions: list[Question], mode: str, name: str, evidence: bool = False
) -> QuestionSetScores:
    """Search every question (10 passages) and score the ranks of the first answering passage.

    With `evidence`, also mark evidence sentences and score them (slower: sentences are embedded).
    """
    hits1 = hits5 = reciprocal = abstained_ok = flagged_ok = wrong_abstain = wrong_flag = 0.0
    marked = answering = 0
    answerable = [q for q in questions if q.answers]
    misses = []
    for q in questions:
        result = searcher.search(q.question, k=10, mode=mode, highlight=evidence)
        flagged = bool(result.abstained or result.note)
        if not q.answers:
            abstained_ok += result.abstained
            flagged_ok += flagged
            continue
        wrong_abstain += result.abstained
        wrong_flag += bool(result.note)
        phrases = [normalise(a) for a in q.answers]
        rank = next((p.rank for p in result.passages if any(phrase in normalise(p.text) for phrase in phrases)), None)
        if evidence:
            for p in result.passages[:5]:
                if any(phrase in normalise(p.text) for phrase in phrases):
                    answering += 1
                    a, b = p.highlight or (0, 0)
                    marked += any(phrase in normalise(p.text[max(a - 1, 0) : b + 1]) for phrase in phrases)
        hits1 += rank == 1
        hits5 += rank is not None and rank <= 5
        reciprocal += 1.0 / rank if rank else 0.0
        if rank is None or rank > 5:
            misses.append(q.id)
    n_ans, n_un = len(answerable), len(questions) - len(answerable)
    return QuestionSetScores(
        name=name,
        mode=mode,
        questions=len(questions),
        answerable=n_ans,
        hit_at_1=_share(hits1, n_ans),
        hit_at_5=_share(hits5, n_ans),
        mrr_at_10=_share(reciprocal, n_ans),
        abstained_unanswerable=_share(abstained_ok, n_un),
        wrong_abstentions=_share(wrong_abstain, n_ans),
        misses=misses,
        evidence=_share(marked, answering) if evidence else None,
        flagged_unanswerable=_share(flagged_ok, n_un),
        wrong_flags=_share(wrong_flag, n_ans),
    )


def _share(count: float, total: int) -> float | None:
    """count / total, or None when there is nothing to divide by (no such questions in the set)."""
    return round(count / total, 4) if total else None


# --- BEIR -----------------------------------------------------------------------------------


def load_beir(folder: Path, split: str) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    """Corpus records, queries of the split (id → text) and qrels (query id → doc id → grade)."""
    qrels: dict[str, dict[str, int]] = {}
    qrels_file = folder / "qrels" / f"{split}.tsv"
    if not qrels_file.exists():
        raise KnowledgeBaseError(f"{qrels_file} not found: is {folder} a BEIR data set with a {split} split?")
    for line in qrels_file.read_text(encoding="utf-8").splitlines()[1:]:
        query_id, doc_id, grade = line.split("\t")[:3]
        if int(grade) > 0:
            qrels.setdefault(query_id, {})[doc_id] = int(grade)
    queries = {}
    for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["_id"] in qrels:
            queries[record["_id"]] = record["text"]
    corpus = [json.loads(line) for line in (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    return corpus, queries, qrels


def beir_documents(corpus: list[dict]) -> list:
    """BEIR records as Documents: the abstract is the text, one untitled section."""
    from ingest.document import Document, Section

    documents = []
    for record in corpus:
        text = record.get("text", "").strip()
        title = record.get("title", "").strip()
        if not text and not title:
            continue
        text = text or title
        documents.append(
            Document(
                doc_id=str(record["_id"]),
                title=title or text[:80],
                source=str(record["_id"]),
                text=text,
                sections=(Section("", 0, len(text)),),
                format="beir",
                collection="beir",
            )
        )
    return documents


def beir_index(folder: Path, embedder, cache_root: Path, settings=None) -> Path:
    """Index a BEIR corpus once; reused while corpus, model and chunking stay the same."""
    from index.progress import TqdmProgress
    from index.store import open_snapshot
    from index.update import build_index
    from ingest.chunker import ChunkSettings

    settings = settings or ChunkSettings()
    digest = hashlib.sha256((folder / "corpus.jsonl").read_bytes()).hexdigest()[:12]
    kb_dir = cache_root / f"{folder.name}-{digest}"
    try:
        manifest = open_snapshot(kb_dir).manifest
        if not incompatibility(manifest, embedder.name, embedder.dimension, settings.as_dict()):
            return kb_dir
    except KnowledgeBaseError:
        pass
    corpus, _, _ = load_beir(folder, "test")
    print(f"indexing {folder.name}: {len(corpus)} documents (once; cached in {kb_dir})", file=sys.stderr)
    progress = TqdmProgress()
    build_index(beir_documents(corpus), kb_dir, embedder, settings, progress=progress)
    progress.close()
    return kb_dir


def rank_documents(
    searcher: Searcher, queries: dict[str, str], mode: str, depth: int = 100, shipped: bool = True
) -> dict[str, list[str]]:
    """Top `depth` document ids per query, each document at its best chunk. `shipped` ranks chunks
    as a search does (in hybrid mode: fusion, sentence-unit rescoring, rare-term pin); otherwise
    by the mode's plain ranking (hybrid: fusion alone)."""
    snapshot = searcher.snapshot()
    ids = list(queries)
    pairs = searcher.question_vectors(snapshot, [queries[i] for i in ids]) if mode != "keyword" else []
    vectors = [pair.ranked_by for pair in pairs] if pairs else [None] * len(ids)
    owner = dict(snapshot.chunk_owners())
    pool = max(searcher.settings.candidates, 4 * depth)
    rankings = {}
    for query_id, vector in zip(ids, vectors):
        question = queries[query_id]
        if shipped:
            ranked = searcher.ranking(snapshot, question, vector, mode, k=10, pool=pool)
        else:
            ranked = searcher.rank(snapshot, question, vector, mode, pool=pool)
        docs: dict[str, None] = {}
        for chunk_id, _ in ranked:
            docs.setdefault(owner[chunk_id], None)
            if len(docs) == depth:
                break
        rankings[query_id] = list(docs)
    return rankings


def ndcg_at(ranking: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """nDCG@k with graded relevance and a log2 discount (the BEIR / trec_eval definition)."""
    dcg = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: list[str], relevant: dict[str, int], k: int = 100) -> float:
    """Share of relevant documents found in the top k."""
    return len(set(ranking[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr_at(ranking: list[str], relevant: set[str], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document in the top k (0 when none)."""
    return next((1.0 / (i + 1) for i, d in enumerate(ranking[:k]) if d in relevant), 0.0)


def precision_at(ranking: list[str], relevant: set[str], k: int = 5) -> float:
    return len(set(ranking[:k]) & relevant) / k


def evaluate_beir(
    searcher: Searcher, queries, qrels, mode: str, name: str, split: str, shipped: bool = True
) -> BeirScores:
    """nDCG@10, Recall@100, MRR@10 and P@5 of one mode over the queries of one split.

    Binary metrics count a document relevant at grade ≥ 2 on a graded scale (top grade ≥ 3, as
    MEDIQA's "correct" answers), else at grade ≥ 1 (SciFact)."""
    rankings = rank_documents(searcher, queries, mode, shipped=shipped)
    top_grade = max((g for judged in qrels.values() for g in judged.values()), default=1)
    threshold = 2 if top_grade >= 3 else 1
    relevant = {q: {d for d, g in qrels.get(q, {}).items() if g >= threshold} for q in queries}
    return BeirScores(
        name,
        split,
        mode if shipped or mode != "hybrid" else "fusion",
        len(queries),
        _mean(ndcg_at(rankings[q], qrels[q]) for q in queries),
        _mean(recall_at(rankings[q], qrels[q]) for q in queries),
        _mean(mrr_at(rankings[q], relevant[q]) for q in queries),
        _mean(precision_at(rankings[q], relevant[q]) for q in queries),
    )


def _mean(values) -> float:
    return round(float(np.mean(list(values))), 4)


# --- command line ----------------------------------------------------------------------------


def run_cli(args) -> int:
    """`python -m index eval PATH…`: a table on stdout, or one JSON object per row with --json."""
    from index.config import REPO_ROOT, index_dir
    from index.embedder import load_embedder

    modes = args.mode or list(MODES)
    embedder = load_embedder()
    rows: list[QuestionSetScores | BeirScores] = []
    live: Searcher | None = None
    for raw in args.paths:
        path = Path(raw)
        if path.is_dir():
            kb = beir_index(path, embedder, Path(args.beir_cache) if args.beir_cache else REPO_ROOT / ".kb-beir")
            searcher = Searcher(kb, embedder)
            _, queries, qrels = load_beir(path, args.split)
            for mode in modes:
                rows.append(evaluate_beir(searcher, queries, qrels, mode, path.name, args.split))
                _emit(rows[-1], args.json)
                if mode == "hybrid":  # the fusion alone, without sentence rescoring and pinning
                    rows.append(evaluate_beir(searcher, queries, qrels, mode, path.name, args.split, shipped=False))
                    _emit(rows[-1], args.json)
        elif path.is_file():
            live = live or Searcher(index_dir(args.index_dir), embedder)
            questions = load_questions(path)
            for mode in modes:
                rows.append(evaluate_questions(live, questions, mode, path.name, evidence=mode == "hybrid"))
                _emit(rows[-1], args.json)
        else:
            raise KnowledgeBaseError(f"{path}: no such question file or BEIR folder")
    return 0


def _emit(row, as_json: bool) -> None:
    if as_json:
        print(json.dumps(asdict(row)), flush=True)
    elif isinstance(row, BeirScores):
        print(
            f"{row.name:<28} {row.split:<6} {row.mode:<8} queries {row.queries:>4}  "
            f"nDCG@10 {row.ndcg_at_10:.4f}  MRR@10 {row.mrr_at_10:.4f}  P@5 {row.p_at_5:.4f}  "
            f"Recall@100 {row.recall_at_100:.4f}",
            flush=True,
        )
    else:
        misses = f"  misses: {' '.join(row.misses)}" if row.misses else ""
        if row.evidence is not None:
            misses = f"  evidence {_cell(row.evidence)}{misses}"
        print(
            f"{row.name:<28} {row.mode:<8} n={row.questions:<3} hit@1 {_cell(row.hit_at_1)}  "
            f"hit@5 {_cell(row.hit_at_5)}  MRR@10 {_cell(row.mrr_at_10)}  "
            f"abstained(unans.) {_cell(row.abstained_unanswerable)}  "
            f"or flagged {_cell(row.flagged_unanswerable)}  "
            f"wrong abstentions {_cell(row.wrong_abstentions)}  wrong flags {_cell(row.wrong_flags)}{misses}",
            flush=True,
        )


def _cell(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"
