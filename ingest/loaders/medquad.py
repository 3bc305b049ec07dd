"""Load MedQuAD question–answer XML files (.xml), in the main schema and the NINDS variant.

main:  <Document source url><Focus/><QAPairs><QAPair><Question/><Answer/></QAPair>…
NINDS: <doc corpus url><doctitle-focus/><qaPairs><pair><question/><answer/></pair>…

Text is the focus as a title line, then per pair the question line and the answer, with
a blank line between pairs; each pair is one section headed by its question and spanning
its answer only. The focus's synonyms lead the first answer as one line, "Other names: A; B",
so a question that uses another name ("DYT1", "Oppenheim dystonia") finds the passage that
names it. Answers keep their words; runs of spaces, tabs and no-break spaces become one space
and the answer's paragraphs become single lines. Leaves out: UMLS annotations, question types
and ids. Pairs without an answer (MedQuAD removed some for
copyright) are skipped. Parsed with xml.etree, which does not fetch external entities but
does expand internal ones, so a file that declares any entity (an entity-expansion bomb, an
external entity) is refused before it is parsed: `check_xml_entities` reads no further than
the start of the root element, where every declaration must already have appeared.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from ingest.document import Document, LoadError, Section
from ingest.loaders._common import collapse_spaces, tidy_lines
from ingest.loaders._text_builder import TextBuilder


@dataclass(frozen=True)
class _Schema:
    """Tag and attribute names of one MedQuAD XML layout."""

    root: str
    focus: str
    pairs: str
    pair: str
    question: str
    answer: str
    collection_attr: str


OTHER_NAMES = "Other names"  # the heading of the section that lists the focus's synonyms

_SCHEMAS = (
    _Schema("Document", "Focus", "QAPairs", "QAPair", "Question", "Answer", "source"),
    _Schema("doc", "doctitle-focus", "qaPairs", "pair", "question", "answer", "corpus"),
)


def load_medquad(path: Path, doc_id: str) -> Document:
    """Load a MedQuAD XML file: the focus as title, one section per answered question."""
    data = path.read_bytes()
    check_xml_entities(data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise LoadError(f"not well-formed XML ({exc})") from None
    schema = _match_schema(root)
    if schema is None:
        raise LoadError(f"not a MedQuAD document (root element <{root.tag}>)")

    title = collapse_spaces(root.findtext(schema.focus) or "")
    title = title or collapse_spaces(root.get("id") or root.get("docid") or "") or doc_id
    builder = TextBuilder()
    builder.add(title)
    sections: list[Section] = []
    names = _other_names(root, title)
    container = root.find(schema.pairs)  # present: _match_schema checked it
    for pair in container.iter(schema.pair) if container is not None else ():
        question = collapse_spaces(_element_text(pair.find(schema.question)))
        answer = tidy_lines(_element_text(pair.find(schema.answer)))
        if not answer:
            continue
        separator = "\n\n"
        if question:
            builder.add(question, separator)
            separator = "\n"
        if names and not sections:  # the focus's other names lead its first answer
            start, _ = builder.add(f"{OTHER_NAMES}: {'; '.join(names)}", separator)
            _, end = builder.add(answer, "\n")
        else:
            start, end = builder.add(answer, separator)
        sections.append(Section(heading=question, start=start, end=end))
    if not sections:
        raise LoadError("no text found (no answered questions in this MedQuAD file)")

    url = (root.get("url") or "").strip()
    return Document(
        doc_id=doc_id,
        title=title,
        source=url if url.lower().startswith(("http://", "https://")) else doc_id,
        text=builder.text(),
        sections=tuple(sections),
        format="medquad",
    )


def sniff_medquad(data: bytes) -> bool:
    """True for well-formed XML in one of the MedQuAD schemas, without entity declarations."""
    try:
        check_xml_entities(data)
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError, LoadError):
        return False
    return _match_schema(root) is not None


class _RootReached(Exception):
    """The prolog is over: no entity declaration can follow."""


def check_xml_entities(data: bytes) -> None:
    """Refuse XML whose DOCTYPE declares entities, reading only up to the root element's start tag.

    Malformed XML passes here; the parser proper reports it.
    """

    def refuse(name: str, is_parameter: bool, *_: object) -> None:
        kind = "a parameter entity" if is_parameter else "an entity"
        raise LoadError(
            f"refused: the XML declares {kind} ({name}); entity declarations can expand without "
            "bound or read other files, so they are not accepted"
        )

    def stop(*_: object) -> None:
        raise _RootReached

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = stop
    try:
        parser.Parse(data, True)
    except (_RootReached, expat.ExpatError):
        return


def _match_schema(root: ET.Element) -> _Schema | None:
    """The schema whose root tag and QA container this element has, else None."""
    for schema in _SCHEMAS:
        if root.tag == schema.root and root.find(schema.pairs) is not None:
            return schema
    return None


def _other_names(root: ET.Element, title: str) -> list[str]:
    """The focus's synonyms in file order, each once (case ignored), the title itself left out."""
    seen = {title.casefold()}
    names: list[str] = []
    for element in root.iter("Synonym"):
        name = collapse_spaces(_element_text(element))
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def _element_text(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""
