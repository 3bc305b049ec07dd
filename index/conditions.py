"""Conditions a question names that the index never holds, or that no shown passage mentions.

`subjects` finds the names in the question's text; this module asks the index about them. A name
the index never holds ("restless legs", "metformin") is a subject the knowledge base does not
cover: the search says so above the nearest passages. A name it holds but no shown passage
mentions ("the life expectancy with Parkinson's disease", answered from passages that never say
it) is noted too, and so is one the index holds only as an item of a list ("Parkinson's disease,
Huntington's disease, Wilson's disease, stroke"): the corpus names it but is not about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.medical_words import misspelt
from index.passages import Passage
from index.store import Snapshot, phrase_match
from index.subjects import (
    DISORDER_WORDS,
    GENERIC_HEADS,
    INDEX_WORD,
    NamedCondition,
    condition_names,
    fold_plural,
    listed_conditions,
    name_suffixes,
)
from ingest.records import is_contact_block

PASSING_CHUNKS = 3  # a condition named in more chunks than this is one the corpus covers
LISTING_ROWS = 20  # chunks read to find those that hold a name as written
NAME_GAP = 2  # words a longer name puts between a name's words ("paroxysmal nonkinesigenic dyskinesia")
_SENTENCE_ENDS = (". ", "\n", "? ", "! ")
_ITEM_SEPARATOR = re.compile(r"[,;]|\s-\s|\d%")
_SEPARATOR_BEFORE = re.compile(r"(?:[,;:]|\s-|\d%|\band|\bor)\s*$", re.IGNORECASE)
_SEPARATOR_AFTER = re.compile(r"\s*(?:[,;]|-\s|\d+%|and\b|or\b)", re.IGNORECASE)

_SYMBOL_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SYMBOL = re.compile(r"[A-Z]{4,9}")  # "PRKRA", "SGCE"; "DYT16" and "XDP" are the corpus's conditions by other names

Frequencies = Callable[[Snapshot, list[str]], dict[str, int]]


def named_conditions(
    snapshot: Snapshot,
    question: str,
    missing: tuple[str, ...],
    common: set[str],
    frequencies: Frequencies,
    subjects: Callable[[list[str]], list[bool]] | None = None,
    sources: frozenset[str] = frozenset(),
) -> tuple[list[NamedCondition], tuple[str, ...]]:
    """The conditions and medicines a question names, and what the knowledge base is not about: the
    question's `missing` words and the names no chunk holds in any spelling or shorter form, as
    written. A missing word inside a listed name is given as the whole name ("tardive dyskinesia",
    not "tardive"); other missing words count only where `subjects` (if given) says they name a
    subject (`medical_words`: not a misspelling, not an everyday word). Names built on the corpus's
    own topic ("dystonia syndrome") are left out.

    A name found only by its disorder word ("twisting disorder", "old injury") is kept when the index
    holds it as a phrase, or when one of its other words occurs nowhere in the index and is no
    everyday word ("plantar fasciitis", not "bad infection"). A name whose words the corpus uses, but
    never together, is most often the question's own description of something the corpus covers.
    A symbol a document's source link holds (`source_words`: "according to GARD", whose pages are
    at rarediseases.info.nih.gov/gard/…) names where the passages come from, not a missing subject.
    """

    def fresh(words: list[str]) -> bool:
        return not any(word in missing or word in common for word in words)

    every = listed_conditions(question)
    whole = {word: name for name in reversed(every) for word in _words(name.written) if word in missing}
    others = [word for word in missing if word not in whole]
    if subjects is not None and others:
        judged = dict(zip(others, subjects(others)))
        missing = tuple(word for word in missing if judged.get(word, True))
    absent: list[NamedCondition | str] = [whole.get(word, word) for word in missing]
    listed = [name for name in every if fresh(_words(name.written))]
    taken = {word for name in listed for word in _words(name.written)} - {"s"}
    names = list(listed)
    absent += [name for name in listed if not _held(snapshot, name)]
    for written, words in condition_names(question):
        if taken & set(words) or not fresh(words):
            continue
        name = NamedCondition(written, tuple(tuple(form) for form in name_suffixes(words)))
        if _held(snapshot, name):
            names.append(name)
        elif _has_unknown_word(snapshot, words, frequencies):
            names.append(name)
            absent.append(written)
    unknown = [name for name in unknown_names(snapshot, question, frequencies) if name.lower() not in sources]
    # A word of an unknown name is given as that name: "asdfgh qwerty zxcvb", not three words and the name.
    absent = [item for item in absent if not (isinstance(item, str) and any(item in name for name in unknown))]
    held = " ".join(str(getattr(item, "written", item)).lower() for item in absent)
    absent += [name for name in unknown if name.lower() not in held]
    return names, _once(absent)


def unknown_names(snapshot: Snapshot, question: str, frequencies: Frequencies) -> list[str]:
    """Names the question holds that the index never does, found by their form where the word-by-word
    tests cannot judge them: a symbol in capitals ("PRKRA": four or more letters, no digits, not a
    word the model holds whole), and two or more adjacent words that are all rare words (three or
    more of the model's pieces) no chunk holds ("globus pallidus", where "pallidus" looks like a form of
    "palliative" and the model reads "globus" as everyday). A question in capitals has no symbols.
    Numbered symbols ("DYT16", "EKD2") are left out: they are other names of conditions the corpus
    describes in words. On the tuning sets neither form occurs in an answerable question
    (EVALUATION.md, twentieth session). A word one letter from an index word is a misspelling, not
    a name ("dystonya symtoms")."""
    from ingest.tokens import load_token_counter

    pieces = load_token_counter()
    written = _SYMBOL_WORD.findall(question)
    capitals = sum(word.isupper() for word in written if len(word) > 2)
    shouting = capitals * 2 > sum(len(word) > 2 for word in written)
    symbols = (
        [] if shouting else [w for w in dict.fromkeys(written) if _SYMBOL.fullmatch(w) and pieces.count(w.lower()) >= 2]
    )
    lower = [word.lower() for word in written]
    rare = [w.isalpha() and len(w) >= 4 and pieces.count(w) >= 3 for w in lower]
    paired = [r and ((i > 0 and rare[i - 1]) or (i + 1 < len(rare) and rare[i + 1])) for i, r in enumerate(rare)]
    asked = sorted({w.lower() for w in symbols} | {w for w, p in zip(lower, paired) if p})
    counts = frequencies(snapshot, asked) if asked else {}  # only the candidates: a common word costs a count
    # Adjacent such words are one name, however many: "asdfgh qwerty zxcvb", not two overlapping pairs.
    runs: list[list[str]] = [[]]
    for word, candidate in zip(lower, paired):
        if candidate and counts[word] == 0 and not misspelt(word, snapshot.any_word_occurs):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [w for w in symbols if counts[w.lower()] == 0] + [" ".join(run) for run in runs if len(run) >= 2]


_LINK_WORD = re.compile(r"[a-z]{3,}")


def source_words(sources: list[str]) -> frozenset[str]:
    """The words of the documents' source links, host and path ("rarediseases", "gard", "ghr",
    "medlineplus"): a publisher's short name that no passage's text holds is still where a passage
    comes from. A source that is no link (a local file's own path) gives none."""
    return frozenset(word for source in sources if "://" in source for word in _LINK_WORD.findall(source.lower()))


def not_covered(missing: tuple[str, ...]) -> str:
    """What the knowledge base lacks, in words: "is about restless legs" for a named condition or
    medicine, "mentions “contagious”" for a word that names none (not "is about contagious")."""
    names = [m for m in missing if " " in m or listed_conditions(m)]
    words = [f"“{m}”" for m in missing if m not in names]
    parts = [f"is about {', '.join(names)}"] if names else []
    parts += [f"mentions {', '.join(words)}"] if words else []
    return " or ".join(parts)


def _once(absent: list[NamedCondition | str]) -> tuple[str, ...]:
    """The absent subjects as written, each listed name once whichever of its spellings came up."""
    seen: set[object] = set()
    out: list[str] = []
    for item in absent:
        key = item.forms if isinstance(item, NamedCondition) else item
        if key not in seen:
            seen.add(key)
            out.append(item.written if isinstance(item, NamedCondition) else item)
    return tuple(out)


def unmentioned_conditions(names: list[NamedCondition], passages: tuple[Passage, ...]) -> tuple[str, ...]:
    """Those names of two or more words the corpus has but no passage shown mentions. One the
    passages mention even once is not noted: a rule that also noted passing mentions flagged 3 of 40
    answerable tuning questions (EVALUATION.md). A one-word name ("stroke") is not checked: the
    passages often answer it in other words."""
    shown = " " + " ".join(INDEX_WORD.findall(" ".join(p.text for p in passages).lower())) + " "
    return tuple(name.written for name in names if name.several_words and not _mentioned(name, shown))


def _mentioned(name: NamedCondition, shown: str) -> bool:
    """True when `shown` (index words, space-separated) holds one of the name's forms, its words in
    order with at most NAME_GAP others between them: "paroxysmal nonkinesigenic dyskinesia" mentions
    "paroxysmal dyskinesia"."""
    gap = rf"(?: [a-z0-9]+){{0,{NAME_GAP}}} "
    return any(re.search(" " + gap.join(re.escape(word) for word in form) + " ", shown) for form in name.forms)


def passing_conditions(
    snapshot: Snapshot, names: list[NamedCondition], question_words: set[str], question: str = ""
) -> tuple[str, ...]:
    """The names the index holds only as one item of a list, in at most PASSING_CHUNKS chunks and in
    no title or section: "Parkinson's disease, Huntington's disease, Wilson's disease, stroke, or
    from a birth injury", a symptom table's "Migraine 5%". The corpus names such a condition but says
    nothing about it, so a question about it ("What causes Huntington's disease?") is not answered by
    the list. A rare condition the corpus explains ("Segawa syndrome, also called …") is held in a
    sentence of its own and is not one of these. Nor is a name asked about together with what its
    list is about: another of the question's words (`question_words`) in the list's sentence or the
    sentence before it ("Can Parkinson's disease cause dystonia?",
    "could it be cerebral palsy or DRD"): then the list is the answer. Nor is one the question asks
    about as a cause (`asked_as_cause`: "my aunt had a stroke. Can those things bring on the twisting?"):
    such lists are most often of causes. A one-word name whose word family the index holds more widely
    ("Parkinson's" beside "parkinsonism") is not one either."""
    passing: list[str] = []
    for name in names:
        if asked_as_cause(question, name.written):
            continue
        own = {fold_plural(word) for word in INDEX_WORD.findall(name.written.lower())}
        asked = {fold_plural(word) for word in question_words} - own
        if _only_listed(snapshot, name, asked):
            passing.append(name.written)
    return tuple(passing)


def listing_chunks(snapshot: Snapshot, name: NamedCondition, allowed: set[int] | None = None) -> list[int]:
    """Ids of the chunks (of `allowed`, if given) that hold the name only as an item of a list, best
    first by BM25: where `passing_conditions` found it. The note that the knowledge base only lists
    a name shows one of them, so that the reader sees the list (a new user's trial: "i had a stroke
    and now my arm twists" was told so, and the list was at rank 8)."""
    for form in name.forms:
        pattern = _form_pattern(form)
        hits = snapshot.keyword_search(phrase_match(form), LISTING_ROWS)
        ids = [i for i, _ in hits if allowed is None or i in allowed]
        rows = snapshot.chunks(ids)
        found = [
            i
            for i in ids
            if i in rows
            and (spans := _outside_names(pattern, rows[i].text))
            and all(_list_item(rows[i].text, *span) for span in spans)
        ]
        if found:
            return found
    return []


def listed_at(name: NamedCondition, text: str) -> int | None:
    """Where the text first writes one of the name's forms as an item of a list (`_list_item`),
    other than inside a longer proper name ("Stroke" in "…Neurological Disorders and Stroke")."""
    spans = [span for form in name.forms for span in _outside_names(_form_pattern(form), text)]
    return min((start for start, end in spans if _list_item(text, start, end)), default=None)


def _form_pattern(form: tuple[str, ...]) -> re.Pattern[str]:
    """A form's words in a row, as whole words, in any case."""
    return re.compile(r"\b" + r"\W+".join(re.escape(word) for word in form) + r"\b", re.IGNORECASE)


_CAUSE_AFTER = re.compile(
    r"\b(?:caus\w*|bring\w*|brought|lead|leads|led|results?|resulting|trigger\w*|gives?|gave|turns?|set off)\b",
    re.IGNORECASE,
)
_CAUSE_BEFORE = re.compile(r"\b(?:after|from|because of|due to|since)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def asked_as_cause(question: str, written: str) -> bool:
    """True when the question asks what the named condition brings on: a causing word after the name
    ("can a stroke cause dystonia", "those things bring on the twisting") or "after", "from", "due to"
    just before it ("my arm twists after my stroke"). "What causes Huntington's disease?" asks the other way."""
    at = question.find(written)
    if at < 0:
        return False
    return bool(_CAUSE_AFTER.search(question, at + len(written)) or _CAUSE_BEFORE.search(question[:at]))


def _only_listed(snapshot: Snapshot, name: NamedCondition, asked: set[str]) -> bool:
    if name.several_words and _written_apart(snapshot, name):
        return False
    holders: set[str] = set()
    for form in name.forms:
        pattern = _form_pattern(form)
        found = [
            (context, text, _outside_names(pattern, text))
            for context, text in snapshot.phrase_texts(list(form), LISTING_ROWS)
        ]
        # A chunk holding it only inside an institute's name ("…Neurological Disorders and Stroke") does not count.
        rows = [(context, text, spans) for context, text, spans in found if spans or not pattern.search(text)]
        if not name.several_words and len(rows) > PASSING_CHUNKS:
            return False  # a one-word name whose word family ("parkinsonism") the index holds widely
        for context, text, spans in rows:
            if not spans:
                continue  # the keyword index matched another form of the words ("parkinsonism")
            if pattern.search(context) or not all(_list_item(text, *span) for span in spans):
                return False
            around = " ".join(_sentences_before(text, start) for start, _ in spans)
            if asked & {fold_plural(word) for word in INDEX_WORD.findall(around.lower())}:
                return False
            holders.add(text)
    return 0 < len(holders) <= PASSING_CHUNKS


_PROPER_NAME_BEFORE = re.compile(r"(?:\b[A-Z][\w'’-]*\s+(?:(?:and|of|for|the|&)\s+)?){2,}$")


def _outside_names(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Where `pattern` matches `text` other than as the capitalised end of a longer proper name: two
    or more capitalised words before it on its line ("Neurological Disorders and Stroke")."""
    spans = []
    for match in pattern.finditer(text):
        line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        if not (match.group()[0].isupper() and _PROPER_NAME_BEFORE.search(line)):
            spans.append(match.span())
    return spans


def _written_apart(snapshot: Snapshot, name: NamedCondition) -> bool:
    """True when more than PASSING_CHUNKS chunks hold the name's words close together (NAME_GAP
    words apart at most): the corpus covers it under a longer name. "paroxysmal dyskinesia alcohol"
    was told the knowledge base only lists it among others (a symptom table's "Paroxysmal dyskinesia")
    above the page on paroxysmal nonkinesigenic dyskinesia (a new user's trial)."""
    words = [word for word in name.forms[0] if word.isalnum() and word != "s"]
    if len(words) < 2:
        return False
    near = "NEAR(" + " ".join(f'"{word}"' for word in words) + f", {NAME_GAP})"
    return len(snapshot.keyword_search(near, PASSING_CHUNKS + 1)) > PASSING_CHUNKS


def organisation_conditions(
    snapshot: Snapshot, names: list[NamedCondition], question_words: set[str] | frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The names of two or more words the index holds only inside organisations' entries (a name,
    an address, a phone: `ingest.records`), in at most PASSING_CHUNKS chunks: "spasmodic
    torticollis" in "National Spasmodic Torticollis Association". The knowledge base says who helps
    with it, not what it is, so "what is spasmodic torticollis?" is not answered by the addresses.
    A question that also names something else of such an entry (`question_words`: "spasmodic
    torticollis dystonia mukwonago") asks for the organisation, and the name is not noted."""
    found: list[str] = []
    for name in names:
        if not name.several_words:
            continue
        rows = {text for form in name.forms for _, text in snapshot.phrase_texts(list(form), LISTING_ROWS)}
        own = {fold_plural(word) for word in INDEX_WORD.findall(name.written.lower())}
        other = {fold_plural(word) for word in question_words} - own
        entry_words = {fold_plural(word) for text in rows for word in INDEX_WORD.findall(text.lower())}
        if 0 < len(rows) <= PASSING_CHUNKS and all(is_contact_block(t) for t in rows) and not other & entry_words:
            found.append(name.written)
    return tuple(found)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence holding text[start:end] starts and ends."""
    begin = max(text.rfind(mark, 0, start) for mark in _SENTENCE_ENDS) + 1
    ends = [at for at in (text.find(mark, end) for mark in _SENTENCE_ENDS) if at != -1]
    return begin, min(ends) if ends else len(text)


def _sentences_before(text: str, start: int) -> str:
    """The sentence holding `start` and the one before it (which often says what a list is of)."""
    begin, end = _sentence(text, start, start)
    before, _ = _sentence(text, max(begin - 2, 0), max(begin - 2, 0))
    return text[before:end]


def _list_item(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is one item of a list: a separator right before or after it, in a
    sentence of three or more items."""
    begin, finish = _sentence(text, start, end)
    beside = bool(_SEPARATOR_BEFORE.search(text[begin:start]) or _SEPARATOR_AFTER.match(text[end:finish]))
    return beside and len(_ITEM_SEPARATOR.findall(text[begin:finish])) >= 2


def kin_occurs(snapshot: Snapshot, word: str) -> bool:
    """True when a word of the same stem family occurs ("stiffer" → "stiffness", "physio" →
    "physiology"): the word is then an everyday form of something the corpus covers, not a new
    subject. The shared start is the word less up to three letters, and at least five letters."""
    stem = word[: max(5, len(word) - 3)]
    return len(stem) < len(word) and snapshot.prefix_occurs(stem)


def _held(snapshot: Snapshot, name: NamedCondition) -> bool:
    """True when the index holds one of the name's spellings. A form without its "disease" or
    "syndrome" finds the name in a question but does not show the corpus covers it: the corpus's
    "upper motor neuron" is not "motor neuron disease" ("what is ALS" got no note: a new user's trial)."""
    forms = set(name.forms)
    whole = [form for form in name.forms if not any((*form, head) in forms for head in GENERIC_HEADS)]
    return any(snapshot.phrase_occurs(list(form)) for form in whole)


def _has_unknown_word(snapshot: Snapshot, words: list[str], frequencies: Frequencies) -> bool:
    """True when a word of the name other than its disorder word occurs nowhere in the index and is
    no everyday word: the model's vocabulary splits it into two or more pieces ("plantar", "carpal";
    "old", "bad" and "nasty" are whole pieces)."""
    from ingest.tokens import load_token_counter

    others = [word for word in words if word not in DISORDER_WORDS and len(word) > 1]
    counts = frequencies(snapshot, others) if others else {}
    pieces = load_token_counter()
    return any(
        counts.get(word, 0) == 0 and pieces.count(word) >= 2 and not kin_occurs(snapshot, word) for word in others
    )


def _words(text: str) -> list[str]:
    return INDEX_WORD.findall(text.lower())
