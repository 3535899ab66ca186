"""The import API: upload → preview → confirm, per role, with bad input never becoming a 500."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flashcards.models import ImportSession, Question, QuestionSet
from tests.flashcards.factories import InstructorFactory, QuestionSetFactory, StudentFactory

pytestmark = pytest.mark.django_db

GIFT = (
    "::Act:: Which function is zero for negative inputs?{=ReLU ~Sigmoid ~Tanh}\n\n"
    "Sigmoid outputs are always positive.{T}\n\n"
    "How many classes does MNIST have?{#10:0}\n"
)


def upload(client, content: bytes | str = GIFT, name="questions.gift", **fields):
    data = content.encode() if isinstance(content, str) else content
    payload = {"file": SimpleUploadedFile(name, data), **fields}
    return client.post(reverse("flashcards:import-list"), payload, format="multipart")


def test_an_instructor_uploads_previews_and_confirms_into_a_new_set(api_client):
    instructor = InstructorFactory()
    api_client.force_authenticate(instructor)
    response = upload(api_client, title="Activations quiz")
    assert response.status_code == 201, response.data
    preview = response.data
    assert preview["format"] == "gift"
    assert preview["counts"] == {"multiple_choice": 1, "true_false": 1, "numerical": 1}
    assert preview["total"] == 3
    assert preview["can_confirm"] is True
    assert preview["problems"] == []
    assert QuestionSet.objects.count() == 0  # nothing saved before confirmation

    again = api_client.get(reverse("flashcards:import-detail", args=[preview["id"]]))
    assert again.status_code == 200
    assert again.data["counts"] == preview["counts"]

    confirmed = api_client.post(reverse("flashcards:import-confirm", args=[preview["id"]]))
    assert confirmed.status_code == 201, confirmed.data
    question_set = QuestionSet.objects.get(pk=confirmed.data["question_set"])
    assert question_set.title == "Activations quiz"
    assert question_set.owner == instructor
    assert question_set.questions.count() == 3
    session = ImportSession.objects.get(pk=preview["id"])
    assert session.status == "imported"
    assert bytes(session.data) == b""  # the upload is not kept once imported

    twice = api_client.post(reverse("flashcards:import-confirm", args=[preview["id"]]))
    assert twice.status_code == 409
    assert Question.objects.count() == 3


def test_an_editor_imports_into_an_existing_set_after_its_questions(api_client):
    question_set = QuestionSetFactory()
    Question.objects.create(
        question_set=question_set, kind="flashcard", prompt="Old", answer="card", position=4
    )
    api_client.force_authenticate(question_set.owner)
    response = upload(api_client, question_set=question_set.pk)
    assert response.status_code == 201
    confirmed = api_client.post(reverse("flashcards:import-confirm", args=[response.data["id"]]))
    assert confirmed.data["question_set"] == question_set.pk
    assert list(question_set.questions.values_list("position", flat=True)) == [4, 5, 6, 7]


def test_a_co_editor_may_import_into_the_set(api_client):
    question_set = QuestionSetFactory()
    co_editor = StudentFactory()
    question_set.co_editors.add(co_editor)
    api_client.force_authenticate(co_editor)
    response = upload(api_client, question_set=question_set.pk)
    assert response.status_code == 201
    assert (
        api_client.post(
            reverse("flashcards:import-confirm", args=[response.data["id"]])
        ).status_code
        == 201
    )


def test_anonymous_users_are_refused(api_client):
    assert upload(api_client).status_code in (401, 403)
    assert ImportSession.objects.count() == 0


def test_students_may_not_create_sets_by_import(api_client):
    api_client.force_authenticate(StudentFactory())
    response = upload(api_client)
    assert response.status_code == 403
    assert ImportSession.objects.count() == 0


def test_another_instructor_may_not_import_into_a_set_they_do_not_edit(api_client):
    question_set = QuestionSetFactory(visibility=QuestionSet.Visibility.PUBLIC)
    api_client.force_authenticate(InstructorFactory())
    assert upload(api_client, question_set=question_set.pk).status_code == 403
    private = QuestionSetFactory()
    assert upload(api_client, question_set=private.pk).status_code == 404
    assert ImportSession.objects.count() == 0


def test_another_users_pending_upload_is_invisible(api_client):
    owner = InstructorFactory()
    api_client.force_authenticate(owner)
    session_id = upload(api_client).data["id"]
    api_client.force_authenticate(InstructorFactory())
    assert api_client.get(reverse("flashcards:import-detail", args=[session_id])).status_code == 404
    assert (
        api_client.post(reverse("flashcards:import-confirm", args=[session_id])).status_code == 404
    )
    assert (
        api_client.delete(reverse("flashcards:import-detail", args=[session_id])).status_code == 404
    )
    assert QuestionSet.objects.count() == 0


def test_losing_edit_rights_before_confirming_saves_nothing(api_client):
    question_set = QuestionSetFactory()
    co_editor = InstructorFactory()
    question_set.co_editors.add(co_editor)
    api_client.force_authenticate(co_editor)
    session_id = upload(api_client, question_set=question_set.pk).data["id"]
    question_set.co_editors.remove(co_editor)
    assert (
        api_client.post(reverse("flashcards:import-confirm", args=[session_id])).status_code == 403
    )
    assert question_set.questions.count() == 0


def test_a_pending_upload_can_be_discarded(api_client):
    api_client.force_authenticate(InstructorFactory())
    session_id = upload(api_client).data["id"]
    assert (
        api_client.delete(reverse("flashcards:import-detail", args=[session_id])).status_code == 204
    )
    assert ImportSession.objects.count() == 0


def test_a_file_with_errors_previews_its_problems_and_cannot_be_confirmed(api_client):
    api_client.force_authenticate(InstructorFactory())
    response = upload(api_client, GIFT + "\nBroken {=a ~b\n")
    assert response.status_code == 201
    assert response.data["can_confirm"] is False
    (problem,) = [p for p in response.data["problems"] if p["severity"] == "error"]
    assert (problem["line"], problem["column"]) == (7, 8)
    confirmed = api_client.post(reverse("flashcards:import-confirm", args=[response.data["id"]]))
    assert confirmed.status_code == 400
    assert confirmed.data["problems"][0]["line"] == 7
    assert QuestionSet.objects.count() == 0
    assert Question.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.txt"),
        (bytes(range(256)) * 8, "junk.bin"),
        (b"PK\x03\x04 broken zip", "deck.apkg"),
        (b'{"format": "quizsite-questions", "version": 1, "questions": [', "set.json"),
    ],
    ids=["empty", "binary", "broken-zip", "truncated-json"],
)
def test_unreadable_files_are_refused_with_a_positioned_problem(api_client, content, name):
    api_client.force_authenticate(InstructorFactory())
    response = upload(api_client, content, name=name)
    assert response.status_code == 400
    problem = response.data["problems"][0]
    assert problem["line"] >= 1
    assert problem["column"] >= 1
    assert problem["message"]
    assert ImportSession.objects.count() == 0


def test_oversized_files_are_refused(api_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    api_client.force_authenticate(InstructorFactory())
    response = upload(api_client, GIFT * 3)
    assert response.status_code == 413
    assert "limit" in response.data["problems"][0]["message"]
    assert ImportSession.objects.count() == 0


def test_a_missing_file_or_unknown_format_is_a_clear_400(api_client):
    api_client.force_authenticate(InstructorFactory())
    missing = api_client.post(reverse("flashcards:import-list"), {}, format="multipart")
    assert missing.status_code == 400
    assert "file" in missing.data
    unknown = upload(api_client, format="docx")
    assert unknown.status_code == 400
    assert "format" in unknown.data


def test_the_format_can_be_forced(api_client):
    api_client.force_authenticate(InstructorFactory())
    response = upload(api_client, "term\tdefinition of it\n", name="cards.txt", format="tsv")
    assert response.data["format"] == "tsv"
    assert response.data["counts"] == {"flashcard": 1}


def test_confirm_takes_a_bounded_number_of_queries(api_client, django_assert_max_num_queries):
    api_client.force_authenticate(InstructorFactory())
    many = "\n\n".join(f"Question {n}?{{=yes ~no}}" for n in range(60))
    session_id = upload(api_client, many).data["id"]
    with django_assert_max_num_queries(20):
        response = api_client.post(reverse("flashcards:import-confirm", args=[session_id]))
    assert response.data["created"] == 60


# --- export ----------------------------------------------------------------------------------


def test_editors_export_any_format_and_viewers_only_study_formats(api_client):
    question_set = QuestionSetFactory(visibility=QuestionSet.Visibility.PUBLIC)
    Question.objects.create(
        question_set=question_set, kind="flashcard", prompt="Front", answer="Back"
    )
    api_client.force_authenticate(question_set.owner)
    response = api_client.get(
        reverse("flashcards:question-set-export", args=[question_set.pk, "json"])
    )
    assert response.status_code == 200
    assert json.loads(response.content)["questions"][0]["prompt"] == "Front"
    assert "attachment" in response["Content-Disposition"]

    api_client.force_authenticate(StudentFactory())
    assert (
        api_client.get(
            reverse("flashcards:question-set-export", args=[question_set.pk, "apkg"])
        ).status_code
        == 200
    )
    assert (
        api_client.get(
            reverse("flashcards:question-set-export", args=[question_set.pk, "json"])
        ).status_code
        == 403
    )


def test_exports_of_invisible_sets_and_unknown_formats_are_not_found(api_client):
    question_set = QuestionSetFactory()
    api_client.force_authenticate(InstructorFactory())
    assert (
        api_client.get(
            reverse("flashcards:question-set-export", args=[question_set.pk, "csv"])
        ).status_code
        == 404
    )
    api_client.force_authenticate(question_set.owner)
    assert (
        api_client.get(
            reverse("flashcards:question-set-export", args=[question_set.pk, "docx"])
        ).status_code
        == 404
    )
    api_client.logout()
    assert api_client.get(
        reverse("flashcards:question-set-export", args=[question_set.pk, "csv"])
    ).status_code in (401, 403)
