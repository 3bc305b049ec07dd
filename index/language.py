"""Whether a question is written in another language than English.

The documents and the language model are English: a question in Spanish or German is matched by
the few words it shares with English ("stress", "Parkinson"), or by nothing, and its passages
are no answer. The page says so instead of showing them as if they were.

The test reads the question's small words. `_OTHER` holds frequent words of Spanish, Portuguese,
French, Italian, German and Dutch that are not English words (and the condition's name as they
spell it: "distonía", "Dystonie"); `_SHARED` holds those that are also
English words or names ("die", "son", "Los Angeles", "Des Moines", "MIT") or an English
speaker's slip ("wat"), counted only beside at least one of the first kind, as is the condition's
name in their spelling ("distonia", `_NAMES`). A question with three or more words is in another language when
two of its words, and a quarter of all of them, are such words, or when it opens with "¿" or "¡".
"""

from __future__ import annotations

import re

_OTHER = frozenset(
    # Spanish
    "el una unos unas que qué cómo cuál cuáles cuándo dónde por qué porque puede pueden tiene tienen "
    "tengo tener está están estoy ser estar mis mío mía hijo hija niño niña niños madre padre "
    "también pero muy más ayuda enfermedad médico tratamiento síntomas cura empeora mejora "
    # Portuguese
    "não é uma meu minha pode posso tem filho filha você doença também muito "
    # French
    "je sont une avec dans peut quoi quel quelle pourquoi comment qui elle nous vous ça maladie "
    "mes très aussi traitement "
    # Italian
    "gli della delle che sono mio mia può perché cosa anche malattia molto "
    # German
    "ich du wir ihr ist sind wird werden kann können mein meine meinen habe nicht kein keine und "
    "oder bei auf für über wenn warum wie wo welche welcher gibt sich auch sehr krankheit behandlung "
    "eine einen einem einer das der "
    # Dutch
    "een ik niet mijn hoe waarom ziekte heeft kunnen ook "
    # a few words patients ask with, as those languages spell them
    "hereditaria ereditaria hereditária héréditaire erblich erfelijk "
    "sintomi symptômes symptome symptomen sintomas".split()
)
# The condition's name as those languages spell it, counted only beside a word of `_OTHER`: alone it
# is as often an English speaker's misspelling ("wat causes distonia").
_NAMES = frozenset("distonía distonías distonia distonias dystonie dystonien".split())
_SHARED = frozenset(
    "la las lo le les de del des di da do con para son es mi se si y o e a en et il un non per come "
    "die von zu mit was het kan zijn van op in al den dem des est j hay hat ma los wat".split()
)
_WORD = re.compile(r"[^\W\d_]+")


def other_language(question: str) -> bool:
    """Whether the question reads as written in another language than English (see the module)."""
    text = question.strip().lower()
    if text.startswith(("¿", "¡")):
        return True
    words = _WORD.findall(text)
    if len(words) < 3:
        return False
    other = sum(word in _OTHER for word in words)
    if not other:
        return False
    other += sum(word in _NAMES for word in words)
    shared = sum(word in _SHARED for word in words)
    return other + shared >= 2 and (other + shared) * 4 >= len(words)
