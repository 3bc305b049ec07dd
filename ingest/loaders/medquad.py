"""Load MedQuAD question–answer XML files (.xml), in the main schema and the NINDS variant.

main:  <Document source url><Focus/><QAPairs><QAPair><Question/><Answer/></QAPair>…
NINDS: <doc corpus url><doctitle-focus/><qaPairs><pair><question/><answer/></pair>…

Text is the focus as a title line, then per pair the question line and the answer, with
a blank line between pairs; each pair is one section headed by its question and spanning
its answer only. Answers keep their words; runs of spaces, tabs and no-break spaces become
one space and the answer's paragraphs become single lines. Leaves out: UMLS annotations,
synonyms, question types and ids. Pairs without an answer (MedQuAD removed some for
copyright) are skipped. Parsed with xml.etree, which does not fetch external entities.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

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


_SCHEMAS = (
    _Schema("Document", "Focus", "QAPairs", "QAPair", "Question", "Answer", "source"),
    _Schema("doc", "doctitle-focus", "qaPairs", "pair", "question", "answer", "corpus"),
)


def load_medquad(path: Path, doc_id: str) -> Document:
    """Load a MedQuAD XML file: the focus as title, one section per answered question."""
    try:
        root = ET.parse(path).getroot()
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
        start, end = builder.add(answer, separator)
        sections.append(Section(heading=question, start=start, end=end))
    if not sections:
        raise LoadError("no text found (no answered questions in this MedQuAD file)")

    url = (root.get("url") or "").strip()
    collection = collapse_spaces(root.get(schema.collection_attr) or "")
    return Document(
        doc_id=doc_id,
        title=title,
        source=url if url.lower().startswith(("http://", "https://")) else doc_id,
        text=builder.text(),
        sections=tuple(sections),
        format="medquad",
        collection=f"MedQuAD {collection}".strip(),
    )


def sniff_medquad(data: bytes) -> bool:
    """True for well-formed XML in one of the MedQuAD schemas."""
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError):
        return False
    return _match_schema(root) is not None


def _match_schema(root: ET.Element) -> _Schema | None:
    """The schema whose root tag and QA container this element has, else None."""
    for schema in _SCHEMAS:
        if root.tag == schema.root and root.find(schema.pairs) is not None:
            return schema
    return None


def _element_text(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""
