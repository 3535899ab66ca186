"""The import wizard (upload → preview → confirm) and the set page's export buttons, per role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flashcards.models import ImportSession, Question, QuestionSet
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
    join_class,
)

pytestmark = pytest.mark.django_db

GIFT_WITH_ONE_ERROR = """// Activations, chapter 4
::sigmoid:: What does sigmoid return for 0? {=0.5 ~1 ~0}

::relu:: ReLU of a negative number is {=zero =0}

::squash:: Which one squashes into (0, 1)? {~tanh ~ReLU}

::linear:: ReLU is linear for positive inputs. {T}
"""
FIXED_GIFT = GIFT_WITH_ONE_ERROR.replace("{~tanh ~ReLU}", "{~tanh ~ReLU =sigmoid}")


@pytest.fixture
def instructor(client):
    user = InstructorFactory()
    client.force_login(user)
    return user


def upload(client, text: str, name: str = "chapter4.gift", **fields):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8")), "format": "", **fields}
    return client.post(reverse("import-start"), data)


def test_a_gift_file_with_an_error_is_previewed_with_its_line_and_cannot_be_imported(
    client, instructor
):
    response = upload(client, GIFT_WITH_ONE_ERROR)
    session = ImportSession.objects.get(owner=instructor)
    assert response.url == reverse("import-preview", args=[session.pk])
    page = client.get(response.url).content.decode()
    assert "3 questions found" in page
    assert "line 6, column" in page
    assert "No answer is marked correct" in page
    assert "::squash:: Which one squashes into (0, 1)?" in page  # the line itself
    assert reverse("import-wizard-confirm", args=[session.pk]) not in page
    # The whole upload comes back to be fixed in place.
    assert "::linear:: ReLU is linear for positive inputs. {T}" in page


def test_fixing_the_text_replaces_the_upload_and_importing_makes_the_set(client, instructor):
    upload(client, GIFT_WITH_ONE_ERROR)
    first = ImportSession.objects.get(owner=instructor)
    response = client.post(
        reverse("import-start"),
        {"text": FIXED_GIFT, "format": "gift", "title": "Activations", "replaces": str(first.pk)},
    )
    second = ImportSession.objects.get(owner=instructor)
    assert second.pk != first.pk
    page = client.get(response.url).content.decode()
    assert "4 questions found" in page
    assert "Multiple choice" in page
    response = client.post(reverse("import-wizard-confirm", args=[second.pk]))
    question_set = QuestionSet.objects.get(owner=instructor)
    assert response.url == reverse("set-edit", args=[question_set.pk])
    assert question_set.title == "Activations"
    assert question_set.questions.count() == 4
    # Confirming twice imports once.
    client.post(reverse("import-wizard-confirm", args=[second.pk]))
    assert Question.objects.filter(question_set__owner=instructor).count() == 4


def test_an_unreadable_file_is_refused_and_its_text_kept_for_fixing(client, instructor):
    response = upload(client, '{"quizsite-questions": 1, "questions": [', "set.json", format="json")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Invalid JSON" in page
    assert "line 1, column" in page
    assert "{&quot;quizsite-questions&quot;: 1, &quot;questions&quot;: [" in page  # in the box
    assert 'value="json" selected' in page
    assert not ImportSession.objects.exists()


def test_an_empty_form_says_what_is_missing(client, instructor):
    response = client.post(reverse("import-start"), {"title": "Kept title"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a file, or paste the questions as text." in page
    assert 'value="Kept title"' in page


def test_questions_can_be_added_to_an_existing_set_but_not_to_someone_elses(client, instructor):
    mine = QuestionSetFactory(owner=instructor)
    QuestionFactory(question_set=mine)
    theirs = QuestionSetFactory(visibility=QuestionSet.Visibility.PUBLIC)
    refused = upload(client, FIXED_GIFT, target=str(theirs.pk))
    assert refused.status_code == 400
    assert not ImportSession.objects.exists()
    page = client.get(f"{reverse('import-start')}?set={mine.pk}").content.decode()
    assert f'<option value="{mine.pk}" selected>' in page
    upload(client, FIXED_GIFT, target=str(mine.pk))
    session = ImportSession.objects.get()
    client.post(reverse("import-wizard-confirm", args=[session.pk]))
    assert mine.questions.count() == 5


def test_the_wizard_is_for_instructors_and_each_upload_for_its_owner(client, instructor):
    upload(client, FIXED_GIFT)
    session = ImportSession.objects.get()
    client.logout()
    assert client.get(reverse("import-start")).status_code == 302
    client.force_login(StudentFactory())
    assert client.get(reverse("import-start")).status_code == 403
    client.force_login(InstructorFactory())
    assert client.get(reverse("import-preview", args=[session.pk])).status_code == 404
    assert client.post(reverse("import-wizard-confirm", args=[session.pk])).status_code == 404
    assert not QuestionSet.objects.exists()


def test_the_preview_runs_in_a_bounded_number_of_queries(
    client, instructor, django_assert_max_num_queries
):
    upload(client, FIXED_GIFT * 20)
    session = ImportSession.objects.get()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("import-preview", args=[session.pk])).status_code == 200


def test_the_set_editor_links_to_the_import_wizard(client, instructor):
    question_set = QuestionSetFactory(owner=instructor)
    page = client.get(reverse("set-edit", args=[question_set.pk])).content.decode()
    assert f"{reverse('import-start')}?set={question_set.pk}" in page


# --- export buttons -------------------------------------------------------------------------


def export_formats(page: str) -> set[str]:
    import re

    return set(re.findall(r'data-format="([a-z]+)"', page))


def test_the_owner_gets_every_export_format_and_a_student_the_study_ones(client, instructor):
    question_set = QuestionSetFactory(owner=instructor, visibility=QuestionSet.Visibility.CLASSES)
    QuestionFactory(question_set=question_set, prompt="What does ReLU do?")
    classroom = ClassroomFactory(owner=instructor)
    classroom.question_sets.add(question_set)
    student = StudentFactory()
    join_class(student, classroom)
    url = reverse("set-detail", args=[question_set.pk])

    owner_page = client.get(url).content.decode()
    assert export_formats(owner_page) == {"json", "gift", "csv", "tsv", "apkg", "aiken"}
    client.force_login(student)
    student_page = client.get(url).content.decode()
    assert export_formats(student_page) == {"csv", "tsv", "apkg"}
    download = client.get(reverse("flashcards:question-set-export", args=[question_set.pk, "csv"]))
    assert download.status_code == 200
    assert "What does ReLU do?" in download.content.decode()
    gift = client.get(reverse("flashcards:question-set-export", args=[question_set.pk, "gift"]))
    assert gift.status_code == 403


def test_someone_who_cannot_read_the_set_gets_no_export(client):
    question_set = QuestionSetFactory(visibility=QuestionSet.Visibility.PRIVATE)
    client.force_login(InstructorFactory())
    assert client.get(reverse("set-detail", args=[question_set.pk])).status_code == 404
    export = client.get(reverse("flashcards:question-set-export", args=[question_set.pk, "csv"]))
    assert export.status_code == 404
