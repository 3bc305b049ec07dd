"""What a generation holds and how it was built (manifest.json), and the one rule for when a
generation's vectors and chunks still fit the configured model and chunking settings."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

FORMAT_NAME = "dystonia-kb index"
FORMAT_VERSION = 3  # 2: sentence units and their vectors; 3: sentence keys counted (index.templates)
EXACT_INDEX = "IndexIDMap2(IndexFlatIP): exact inner product on unit vectors"


@dataclass(frozen=True)
class Manifest:
    """What a generation holds and how it was built; checked on every load."""

    generation: int
    model: str
    dimension: int
    chunking: dict
    documents: int
    chunks: int
    built_at: str
    units: int = 0  # sentence units with a stored vector (float16)
    index_type: str = EXACT_INDEX
    keyword_index: str = "SQLite FTS5, BM25, porter stemming"
    format: str = FORMAT_NAME
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        """Pretty JSON, as written to manifest.json."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse manifest.json; unknown keys are ignored, missing ones are an error."""
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def incompatibility(manifest: Manifest, model: str, dimension: int, chunking: dict | None = None) -> str:
    """Why a generation cannot serve this model (and chunking, when given); "" when it can.

    Vectors of two models are never mixed or compared; chunks cut with other settings would not
    match what a rebuild gives. This is the only place that decides either.
    """
    if manifest.model != model or manifest.dimension != dimension:
        return f"the model changed ({manifest.model}, {manifest.dimension} dimensions → {model}, {dimension})"
    if chunking is not None and manifest.chunking != chunking:
        return f"the chunking settings changed ({manifest.chunking} → {chunking})"
    return ""
