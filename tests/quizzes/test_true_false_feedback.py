"""True/false feedback per answer: written in the editor and the API, imported from Moodle, and
shown after grading only to whoever gave that answer."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from flashcards.services.content import validate_question_data
from quizzes.grading.graders import grade
from quizzes.grading.responses import validate_response
from quizzes.snapshots import take_snapshot
from tests.flashcards.factories import InstructorFactory, QuestionFactory, QuestionSetFactory

pytestmark = pytest.mark.django_db


def true_false_question(**fields):
    return QuestionFactory(
        kind="true_false",
        prompt="Softmax outputs add up to one.",
        correct_boolean=True,
        answer="",
        true_feedback="Yes: each is divided by the sum.",
        false_feedback="Look at the **denominator**.",
        general_feedback="Softmax normalises.",
        **fields,
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "<p>Yes: each is divided by the sum.</p>"), (False, "<strong>denominator</strong>")],
)
def test_each_answer_gets_its_own_feedback_after_grading(value, shown):
    snapshot = take_snapshot(true_false_question(), rng=random.Random(1), shuffle_choices=False)
    result = grade(snapshot, validate_response(snapshot, {"value": value}))
    (feedback,) = result.feedback
    assert shown in feedback
    assert "Softmax normalises" not in feedback  # the general feedback stays its own


def test_a_snapshot_taken_before_the_feature_grades_without_feedback():
    snapshot = take_snapshot(true_false_question(), rng=random.Random(1), shuffle_choices=False)
    del snapshot["true_feedback_html"], snapshot["false_feedback_html"]
    assert grade(snapshot, validate_response(snapshot, {"value": True})).feedback == []


def test_other_kinds_refuse_true_false_feedback():
    with pytest.raises(Exception, match="Only true/false questions"):
        validate_question_data(
            {"kind": "flashcard", "prompt": "Q", "answer": "A", "true_feedback": "x"}
        )


def test_the_editor_saves_the_feedback_of_each_answer(client):
    instructor = InstructorFactory()
    client.force_login(instructor)
    question_set = QuestionSetFactory(owner=instructor)
    response = client.post(
        reverse("question-create", args=[question_set.pk]) + "?kind=true_false",
        {
            "kind": "true_false",
            "prompt": "ReLU is linear.",
            "correct_boolean": "false",
            "true_feedback": "It bends at zero.",
            "false_feedback": "Right: $\\max(0, x)$ is piecewise linear.",
            "points": "1",
        },
    )
    assert response.status_code == 302
    question = question_set.questions.get()
    assert question.true_feedback == "It bends at zero."
    assert "<math" in question.false_feedback_html
    page = client.get(reverse("question-edit", args=[question.pk])).content.decode()
    assert "It bends at zero." in page


def test_the_api_reads_and_writes_the_feedback_of_each_answer():
    instructor = InstructorFactory()
    question_set = QuestionSetFactory(owner=instructor)
    api = APIClient()
    api.force_authenticate(instructor)
    response = api.post(
        f"/api/sets/{question_set.pk}/questions/",
        {
            "kind": "true_false",
            "prompt": "Sigmoid is bounded.",
            "correct_boolean": True,
            "true_feedback": "Between 0 and 1.",
            "false_feedback": "It never leaves (0, 1).",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["true_feedback_html"] == "<p>Between 0 and 1.</p>"
    assert response.data["false_feedback"] == "It never leaves (0, 1)."
