"""Place names as addresses write them: a US state's name → its postal code.

An organisation's entry gives its town and state the way an envelope does ("Fountain Valley, CA
92708"), so a reader asking for "a dystonia group in California" shares no word with it, and the
model reads "CA" as nothing. `postal_codes` finds the states a question names; the search looks
for their codes beside the question's own words, and counts the names as held when the index holds
the codes. Only name → code: a question's "MD" or "IN" is left as typed. No model here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# The USPS codes of the fifty states and the District of Columbia.
STATES = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "district of columbia": "DC",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
}
# Longest names first: "west virginia" before "virginia", "new york" before any shorter name.
_NAME = re.compile(r"\b(" + "|".join(n.replace(" ", r"\s+") for n in sorted(STATES, key=len, reverse=True)) + r")\b")
# Codes that are everyday words too ("in", "or", "me", "ok", "hi", "oh"): looked for, they would find
# chat, not addresses, so these states are not widened.
EVERYDAY_CODES = frozenset({"IN", "OR", "ME", "OK", "HI", "OH"})


class Place(NamedTuple):
    """A state a question names: its name's words as typed, lower case, and its postal code."""

    words: tuple[str, ...]
    code: str


def postal_codes(question: str) -> list[Place]:
    """The states a question names, first named first, each once: "dystonia group in new jersey"
    names New Jersey (NJ). "West Virginia" is one state, not Virginia too. States whose codes are
    everyday words (`EVERYDAY_CODES`) are left out."""
    found: dict[str, Place] = {}
    for match in _NAME.finditer(question.lower()):
        name = re.sub(r"\s+", " ", match.group(1))
        if STATES[name] not in EVERYDAY_CODES:
            found.setdefault(name, Place(tuple(name.split()), STATES[name]))
    return list(found.values())
