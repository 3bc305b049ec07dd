"""Progress of long work (files loaded, chunks embedded), reported as named stages with totals.

`Progress` is what the update and the evaluation report to; `TqdmProgress` is the command line's:
bars on stderr when it is a terminal, and plain progress lines every few seconds (done, total,
rate, ETA) when it is not (a log file, a CI job, `nohup`), so long work is never silent.
`SILENT` ignores it all. The page has its own (a Streamlit bar). The embedder only ever sees a
plain callback, `Progress.advance`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

LINE_EVERY_SECONDS = 5.0


class Progress(Protocol):
    """Receives progress: a stage ("files", "chunks") with its total, then advances."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


SILENT: Progress = _Silent()


class LineProgress:
    """A line every `every` seconds: "chunks 1,200/5,000 (24%), 18.3/s, ETA 3m27s", and one when a
    stage that lasted that long ends. Work shorter than `every` prints nothing."""

    def __init__(
        self,
        stream: TextIO | None = None,
        every: float = LINE_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream or sys.stderr
        self._every, self._clock = every, clock
        self._name, self._total, self._done, self._shown = "", 0, 0, -1
        self._started = self._last = 0.0

    def stage(self, name: str, total: int) -> None:
        """Start counting a stage; an empty stage prints nothing."""
        self.close()
        self._name, self._total, self._done, self._shown = name, total, 0, -1
        self._started = self._last = self._clock()

    def advance(self, n: int = 1) -> None:
        """Count n more; print a line when `every` seconds have passed since the last one."""
        self._done += n
        now = self._clock()
        if now - self._last >= self._every:
            self._last = now
            self._print(now)

    def close(self) -> None:
        """Print the finished stage's last line, if it took long enough to have had any."""
        now = self._clock()
        if self._name and self._total and now - self._started >= self._every and self._shown != self._done:
            self._print(now)
        self._name, self._total = "", 0

    def _print(self, now: float) -> None:
        self._shown = self._done
        self._stream.write(progress_line(self._name, self._done, self._total, now - self._started) + "\n")
        self._stream.flush()


def progress_line(name: str, done: int, total: int, seconds: float) -> str:
    """The text of one progress line."""
    share = f" ({100 * done / total:.0f}%)" if total else ""
    rate = done / seconds if seconds > 0 else 0.0
    line = f"{name} {done:,}/{total:,}{share}, {rate:.1f}/s"
    if 0 < done < total and rate > 0:
        line += f", ETA {_duration((total - done) / rate)}"
    elif done >= total:
        line += f", done in {_duration(seconds)}"
    return line


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class TqdmProgress:
    """Progress bars on stderr, one per stage, when stderr is a terminal; `LineProgress` otherwise."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._lines = None if sys.stderr.isatty() else LineProgress()

    def stage(self, name: str, total: int) -> None:
        """Start a new bar (or line counter) for this stage."""
        if self._lines is not None:
            self._lines.stage(name, total)
            return
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(
            total=total,
            desc=name,
            unit=name[:-1] if name.endswith("s") else name,
            file=sys.stderr,
            leave=False,
        )

    def advance(self, n: int = 1) -> None:
        """Move the current bar on by n."""
        if self._lines is not None:
            self._lines.advance(n)
        elif self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Remove the current bar (or print the stage's last line)."""
        if self._lines is not None:
            self._lines.close()
        if self._bar is not None:
            self._bar.close()
            self._bar = None
