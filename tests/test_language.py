"""Questions in another language than English (no model): read as such, and said so above the
passages or in place of them; no English question is taken for one."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from index.embedder import HashEmbedder
from index.language import other_language
from index.search import IN_ENGLISH, Searcher

OTHER = [
    "¿El estrés empeora la distonía?",
    "El estrés empeora la distonía",
    "Mi hijo tiene distonía, ¿qué puedo hacer?",
    "Los niños pueden tener distonía",
    "Kann Stress die Dystonie verschlimmern?",
    "Mein Sohn hat Dystonie, was kann man tun?",
    "Ist Dystonie erblich?",
    "Est-ce que le stress aggrave la dystonie ?",
    "Ma fille a une dystonie, que faire ?",
    "La distonia è ereditaria?",
    "Il mio medico dice che ho la distonia, cosa significa",
    "A distonia tem cura?",
    "Meu filho tem distonia, o que posso fazer",
    "Is dystonie erfelijk?",
    "Mijn moeder heeft dystonie, hoe kan ik helpen",
]
ENGLISH = [
    "Can you die from dystonia?",
    "Is there a dystonia clinic in Los Angeles or Des Moines?",
    "my son has dystonia, what is the treatment",
    "Was the MIT study on dystonia in mice or people?",
    "does hay fever make it worse",
    "Is it like Parkinson's disease?",
    "la la la",
    "el",
    "What is DYT1 (TOR1A) dystonia?",
    "Ménière's disease or dystonia: which causes my dizziness?",
    "wat causes distonia",  # misspelt English: "wat" is Dutch, "distonia" Spanish, neither alone says so
    "is distonia curable",
]


@pytest.mark.parametrize("question", OTHER)
def test_questions_in_other_languages_are_read_as_such(question):
    assert other_language(question)


@pytest.mark.parametrize("question", ENGLISH)
def test_english_questions_with_words_other_languages_share_are_english(question):
    assert not other_language(question)


def test_no_question_of_the_project_sets_is_taken_for_another_language():
    questions = [
        json.loads(line)["question"]
        for path in sorted((REPO / "bench" / "questions").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(questions) > 1000
    assert [q for q in questions if other_language(q)] == []


def test_a_question_in_another_language_is_told_to_ask_in_english(hash_index):
    searcher = Searcher(hash_index, HashEmbedder())
    answered = searcher.search("Kann Stress die Dystonie verschlimmern?", mode="keyword")
    assert answered.passages, "its shared words (stress) still find passages"
    assert answered.note.startswith(IN_ENGLISH) and "may not answer" in answered.note
    refused = searcher.search("Mi hijo tiene xqzv, ¿qué puedo hacer?", mode="keyword")
    assert refused.abstained and refused.message.startswith(IN_ENGLISH) and "ask in English" in refused.message
    english = searcher.search("Does stress make dystonia worse?", mode="keyword")
    assert english.passages and IN_ENGLISH not in english.note
