"""Template sentences: those several documents hold with only their title changed ("These resources
address the diagnosis or management of <title>:", "The frequency may also be listed as a fraction.").

They are never an answer. Each generation counts, at build time, how many documents hold each
sentence unit with the document's title masked (the `sentence_keys` table, keyed by a 64-bit hash),
so a search knows a sentence is boilerplate however few of its copies are among the candidates.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

TEMPLATE_DOCUMENTS = 3  # a sentence this many documents hold, titles masked, is a template
_KEY_WORDS = re.compile(r"\w+|@")


def template_key(sentence: str, title: str) -> str:
    """A sentence's words in lower case with its document's title masked: a template sentence
    ("These resources address the diagnosis or management of <title>:") has one key in every document."""
    text = sentence.lower()
    if title.strip():
        text = text.replace(title.strip().lower(), " @ ")
    return " ".join(_KEY_WORDS.findall(text))


def key_hash(key: str) -> int:
    """A key as a signed 64-bit integer (an SQLite INTEGER PRIMARY KEY)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def sentence_hashes(text: str, title: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    """The distinct key hashes of a document's sentence units (spans into its text); a unit whose
    key is empty or one character has none."""
    keys = {template_key(text[a:b], title) for a, b in spans}
    return {key_hash(key) for key in keys if len(key) > 1}
