"""Turn one corpus file (or an in-memory Document) into a `PreparedDocument`: loaded, chunked, hashed.

This is the whole of ingest's side of indexing: what comes out is plain values, ready for the
index to embed and store. A file that cannot be loaded or yields no chunk raises `LoadError`
with the reason; an unexpected crash inside a parser is turned into one too, so one bad file
never stops a run.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.chunker import ChunkSettings, chunk_document
from ingest.corpus import CorpusFile, content_hash, with_collection
from ingest.document import Chunk, Document, LoadError
from ingest.limits import check_chunk_count
from ingest.loaders import load_document
from ingest.tokens import load_token_counter


@dataclass(frozen=True)
class PreparedDocument:
    """A loaded document, the hash of the bytes it came from, and its chunks."""

    document: Document
    content_hash: str
    chunks: tuple[Chunk, ...]

    @property
    def doc_id(self) -> str:
        """The document's id (its corpus path)."""
        return self.document.doc_id


def prepare_file(item: CorpusFile, settings: ChunkSettings) -> PreparedDocument:
    """Load and chunk one corpus file; raises LoadError with the reason when it cannot be indexed."""
    try:
        if item.unreadable:
            raise LoadError(item.unreadable)
        doc = with_collection(load_document(item.path, item.doc_id))
        chunks = tuple(chunk_document(doc, load_token_counter(), settings))
    except LoadError:
        raise
    except Exception as error:  # a parser or chunker bug: one file must not stop the run
        raise LoadError(f"unexpected error: {error!r}") from error
    if not chunks:
        raise LoadError("no text found")
    check_chunk_count(len(chunks))
    return PreparedDocument(doc, item.content_hash, chunks)


def prepare_document(doc: Document, settings: ChunkSettings) -> PreparedDocument:
    """Chunk a document that did not come from a file (benchmark corpora); hashed by its text."""
    chunks = tuple(chunk_document(doc, load_token_counter(), settings))
    return PreparedDocument(doc, content_hash(doc.text.encode("utf-8")), chunks)
