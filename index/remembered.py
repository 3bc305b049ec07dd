"""A bounded, thread-safe memo: what a searcher remembers per index generation (a published
generation never changes, so a word's chunk count or a BM25 run stays true until the next one)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Remembered(Generic[K, V]):
    """The last `size` values by key; the least recently used one goes first. The value is computed
    outside the lock, so two threads may compute the same key at once (both get a right answer)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The remembered value of `key`, or `compute()`'s, remembered."""
        found = self.known([key])
        if key in found:
            return found[key]
        value = compute()
        self.remember({key: value})
        return value

    def known(self, keys: Iterable[K]) -> dict[K, V]:
        """The values remembered for those of `keys` that have one."""
        found: dict[K, V] = {}
        with self._lock:
            for key in keys:
                if key in self._items:
                    self._items.move_to_end(key)
                    found[key] = self._items[key]
        return found

    def remember(self, values: dict[K, V]) -> None:
        """Remember these values, forgetting the least recently used past `size`."""
        with self._lock:
            self._items.update(values)
            for key in values:
                self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
