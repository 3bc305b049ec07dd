"""What kind of answer a question asks for, when its words say so: how to reach someone, an
organisation that helps, or the document itself (its source, its date). No model here; plain
patterns over the question's words.

A contact question ("what's their phone number?") lets an address line be the marked answer. An
organisation question ("is there a charity for…", "who can help with…", "a support group") asks
for an organisation's entry (name, address, phone), so such entries are favoured in ranking. A
question about the source ("who put out this fact sheet?") is the only kind a document's own note
(source line, disclaimer, review date) answers.
"""

from __future__ import annotations

import re

_CONTACT_QUESTION = re.compile(r"\b(contact|address|phone|call|email|e-mail|reach|write|where|located|number)\b", re.I)
_HELPERS = (
    r"(charit(y|ies)|foundations?|organi[sz]ations?|associations?|societ(y|ies)|non-?profits?|advocacy|helplines?)"
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
