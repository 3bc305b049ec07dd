"""The searcher's bounded memo: values computed once, the least recently used forgotten first."""

from __future__ import annotations

from index.remembered import Remembered


def test_a_value_is_computed_once_and_the_least_recently_used_is_forgotten_first():
    memo: Remembered[str, int] = Remembered(2)
    calls: list[str] = []

    def compute(key: str) -> int:
        calls.append(key)
        return len(key)

    assert memo.get("a", lambda: compute("a")) == 1
    assert memo.get("bb", lambda: compute("bb")) == 2
    assert memo.get("a", lambda: compute("a")) == 1 and calls == ["a", "bb"], "remembered, not computed again"
    memo.remember({"ccc": 3})  # "bb" is now the least recently used
    assert len(memo) == 2 and memo.known(["a", "bb", "ccc"]) == {"a": 1, "ccc": 3}
    assert memo.get("bb", lambda: compute("bb")) == 2 and calls == ["a", "bb", "bb"]
