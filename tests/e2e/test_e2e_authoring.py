"""An instructor writes questions with math and sees them rendered as they type."""

from __future__ import annotations

import pytest

from flashcards.models import Question
from tests.e2e.conftest import assert_accessible, screenshot
from tests.flashcards.factories import InstructorFactory, QuestionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_instructor_edits_a_question_with_latex_and_sees_the_preview(new_page):
    instructor = InstructorFactory()
    question = QuestionFactory(
        question_set__owner=instructor,
        question_set__title="Activations",
        prompt="What does sigmoid do?",
    )
    page = new_page(user=instructor)
    page.goto(f"/sets/{question.question_set_id}/edit/")
    page.get_by_role("link", name="What does sigmoid do?").click()

    prompt = page.get_by_label("Question", exact=True)
    prompt.fill("What is $\\sigma(x) = \\frac{1}{1+e^{-x}}$ at $x = 0$?")
    preview = page.locator("#preview-prompt")
    preview.locator("math mfrac").wait_for()
    assert preview.locator("mi").first.text_content() == "σ"
    page.get_by_label("Back of the card").fill("Exactly $\\frac{1}{2}$, the midpoint.")
    page.locator("#preview-answer math").wait_for()
    screenshot(page, "question-editor")
    assert_accessible(page, "question-editor")

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("status").wait_for()
    question.refresh_from_db()
    assert "<mfrac>" in question.prompt_html
    assert question.version == 2


def test_an_instructor_sees_a_validation_error_next_to_the_choices(new_page):
    instructor = InstructorFactory()
    question_set = QuestionFactory(question_set__owner=instructor).question_set
    page = new_page(user=instructor)
    page.goto(f"/sets/{question_set.pk}/edit/")
    page.get_by_label("Kind of question").select_option("multiple_choice")
    page.get_by_role("button", name="Add question").click()
    page.get_by_label("Question", exact=True).fill("Which function squashes into (0, 1)?")
    page.get_by_label("Text 1").fill("sigmoid")
    page.get_by_label("Text 2").fill("ReLU")
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text("Mark at least one choice as correct.").is_visible()
    page.get_by_label("Correct 1").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("status").wait_for()
    assert question_set.questions.filter(kind=Question.Kind.MULTIPLE_CHOICE).count() == 1
