"""The instructor's set and question editor, and its live preview, through the test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flashcards.models import Question, QuestionSet
from tests.flashcards.factories import (
    ChoiceFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def rows(prefix: str, items: list[dict], total: int | None = None) -> dict:
    """Formset POST data: management form plus one dict per row."""
    total = len(items) if total is None else total
    data = {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


@pytest.fixture
def owner_client(client):
    instructor = InstructorFactory()
    client.force_login(instructor)
    client.instructor = instructor
    return client


def test_an_instructor_creates_a_set_and_lands_in_its_editor(owner_client):
    response = owner_client.post(
        reverse("set-create"),
        {
            "title": "Activation functions",
            "language": "en",
            "visibility": "private",
            "tags": "a, b",
        },
    )
    question_set = QuestionSet.objects.get(title="Activation functions")
    assert response.url == reverse("set-edit", args=[question_set.pk])
    assert sorted(question_set.tags.values_list("name", flat=True)) == ["a", "b"]


def test_a_student_cannot_create_or_edit_sets(client):
    question_set = QuestionSetFactory(visibility=QuestionSet.Visibility.PUBLIC)
    client.force_login(StudentFactory())
    assert client.get(reverse("set-create")).status_code == 403
    assert client.get(reverse("set-edit", args=[question_set.pk])).status_code == 403
    assert client.post(reverse("preview") + "?field=prompt", {"prompt": "x"}).status_code == 403


def test_another_instructor_cannot_edit_a_set(client):
    question = QuestionFactory()
    client.force_login(InstructorFactory())
    assert client.get(reverse("set-edit", args=[question.question_set_id])).status_code == 403
    assert client.get(reverse("question-edit", args=[question.pk])).status_code == 403


def test_a_flashcard_with_latex_is_saved_with_rendered_math(owner_client):
    question_set = QuestionSetFactory(owner=owner_client.instructor)
    response = owner_client.post(
        reverse("question-create", args=[question_set.pk]) + "?kind=flashcard",
        {
            "kind": "flashcard",
            "prompt": "What is $\\sigma(0)$?",
            "answer": "$$\\sigma(0) = \\frac{1}{2}$$",
            "points": "1",
        },
    )
    question = question_set.questions.get()
    assert response.url == reverse("question-edit", args=[question.pk])
    assert "<math" in question.prompt_html
    assert "<mfrac" in question.answer_html


def test_a_multiple_choice_question_without_a_correct_choice_shows_the_error_and_keeps_input(
    owner_client,
):
    question_set = QuestionSetFactory(owner=owner_client.instructor)
    data = {"kind": "multiple_choice", "prompt": "Which squashes into (0, 1)?", "points": "1"}
    data |= rows("choices", [{"text": "sigmoid"}, {"text": "ReLU"}, {}])
    response = owner_client.post(
        reverse("question-create", args=[question_set.pk]) + "?kind=multiple_choice", data
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mark at least one choice as correct." in page
    assert 'value="sigmoid"' in page
    assert not question_set.questions.exists()


def test_a_blank_choice_text_is_reported_on_its_own_row(owner_client):
    question_set = QuestionSetFactory(owner=owner_client.instructor)
    # (A matching row with only a right-hand side is a distractor, so this uses a choice list.)
    data = {"kind": "multiple_choice", "prompt": "Which is bounded?", "points": "1"}
    data |= rows(
        "choices",
        [{"text": "sigmoid", "is_correct": "on"}, {"text": "ReLU"}, {"feedback": "Unbounded."}],
    )
    response = owner_client.post(
        reverse("question-create", args=[question_set.pk]) + "?kind=multiple_choice", data
    )
    assert response.status_code == 400
    assert "Write the text of this choice." in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("true_false", {"correct_boolean": "true"}),
        ("description", {}),
        ("cloze", {}),
        ("short_answer", rows("choices", [{"text": "ReLU", "is_correct": "on"}])),
        (
            "numerical",
            rows("numerical_answers", [{"value": "0.5", "tolerance": "0.01", "weight": "100"}]),
        ),
        (
            "free_text",
            {"answer": "It adds non-linearity."}
            | rows("rubric", [{"criterion": "Mentions non-linearity", "points": "1"}]),
        ),
        (
            "multiple_choice",
            rows("choices", [{"text": "0.5", "is_correct": "on"}, {"text": "0"}]),
        ),
        (
            "matching",
            rows("choices", [{"text": "a", "match_text": "1"}, {"text": "b", "match_text": "2"}]),
        ),
    ],
)
def test_every_kind_of_question_can_be_created_in_the_editor(owner_client, kind, extra):
    question_set = QuestionSetFactory(owner=owner_client.instructor)
    prompt = "The {{c1::sigmoid}} of 0 is 0.5." if kind == "cloze" else "What is sigmoid(0)?"
    editor = reverse("question-create", args=[question_set.pk]) + f"?kind={kind}"
    assert owner_client.get(editor).status_code == 200
    response = owner_client.post(editor, {"kind": kind, "prompt": prompt, "points": "2"} | extra)
    assert response.status_code == 302, response.content.decode()[-3000:]
    question = question_set.questions.get()
    assert question.kind == kind
    assert owner_client.get(reverse("question-edit", args=[question.pk])).status_code == 200


def test_editing_a_choice_keeps_its_row_and_bumps_the_version(owner_client):
    question = QuestionFactory(
        question_set__owner=owner_client.instructor, kind=Question.Kind.MULTIPLE_CHOICE
    )
    right = ChoiceFactory(question=question, text="0.5", is_correct=True)
    wrong = ChoiceFactory(question=question, text="1")
    data = {"kind": "multiple_choice", "prompt": question.prompt, "points": "1"}
    data |= rows(
        "choices",
        [
            {"id": str(right.pk), "text": "one half", "is_correct": "on"},
            {"id": str(wrong.pk), "text": "1"},
        ],
    )
    response = owner_client.post(reverse("question-edit", args=[question.pk]), data)
    assert response.status_code == 302
    right.refresh_from_db()
    question.refresh_from_db()
    assert right.text == "one half"
    assert question.version == 2


def test_a_row_with_feedback_but_no_number_is_kept_as_the_any_other_number_answer(owner_client):
    question_set = QuestionSetFactory(owner=owner_client.instructor)
    data = {"kind": "numerical", "prompt": "How many output units for digits?", "points": "1"}
    data |= rows(
        "numerical_answers",
        [{"value": "10", "weight": "100"}, {"weight": "0", "feedback": "One per digit."}, {}],
    )
    editor = reverse("question-create", args=[question_set.pk]) + "?kind=numerical"
    response = owner_client.post(editor, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    answers = list(question_set.questions.get().numerical_answers.order_by("position"))
    assert [(a.value, a.weight, a.feedback) for a in answers] == [
        (10.0, 100, ""),
        (None, 0, "One per digit."),
    ]


def test_the_preview_renders_markdown_and_math_and_neutralises_scripts(owner_client):
    url = reverse("preview") + "?field=prompt"
    response = owner_client.post(url, {"prompt": "**bold** $x^2$ <script>alert(1)</script>"})
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<msup>" in html
    assert "<script" not in html


def test_the_preview_rejects_unknown_fields(owner_client):
    assert owner_client.post(reverse("preview") + "?field=title", {}).status_code == 400


def test_an_unknown_kind_is_not_found(owner_client):
    question_set = QuestionSetFactory(owner=owner_client.instructor)
    url = reverse("question-create", args=[question_set.pk]) + "?kind=essay"
    assert owner_client.get(url).status_code == 404


def test_editing_an_imported_essay_without_a_reference_answer_asks_for_one(owner_client):
    question_set = QuestionSetFactory(owner=owner_client.instructor)
    essay = QuestionFactory(question_set=question_set, kind="free_text", answer="")
    response = owner_client.post(
        reverse("question-edit", args=[essay.pk]),
        {"kind": "free_text", "prompt": "Why stack layers?", "points": "1"} | rows("rubric", []),
    )
    assert response.status_code == 400
    assert "reference answer" in response.content.decode()
