"""The Django admin for content: pages load with search and filters, question edits are
validated like the API's (inlines included) and bump the question's version."""

from __future__ import annotations

import pytest

from flashcards.models import Choice, Question
from tests.flashcards.factories import (
    ClassroomFactory,
    QuestionSetFactory,
    UserFactory,
    multiple_choice_question,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, role="instructor")
    client.force_login(admin)
    return client


@pytest.fixture
def question():
    return multiple_choice_question(QuestionSetFactory(title="Training a digit classifier"))


@pytest.mark.parametrize(
    "url",
    [
        "/admin/flashcards/questionset/?q=digit&visibility__exact=private",
        "/admin/flashcards/question/?q=squashes&kind__exact=multiple_choice",
        "/admin/flashcards/classroom/?q=group",
        "/admin/flashcards/user/?role__exact=instructor",
        "/admin/flashcards/course/",
        "/admin/flashcards/tag/",
        "/admin/flashcards/question/add/",
    ],
)
def test_admin_pages_load_with_search_and_filters(staff_client, question, url):
    ClassroomFactory(name="Deep learning, group 1")
    response = staff_client.get(url)
    assert response.status_code == 200


def test_the_question_changelist_finds_questions_by_text(staff_client, question):
    response = staff_client.get("/admin/flashcards/question/", {"q": "squashes"})
    assert response.context["cl"].result_count == 1


def test_the_question_page_has_inlines_for_choices_and_numerical_answers(staff_client, question):
    response = staff_client.get(f"/admin/flashcards/question/{question.pk}/change/")
    content = response.content.decode()
    assert 'name="choices-TOTAL_FORMS"' in content
    assert 'name="numerical_answers-TOTAL_FORMS"' in content


def change_form_data(question: Question, **overrides) -> dict:
    choices = list(question.choices.all())
    data = {
        "question_set": question.question_set_id,
        "position": question.position,
        "kind": question.kind,
        "title": question.title,
        "points": "1.00",
        "prompt": question.prompt,
        "answer": question.answer,
        "general_feedback": "",
        "normalize_whitespace": "on",
        "rubric": "[]",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
        "numerical_answers-TOTAL_FORMS": 0,
        "numerical_answers-INITIAL_FORMS": 0,
        "numerical_answers-MIN_NUM_FORMS": 0,
        "numerical_answers-MAX_NUM_FORMS": 1000,
    }
    for index, choice in enumerate(choices):
        data.update(
            {
                f"choices-{index}-id": choice.pk,
                f"choices-{index}-question": question.pk,
                f"choices-{index}-position": choice.position,
                f"choices-{index}-text": choice.text,
                f"choices-{index}-feedback": "",
                f"choices-{index}-match_text": "",
            }
        )
        if choice.is_correct:
            data[f"choices-{index}-is_correct"] = "on"
    data.update(overrides)
    return data


def test_editing_the_prompt_in_the_admin_bumps_the_version(staff_client, question):
    url = f"/admin/flashcards/question/{question.pk}/change/"
    response = staff_client.post(url, change_form_data(question, prompt="Which one is bounded?"))
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    question.refresh_from_db()
    assert question.prompt_html == "<p>Which one is bounded?</p>"
    assert question.version == 2


def test_saving_without_changes_keeps_the_version(staff_client, question):
    url = f"/admin/flashcards/question/{question.pk}/change/"
    assert staff_client.post(url, change_form_data(question)).status_code == 302
    question.refresh_from_db()
    assert question.version == 1


def test_the_admin_rejects_a_choice_list_without_a_correct_answer(staff_client, question):
    url = f"/admin/flashcards/question/{question.pk}/change/"
    data = change_form_data(question)
    data.pop("choices-0-is_correct")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Mark at least one choice as correct." in response.content.decode()
    assert Choice.objects.filter(question=question, is_correct=True).count() == 1


def test_the_admin_rejects_a_true_false_question_without_its_answer(staff_client, question):
    url = f"/admin/flashcards/question/{question.pk}/change/"
    data = change_form_data(question, kind="true_false")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Say whether the statement is true or false." in content
    assert "A true/false question has no choices." in content
    question.refresh_from_db()
    assert question.kind == "multiple_choice"
