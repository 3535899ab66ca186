"""A refused quiz answer comes back as the field's inline error, with DEBUG on or off.

The autosave answers 422 with the message fragment; base.html's htmx configuration swaps a
422 into the question's status line.  Under DEBUG a 400 would be taken by django-htmx's debug
handler, which replaces the whole page with the fragment.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    InstructorFactory,
    classroom_with_students,
    free_text,
    numerical,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    owner = InstructorFactory()
    classroom, (student,) = classroom_with_students(owner, 1)
    quiz = QuizFactory(owner=owner, classrooms=[classroom])
    numerical(quiz.question_set, value=0.5, position=0)
    free_text(quiz.question_set, position=1)
    attempt, _ = start_attempt(quiz=quiz, student=student)
    return attempt


@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG=0", "DEBUG=1"])
def test_a_percent_sign_in_a_number_is_refused_in_place(client, attempt, debug):
    client.force_login(attempt.student)
    with override_settings(DEBUG=debug):
        response = client.post(
            reverse("attempt-autosave", args=[attempt.pk, 1]),
            {"q1-present": "1", "q1-value": "87%"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 422
    assert response.content.decode().startswith('<span class="incorrect" role="alert">')
    assert "“87%” is not a number." in response.content.decode()
    assert attempt.answers.get(slot=1).response is None


@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG=0", "DEBUG=1"])
def test_an_essay_over_twenty_thousand_characters_is_refused_in_place(client, attempt, debug):
    client.force_login(attempt.student)
    with override_settings(DEBUG=debug):
        response = client.post(
            reverse("attempt-autosave", args=[attempt.pk, 2]),
            {"q2-present": "1", "q2-text": "x" * 20_001},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="pt-br",
        )
    assert response.status_code == 422
    assert "no máximo 20.000 caracteres; esta resposta tem 20,001" in response.content.decode()


def test_every_page_swaps_a_422_into_its_target(client, attempt):
    client.force_login(attempt.student)
    page = client.get(reverse("attempt-page", args=[attempt.pk])).content.decode()
    assert '{"code":"422","swap":true,"error":false}' in page
