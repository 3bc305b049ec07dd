"""Progress lines for long work when stderr is not a terminal (a log, CI, nohup)."""

from __future__ import annotations

import io

from index.progress import LineProgress, progress_line


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_line_every_few_seconds_with_rate_and_eta() -> None:
    out, clock = io.StringIO(), FakeClock()
    progress = LineProgress(out, every=5.0, clock=clock)
    progress.stage("chunks", 1000)
    for _ in range(10):
        clock.now += 1.0
        progress.advance(20)
    lines = out.getvalue().splitlines()
    assert lines == ["chunks 100/1,000 (10%), 20.0/s, ETA 45s", "chunks 200/1,000 (20%), 20.0/s, ETA 40s"]


def test_a_long_stage_ends_with_a_done_line_and_a_short_one_prints_nothing() -> None:
    out, clock = io.StringIO(), FakeClock()
    progress = LineProgress(out, every=5.0, clock=clock)
    progress.stage("files", 3)
    progress.advance(3)
    progress.stage("chunks", 120)  # the quick files stage ends silently
    clock.now = 6.0
    progress.advance(100)
    progress.advance(20)
    progress.close()
    assert out.getvalue().splitlines() == [
        "chunks 100/120 (83%), 16.7/s, ETA 1s",
        "chunks 120/120 (100%), 20.0/s, done in 6s",
    ]


def test_the_done_line_is_not_repeated() -> None:
    out, clock = io.StringIO(), FakeClock()
    progress = LineProgress(out, every=5.0, clock=clock)
    progress.stage("chunks", 10)
    clock.now = 5.0
    progress.advance(10)
    progress.close()
    assert out.getvalue().splitlines() == ["chunks 10/10 (100%), 2.0/s, done in 5s"]


def test_eta_reads_in_minutes_and_hours() -> None:
    assert progress_line("chunks", 10, 100_000, 10.0).endswith("ETA 27h46m")
    assert progress_line("chunks", 600, 2400, 60.0).endswith("ETA 3m00s")
