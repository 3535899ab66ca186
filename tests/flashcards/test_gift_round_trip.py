"""GIFT → import → export GIFT → import gives the same questions: kinds, keys, weights and
feedback per answer, through the database (what an instructor moving a bank in and out gets)."""

from __future__ import annotations

import pytest

from flashcards import formats
from flashcards.selectors.exports import export_question_set
from flashcards.services.imports import import_questions
from tests.flashcards.factories import REAL_WORLD, InstructorFactory

FILE = REAL_WORLD / "moodle_gift_export_deep_learning.txt"
EXTRA = b"""
Every weighted answer and its feedback must survive.{
\t~%50%half right#half feedback
\t~%50%other half#other feedback
\t~%-25%wrong#wrong feedback
####general feedback}

True/false with only the right answer's feedback.{T##Yes, true.}

True/false with only the wrong answer's feedback.{F#No, it is false.}

Numerical with a range and feedback.{#1..5#in range}
"""


def view(question) -> dict:
    return {
        "kind": question.kind,
        "title": question.title,
        "prompt": question.prompt,
        "answer": question.answer,
        "general_feedback": question.general_feedback,
        "correct_boolean": question.correct_boolean,
        "true_feedback": question.true_feedback,
        "false_feedback": question.false_feedback,
        "allow_multiple": question.allow_multiple,
        "tags": question.tags,
        "choices": [
            (c.text, c.is_correct, c.weight, c.feedback, c.match_text) for c in question.choices
        ],
        "numerical": sorted(
            (a.value, a.tolerance, a.minimum, a.maximum, a.weight, a.feedback)
            for a in question.numerical_answers
            if a.value is not None or a.minimum is not None
        )
        + [
            (a.weight, a.feedback)
            for a in question.numerical_answers
            if a.value is None and a.minimum is None
        ],
    }


@pytest.mark.django_db
def test_a_gift_bank_comes_back_from_export_as_the_same_questions():
    source = FILE.read_bytes() + EXTRA
    first = formats.parse(source, fmt="gift")
    assert first.errors == []
    outcome = import_questions(user=InstructorFactory(), data=source, fmt="gift")
    assert outcome.saved
    exported = export_question_set(question_set=outcome.question_set, fmt="gift")
    assert exported.problems == []
    again = formats.parse(exported.content, fmt="gift")
    assert again.errors == []
    assert [view(q) for q in again.questions] == [view(q) for q in first.questions]
    assert len(again.questions) == 16
