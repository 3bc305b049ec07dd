"""Progress of long work (files loaded, chunks embedded), reported as named stages with totals.

`Progress` is what the update and the evaluation report to; `TqdmProgress` draws bars on stderr
for the command line, `SILENT` ignores it all. The page has its own (a Streamlit bar). The
embedder only ever sees a plain callback, `Progress.advance`.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol


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


class TqdmProgress:
    """Progress bars on stderr, one per stage; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None

    def stage(self, name: str, total: int) -> None:
        """Start a new bar for this stage."""
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(
            total=total,
            desc=name,
            unit=name[:-1] if name.endswith("s") else name,
            file=sys.stderr,
            disable=None,
            leave=False,
        )

    def advance(self, n: int = 1) -> None:
        """Move the current bar on by n."""
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Remove the current bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
