"""Remove web-page residue that must not become passages: "Read more" link lines and
page-id markers such as "...#6006" left at the end of a copied web page.

Deliberately narrow: only whole lines and end-of-line markers are touched, so real text
such as "a new cell-based ..." keeps its ellipsis. No boilerplate detection beyond that.
"""

from __future__ import annotations

import re

# Link labels that only lead elsewhere; a trailing arrow or ellipsis is part of the label.
_LINK_LINE = re.compile(
    r"[ \t\u00a0]*(?:read more|continue reading)[ \t\u00a0]*[»›→.…]*[ \t\u00a0]*",
    re.IGNORECASE,
)
# CMS page-id marker glued after a date: "11/20/2012...#6006" or "...#6006#".
_PAGE_ID_MARKER = re.compile(r"\.{3}#\d+#?[ \t\u00a0]*$", re.MULTILINE)


def clean_web_residue(text: str) -> str:
    """Drop "Read more"-style link lines and trailing "...#1234" page-id markers."""
    text = _PAGE_ID_MARKER.sub("", text)
    lines = [line for line in text.split("\n") if not _LINK_LINE.fullmatch(line)]
    return "\n".join(lines)
