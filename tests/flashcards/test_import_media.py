"""Images that come inside Anki packages: stored with their questions, served from MEDIA to
those who may see the set, and shown by the notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flashcards.models import Question, QuestionMedia, QuestionSet
from flashcards.services.imports import import_questions
from tests.flashcards.factories import InstructorFactory, StudentFactory

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).parents[1] / "data" / "real_world" / "anki-modern-with-media.apkg"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def imported(owner=None):
    owner = owner or InstructorFactory()
    outcome = import_questions(user=owner, data=PACKAGE.read_bytes(), filename=PACKAGE.name)
    assert outcome.saved, outcome.problems
    return outcome.question_set


def test_the_images_notes_show_are_stored_once_each_and_the_notes_show_them(media_root):
    question_set = imported()
    rows = list(QuestionMedia.objects.order_by("question__position"))
    assert [(row.question.position, row.name, row.content_type) for row in rows] == [
        (0, "relu_curve.png", "image/png"),
        (1, "tanh-range.jpg", "image/jpeg"),
        (2, "tanh-range.jpg", "image/jpeg"),  # the cloze note's extra uses it too
    ]
    stored = sorted(path.name for path in media_root.rglob("*") if path.is_file())
    assert stored == ["relu_curve.png", "tanh-range.jpg"]
    basic = question_set.questions.get(position=0)
    url = rows[0].file.url
    assert url.startswith("/media/question-media/")
    assert f'<img src="{url}" alt="">' in basic.answer_html
    assert f"![]({url})" in basic.answer


def test_importing_the_same_image_again_reuses_its_file(media_root):
    imported()
    imported()
    assert len([path for path in media_root.rglob("*") if path.is_file()]) == 2
    assert QuestionMedia.objects.count() == 6


def test_the_owner_sees_an_image_with_its_checked_type_and_no_sniffing(client):
    owner = InstructorFactory()
    imported(owner)
    row = QuestionMedia.objects.get(name="relu_curve.png")
    client.force_login(owner)
    response = client.get(row.file.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("who", ["anonymous", "student", "other instructor"])
def test_an_image_of_a_private_set_is_missing_for_everyone_else(client, who):
    imported()
    row = QuestionMedia.objects.first()
    if who == "student":
        client.force_login(StudentFactory())
    elif who == "other instructor":
        client.force_login(InstructorFactory())
    assert client.get(row.file.url).status_code == 404


def test_an_image_of_a_public_set_is_served_to_anyone(client):
    question_set = imported()
    QuestionSet.objects.filter(pk=question_set.pk).update(visibility=QuestionSet.Visibility.PUBLIC)
    row = QuestionMedia.objects.first()
    assert client.get(row.file.url).status_code == 200


def test_a_made_up_media_address_is_missing(client):
    client.force_login(InstructorFactory())
    url = reverse("question-media", args=["ab", "abcdef", "x.png"])
    assert client.get(url).status_code == 404


def test_the_api_preview_counts_the_images_and_names_each_note_it_left_something_out_of(
    api_client,
):
    api_client.force_authenticate(InstructorFactory())
    upload = SimpleUploadedFile(PACKAGE.name, PACKAGE.read_bytes())
    response = api_client.post(
        reverse("flashcards:import-list"), {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.data
    assert response.data["media"] == 2
    assert response.data["total"] == 6
    assert [(row["line"], row["code"]) for row in response.data["dropped"]] == [
        (5, "media-skipped"),
        (6, "media-skipped"),
    ]
    confirmed = api_client.post(reverse("flashcards:import-confirm", args=[response.data["id"]]))
    assert confirmed.status_code == 201
    assert Question.objects.filter(media__isnull=False).distinct().count() == 3
