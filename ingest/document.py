"""Typed values passed between ingest stages: a loaded `Document` and its `Chunk`s.

Offsets always index into `Document.text`, the extracted text the store keeps, so
`document.text[chunk.char_start:chunk.char_end] == chunk.text` holds for every chunk.
No parsing, model or storage here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A titled span of a document's text; `start:end` is the body, without the heading line."""

    heading: str
    start: int
    end: int


@dataclass(frozen=True)
class Page:
    """The span of a document's text that came from one PDF page (numbered from 1)."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """One file of the corpus after loading: metadata plus the extracted text."""

    doc_id: str  # path relative to the corpus directory, with forward slashes
    title: str
    source: str  # URL when known, else the corpus path
    text: str
    sections: tuple[Section, ...]  # sorted, non-overlapping, inside text
    pages: tuple[Page, ...] = ()
    format: str = ""  # txt, md, html, pdf, docx, medquad
    collection: str = ""  # e.g. "founding", "MedQuAD GARD"; filled by the pipeline when empty


@dataclass(frozen=True)
class Chunk:
    """A sentence-aligned span of one section of a document, small enough to embed whole."""

    doc_id: str
    position: int  # 0-based order within the document
    text: str
    char_start: int
    char_end: int
    section: str = ""
    page: int | None = None
    context: str = field(default="")  # title and section, prepended when embedding

    @property
    def chunk_id(self) -> str:
        """Deterministic id: document path plus position."""
        return f"{self.doc_id}#{self.position}"

    @property
    def embed_text(self) -> str:
        """What the embedder sees: the context line, then the passage."""
        return embedding_input(self.context, self.text)


def embedding_input(context: str, text: str) -> str:
    """The text a chunk's vector is computed from; equal inputs give equal vectors."""
    return f"{context}\n{text}" if context else text


class LoadError(Exception):
    """A file could not be turned into a Document; the message says why, for the report."""
