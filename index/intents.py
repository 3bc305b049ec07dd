"""What kind of answer a question asks for, when its words say so: how to reach someone, an
organisation that helps, the document itself (its source, its date), or an answer of a particular
shape (a duration, an age, a rate, a chance, a gene, a trigger, an inheritance, a cause, what
something is, a treatment). No model here; plain patterns over the question's words.

A contact question ("what's their phone number?") lets an address line be the marked answer. An
organisation question ("is there a charity for…", "who can help with…", "a support group") asks
for an organisation's entry (name, address, phone), so such entries are favoured in ranking. A
question about the source ("who put out this fact sheet?") is the only kind a document's own note
(source line, disclaimer, review date) answers. A question asking for a shape ("how long do the
attacks last?") favours passages and sentences that hold one ("1 to 4 hour long episodes") over
those that only restate its subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "where" asks for a place to reach, unless it asks where something comes from, starts or is common
# ("where does dystonia come from" marked organisations' addresses: a new user's trial).
_CONTACT_QUESTION = re.compile(
    r"\b(contact|address|phone|call|email|e-mail|reach|write|located|number)\b"
    r"|\bwhere\b(?!.*\b(?:comes?|came|coming|start|starts|started|begin|begins|began|occurs?|happens?|common"
    r"|affect|affects|affected|hurt|hurts|body|brain)\b)",
    re.I,
)
_HELPERS = (
    r"(charit(y|ies)|foundations?|organi[sz]ations?|orgs?|associations?|societ(y|ies)|non-?profits?|advocacy"
    r"|helplines?)"
)
_ORGANISATION_QUESTION = re.compile(
    rf"\b{_HELPERS}\b"
    r"|\b(support|patient|self-help|advocacy)\s+groups?\b|\bwhich\s+groups?\b"
    r"|\bwho\b(\s+\S+){0,4}?\s+(help|helps|contact|call|ring|write|turn)\b"
    r"|\b(where|who)\b(\s+\S+){0,5}?\s+(get|find|look for)\s+(help|support|advice)\b",
    re.I,
)


_SOURCE_QUESTION = re.compile(
    r"\b(?:sources?|disclaimer|citations?|cite|reviewed|up[ -]to[ -]date|out[ -]of[ -]date|last updated"
    r"|how (?:old|current|recent)"
    r"|who (?:\S+ ){0,2}?(?:wrote|writes|published|publishes|put out|puts out|produced|produces|provided|provides"
    r"|issued|made)"
    r"|(?:written|published|produced|provided|issued) by)\b",
    re.I,
)


# A question about what else a condition is called: then a MedQuAD document's "Other names:" line
# (`ingest.loaders.medquad`) may be the marked answer.
_NAMES_QUESTION = re.compile(
    r"\b(other|another|different|alternative|medical|proper|official)\s+(names?|words?|terms?)\b"
    r"|\b(also|else)\s+(called|known)\b|\bknown as\b|\bcalled\b|\bnamed?\b|\bsame (thing|condition|as)\b",
    re.I,
)


def asks_for_names(question: str) -> bool:
    """True when the question asks what else something is called ("is DYT1 the same as Oppenheim's?")."""
    return _NAMES_QUESTION.search(question) is not None


# Asks where to read more: then a list of resources' names (`ingest.records.is_reference_list`) answers.
_READING_QUESTION = re.compile(
    r"\b(?:resources?|further reading|read(?:ing)? more|learn more|more (?:info|information|details)|"
    r"web ?sites?|links?|references?|gene ?reviews?|registr(?:y|ies)"
    r"|where (?:can|do|could) (?:i|we) (?:find|read|look))\b",
    re.I,
)


def asks_for_reading(question: str) -> bool:
    """True when the question asks where to read or look further ("any resources on DYT6?")."""
    return _READING_QUESTION.search(question) is not None


# "this twisting muscle condition", "these twisting movements", "the jerks-plus-twisting condition":
# a description the question names its subject by, up to three words before the noun.
_NAMED_BY = re.compile(
    r"\b(?:this|that|these|those|the|my|his|her|their|your)\s+((?:[\w'-]+\s+){1,3}?)"
    r"(?:condition|disorder|disease|illness|problem|thing|movements?)\b",
    re.I,
)


def naming_words(question: str) -> frozenset[str]:
    """The words of the description a question names its subject by ("can shaky hands be part of
    this twisting muscle condition?": "twisting", "muscle"), lower case. They say what is asked
    about, not what is asked: a sentence holding them ("These contractions result in twisting…")
    is no better an answer for it."""
    return frozenset(
        word for match in _NAMED_BY.finditer(question) for word in re.findall(r"[a-z]+", match.group(1).lower())
    )


def asks_for_contact(question: str) -> bool:
    """True when the question asks how to reach someone (then contact lines may answer it)."""
    return _CONTACT_QUESTION.search(question) is not None


def asks_for_organisation(question: str) -> bool:
    """True when the question asks for an organisation that helps: a charity, foundation, society or
    support group, or who can help with something. ("Can physio help?" is not one.)"""
    return _ORGANISATION_QUESTION.search(question) is not None


def asks_about_source(question: str) -> bool:
    """True when the question asks about a document itself: who wrote or published it, its source,
    how current it is ("who put out this fact sheet and how up to date is it?")."""
    return _SOURCE_QUESTION.search(question) is not None


# The document named ("this page", "the information"), or "this" with nothing after it ("who wrote
# this?"): the question is about what the reader is looking at, not "this song" or "this app".
_ITSELF = re.compile(
    r"\b(?:this|ths|these|the)\s+(?:page|pages|site|website|document|article|(?:fact|info) ?sheet|leaflet"
    r"|information|info|material|text)\b|\b(?:this|ths|these|here)\s*(?:[?.!]|$)",
    re.I,
)
# Words that ask about a document only when it is named or nothing else is asked ("when was this
# page updated", "is this info current", "where does this info come from", "published date").
_ABOUT_ITSELF = re.compile(
    r"\b(?:updated|revised|written|wrote|write|published|publish|publisher|dated?|authors?|current|outdated|old"
    r"|trust|trustworthy|reliable|legit|accurate|accuracy|credible|copyright|comes? from|came from|owns?|runs?"
    r"|whose)\b|\bfrom\s*(?:[?.!]|$)"
    r"|\b(?:get|got) (?:this|ths|the|that|your) info(?:rmation)?\b",
    re.I,
)
_DEICTIC = frozenset({"this", "ths", "these", "here"})
_PAGE_PRONOUN = re.compile(r"\b(?:it|its|and|how)\b", re.I)
# What else a question about the document itself may hold: question words and their phone spellings.
_FILLER = re.compile(
    r"\b(?:who|whom|whose|whos|what|whats|wat|when|whens|wen|where|is|are|was|were|the|a|an|of|by|on|last|s"
    r"|did|does|do|u|you|ur|your|this|ths|these|here)\b|[^\w\s]",
    re.I,
)


def asks_about_itself(question: str, topic: str | None = None) -> bool:
    """True when the question asks about the source of what the reader is looking at and names
    nothing else ("when was this page last updated?", "who wrote this?", "where does this info come
    from", "last updated", "who's the author"): documents' own notes answer it, however little its
    words mean to the model. "What is a good source of iron?" and "who wrote this song?" ask about no
    document (a new user's trial found the second answered with the review date)."""
    source = _SOURCE_QUESTION.search(question) is not None
    if not source and _ABOUT_ITSELF.search(question) is None:
        return False
    if any(m.group().split()[0].lower() in _DEICTIC for m in _ITSELF.finditer(question)):
        return True  # "this page", "who wrote this?": what the reader is looking at, whatever else is asked
    # Else nothing else may be named: "who wrote the page on myoclonus dystonia" asks about a page that
    # is not the one whose notes would answer (a new user's trial got the fact sheet's credit line).
    # The knowledge base's topic word names no other page ("how up to date is this dystonia page?"),
    # and once the page is named, "it" is the page ("who put out this info sheet and is it current").
    rest = _ABOUT_ITSELF.sub(" ", _SOURCE_QUESTION.sub(" ", question))
    named = re.sub(rf"\b{re.escape(topic)}s?\b", " ", rest, flags=re.I) if topic else rest
    if _ITSELF.search(named):  # "where does dystonia come from" names no page: the topic stays a subject
        rest = _PAGE_PRONOUN.sub(" ", _ITSELF.sub(" ", named))
    return not _FILLER.sub(" ", rest).strip()


# Which of a document's notes answers a question about it: who put it out (a source or credit line,
# "provided by …") or when (a review date). "who wrote this" marked the review date, though the
# sentence before it says "This information is provided by Cleveland Clinic" (a new user's trial).
_SOURCE_SHAPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (  # who put it out: a credit ("provided by"), over the source its text was taken from
        re.compile(r"\bwho\b|\bauthors?\b|\bwhat (?:organi[sz]ation|company|group|agency)\b", re.I),
        re.compile(r"\b(?:provided|produced|published|written|issued|put out) by\b", re.I),
    ),
    (  # where it comes from: a source or credit line
        re.compile(r"\bwhere\b|\bsources?\b|\bfrom\b", re.I),
        re.compile(r"^\W*sources?\s*:|^\W*NIH\s*:|\b(?:provided|produced|published|written|issued) by\b", re.I),
    ),
    (  # when: a date
        re.compile(
            r"\bwhen\b|\bwen\b|\bdate[ds]?\b|\bhow (?:old|recent|current)\b|\bup[ -]to[ -]date\b|\bupdated\b"
            r"|\bcurrent\b|\brecent\b",
            re.I,
        ),
        re.compile(
            r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:19|20)\d\d\b|\b(?:reviewed|updated|revised) (?:on|in)\b"
            r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}\b",
            re.I,
        ),
    ),
)


# The shape of an answer, when the question's words ask for one: a duration ("how long do attacks
# last?"), an age ("at what age does it start?"), how common something is, a chance ("will my kids
# get it?"), a gene, or what sets something off. Each question pattern is paired with the pattern a
# sentence of that shape matches; evidence favours such sentences over ones that only restate the
# question's subject ("PNKD is a disorder that causes periods of involuntary movement").
_UNITS = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)"
# A sentence that says no gene has been found is not of the gene shape: for "which gene is behind
# rapid-onset dystonia parkinsonism?", "In some people …, no mutation in the ATP1A3 gene has been
# identified." names a gene but answers the opposite (tuning sets tune2 and tune3, EVALUATION.md).
NOT_IDENTIFIED = (
    r"\bno (?:\w+ ){0,2}(?:mutations?|genes?|variants?|changes?)\b.*\b(?:identified|found|detected)\b"
    r"|\b(?:not|never) (?:been |yet )?(?:identified|found|detected)\b"
)
_NOT_FOUND = rf"{NOT_IDENTIFIED}|\b(?:is|are|remains?) unknown\b"


# A question asking what something is ("What is dystonia?", "what actually is this twisting muscle
# thing?", "What does idiopathic mean?"), not what its treatment or cause is: the answer is the
# sentence that says what it is ("Dystonia is a movement disorder that…", "…are called primary or
# idiopathic dystonia"), not the shortest sentence that names it ("Some people inherit dystonia.").
_DEFINITION_QUESTION = (
    r"^\W*(?:so |and |ok |but )?what\s+(?:exactly|actually|really)\s+(?:is|are)\b"
    r"|^\W*(?:so |and |ok |but )?what(?:'s|’s|s|\s+is|\s+are)\s+(?:(?:exactly|actually|really)\b"
    r"|(?!(?:the|a|an|your|my|its|their|this|that|it)\b)(?:[\w'’-]+\s*){1,4}\W*$)"
    r"|\bwhat (?:does|do) (?:\S+\s+){1,6}?mean\b|\bwhat is meant by\b|\bdefin(?:e|ition)\b|\bmeaning of\b"
)


@dataclass(frozen=True)
class Shape:
    """The shape of sentence that answers a question: `pattern` matches it, unless `unless` does."""

    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    # Whether a chunk holding a sentence of this shape gains in ranking (`search.SearchSettings.shape_weight`)
    # as well as such a sentence being marked. Inheritance and cause only mark: their sentence words
    # ("inherited", "caused by") are in most chunks about a condition (tuning sets: no ranking gain;
    # SciFact, whose claims say "causes of", lost 0.7371 → 0.7352 nDCG@10 with it).
    ranks: bool = True

    def search(self, sentence: str) -> bool:
        """True when the sentence (a sentence unit, as evidence scores them) is of this shape."""
        return self.pattern.search(sentence) is not None and (
            self.unless is None or self.unless.search(sentence) is None
        )


# Each shape: the question's pattern, the answering sentence's pattern and its flags, the sentences
# excluded, and whether a chunk holding such a sentence also ranks higher (`Shape.ranks`).
_SHAPES: tuple[tuple[re.Pattern[str], Shape], ...] = tuple(
    (
        re.compile(question, re.I),
        Shape(re.compile(sentence, flags), re.compile(unless, re.I) if unless else None, ranks),
    )
    for question, sentence, flags, unless, ranks in (
        (
            r"\bhow long\b(?!\s+ago)|\bhow many (?:hours|minutes|days|weeks)\b",
            rf"\b\d+(?:\s*(?:to|-|–|or)\s*\d+)?[\s-]*{_UNITS}\b|\b(?:a few|several|many) {_UNITS}\b"
            rf"|\b{_UNITS}[\s-]long\b|\blifelong\b|\bbrief\b",
            re.I,
            None,
            True,
        ),
        (
            r"\b(?:what|which|at what) age\b|\bhow old\b|\bage (?:of onset|does|do|it)\b"
            r"|\bwhen\b(?:\s+\S+){0,5}?\s+(?:start|starts|begin|begins|appear|appears|show up|shows up|develop"
            r"|develops|come on|comes on|first)\b",
            r"\bages?\s+(?:of\s+)?\d|\b\d+\s*(?:years?|months?)\s+old\b|\bin (?:their|his|her) (?:teens|\d0s)\b"
            r"|\b(?:infancy|childhood|adolescence|adulthood|middle age|later in life|late in life|before age"
            r"|after age|birth|early life|mid-adulthood|teenage years)\b",
            re.I,
            None,
            True,
        ),
        (
            r"\bhow (?:common|rare|many people|frequent|prevalent|widespread)\b|\bprevalence\b|\bincidence\b"
            r"|\bhow many (?:\w+ )?(?:have|get|are affected)\b",
            r"\b\d[\d,.]*\s+(?:in|per|out of)\s+(?:every\s+)?[\d,.]+|\bper (?:million|hundred|thousand)\b"
            r"|\b\d+(?:\.\d+)?\s*(?:percent|%)|\b(?:prevalence|incidence)\b|\b(?:very |extremely )?rare\b"
            r"|\b(?:most|more|less|least) common\b|\bestimated\b",
            re.I,
            None,
            True,
        ),
        (
            r"\b(?:chance|chances|odds|likelihood|probability|risk)\b(?:\s+\S+){0,8}?\s+"
            r"(?:child|children|kids?|sons?|daughters?|baby|babies|inherit|pass|passing|get)\b"
            r"|\b(?:will|would|could) (?:my|our) (?:child|children|kids?|sons?|daughters?|baby) (?:get|inherit|have)\b",
            r"\b\d+\s*%|\bpercent\b|\b1 in \d|\bchance\b|\brisk\b",
            re.I,
            None,
            True,
        ),
        (
            r"\b(?:which|what) (?:\w+ )?genes?\b|\bgenes? (?:is |are )?(?:involved|responsible|affected|causes?)\b"
            r"|\bgenetic (?:cause|change|mutation)s?\b",
            r"\b(?!DYT)[A-Z][A-Z0-9]*\d[A-Z0-9]*\b|\b[A-Z]{2,8}\b(?:,? (?:or|and) [A-Z0-9]{2,8})? genes?\b",
            0,  # gene symbols are capitals: "GCH1", "SPR gene"
            _NOT_FOUND,
            True,
        ),
        (
            r"\b(?:triggers?|triggered|set(?:s|ting)? (?:it |them |\w+ )?off|brings? (?:it |them )?on"
            r"|brought on|aggravat\w*|flare\w*)\b|\bmakes? (?:\w+ ){0,3}worse\b|\bworsen\w*\b",
            r"\b(?:triggered|triggers?|brought on|precipitated|provoked|induced|exacerbated|intensified"
            r"|worsens?|worsened|made worse|aggravated)\b",
            re.I,
            None,
            True,
        ),
        (
            r"\b(?:is|are) (?:it|this|that|they|\w+(?:[- ]\w+){0,3}) (?:hereditary|inherited|genetic)\b|\bhereditary\?"
            r"|\bruns? in (?:the |my |our )?famil\w*|\bpass(?:ed|es|ing)? (?:it |this |that )?(?:on|down)\b"
            r"|\bhow (?:is|are) (?:it|this|they|\w+(?:[- ]\w+){0,3}) (?:inherited|passed)\b"
            r"|\bfrom (?:my|his|her|their|the|your) (?:parents?|mum|mom|dad|father|mother)\b"
            r"|\b(?:mum|mom|mother|dad|father)(?:'s|s)? side\b",
            r"\binherit\w*|\bautosomal\b|\bX-linked\b|\bfamil(?:y|ies|ial)\b|\bpaternal\b|\bmaternal\b"
            r"|\bparents?\b",
            re.I,
            None,
            False,
        ),
        (
            r"\bwhat (?:causes|caused)\b|\bcauses? of\b|\bwhat(?:'s| is) (?:behind|the reason)\b"
            r"|\bwhy (?:do|does|did) (?:\w+ ){0,4}(?:get|have|develop)\b",
            r"\b(?:caused by|due to|results? from|resulting from|because of|inherit\w*|mutations?|another disease"
            r"|other diseases|injury|unknown)\b",
            re.I,
            None,
            False,
        ),
        (
            _DEFINITION_QUESTION,
            r"\b(?:is|are)\s+(?:(?:a|an|one|any)\b|(?:\w+\s+){0,2}(?:disorders?|conditions?|diseases?|syndromes?"
            r"|forms?|types?|groups?)\b)|\b(?:called|referred to as|known as|defined as|(?<!which )means)\b",
            re.I,
            None,
            True,
        ),
        (
            r"\btreat(?:ed|ment|ments|ing)?\b|\btherap(?:y|ies)\b|\bmanag(?:e|ed|ing)\b|\brelie(?:ve|f)\b|\boptions\b"
            r"|\bwhat (?:can|could|should) (?:be done|help|i do|we do|they do|doctors do)\b"
            r"|\b(?:what|which|anything|something)\b(?:\s+\w+){0,3}\s+(?:help|helps)\b",
            r"\b(?:treat(?:ed|ment|ments)?|therap(?:y|ies|eutic)|medications?|drugs?|injections?|surgery|surgical"
            r"|botulinum|botox|levodopa|L-Dopa|splint\w*|biofeedback|deep brain stimulation|relaxants?"
            r"|may help|can help)\b",
            re.I,
            None,
            True,
        ),
    )
)


def answer_shape(question: str) -> Shape | None:
    """The shape a sentence answering the question has, when the question asks for a duration, an
    age, how common something is, a chance, a gene, a trigger, how it is inherited, what causes
    it, what it is or what treats it; else None. The first that fits counts, in that order. The
    gene pattern is case-sensitive: it looks for symbols such as "GCH1" or "SPR gene", and a
    sentence saying no gene was found is not of its shape."""
    return next((sentence for asked, sentence in _SHAPES if asked.search(question)), None)


@dataclass(frozen=True)
class Intent:
    """What one question asks for, read once a search: ranking and evidence marking both use it."""

    organisation: bool  # `asks_for_organisation`
    contact: bool  # `asks_for_contact`
    source: bool  # `asks_about_source`
    shape: Shape | None  # `answer_shape`
    names: bool = False  # `asks_for_names`
    itself: bool = False  # `asks_about_itself`: the documents' own notes answer it
    reading: bool = False  # `asks_for_reading`: a list of resources answers it
    naming: frozenset[str] = frozenset()  # `naming_words`: how it refers to what it asks about

    @property
    def contact_lines_answer(self) -> bool:
        """True when an address or phone line may be the marked answer (contact or organisation asked)."""
        return self.contact or self.organisation


NOTHING_ASKED = Intent(organisation=False, contact=False, source=False, shape=None)


def source_shape(question: str) -> Shape | None:
    """For a question about a document itself, the note that answers it: a source or credit line for
    who put it out, a date for when; None when the question asks neither."""
    return next((Shape(note, ranks=False) for asked, note in _SOURCE_SHAPES if asked.search(question)), None)


def read_intent(question: str, topic: str | None = None) -> Intent:
    """Everything this module says about a question, in one value. A question about the document
    itself asks about its source, and for the note of the shape `source_shape` reads."""
    itself = asks_about_itself(question, topic)
    source = itself or asks_about_source(question)
    shape = answer_shape(question)
    if source and shape is None:
        shape = source_shape(question)
    # "what organisation wrote this", "where does this info come from": a document's credit, not an
    # organisation's entry or address.
    return Intent(
        not itself and asks_for_organisation(question),
        not itself and asks_for_contact(question),
        source,
        shape,
        asks_for_names(question),
        itself,
        asks_for_reading(question),
        naming_words(question),
    )
