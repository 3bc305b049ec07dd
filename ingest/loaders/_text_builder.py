"""Assemble a document's text from pieces while recording where each piece lands.

Every loader that builds text from parts (paragraphs, table rows, pages, question–answer
pairs) appends them here, so the offsets that citations depend on are computed in one place:
`add` returns the exact span of what it appended, and the heading and title lines it is told
about become the section boundaries. No format knowledge here.
"""

from __future__ import annotations

from ingest.document import Section
from ingest.loaders._common import Marker, build_sections


class TextBuilder:
    """Appends text pieces with separators; knows every piece's span in the final text."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.markers: list[Marker] = []

    def add(self, piece: str, separator: str = "") -> tuple[int, int]:
        """Append `piece` (after `separator` unless it is the first piece); returns its span."""
        if self._parts and separator:
            self._parts.append(separator)
            self._length += len(separator)
        start = self._length
        self._parts.append(piece)
        self._length += len(piece)
        return start, self._length

    def add_heading(self, piece: str, separator: str = "", name: str | None = None) -> tuple[int, int]:
        """Append a heading line: the section after it is named `name` (default: the line itself)."""
        span = self.add(piece, separator)
        self.markers.append(Marker(span[0], span[1], piece if name is None else name))
        return span

    def add_title(self, piece: str, separator: str = "") -> tuple[int, int]:
        """Append the title line: it stays outside every section."""
        span = self.add(piece, separator)
        self.markers.append(Marker(span[0], span[1], ""))
        return span

    def __len__(self) -> int:
        return self._length

    def text(self) -> str:
        """The text assembled so far."""
        return "".join(self._parts)

    def sections(self) -> tuple[Section, ...]:
        """Sections cut at the heading and title lines (see `build_sections`)."""
        return build_sections(self.text(), self.markers)
