"""A student takes a timed quiz (autosave, reload, submit) and reads the review."""

from __future__ import annotations

import re

import pytest

from quizzes.models import Attempt
from tests.e2e.conftest import assert_accessible, screenshot
from tests.flashcards.factories import (
    InstructorFactory,
    classroom_with_students,
    free_text,
    multiple_choice,
    numerical,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_student_takes_a_quiz_and_sees_the_review(new_page):
    owner = InstructorFactory()
    classroom, (student,) = classroom_with_students(owner, 1)
    quiz = QuizFactory(
        owner=owner, classrooms=[classroom], title="Activations quiz", time_limit_seconds=900
    )
    multiple_choice(
        quiz.question_set,
        correct=("sigmoid",),
        wrong=("ReLU", "tanh"),
        prompt="Which function squashes any input into (0, 1)?",
        answer="Sigmoid: $\\sigma(x) = \\frac{1}{1+e^{-x}}$ never reaches 0 or 1.",
        position=0,
    )
    numerical(quiz.question_set, value=0.5, prompt="What is $\\sigma(0)$?", position=1)
    free_text(quiz.question_set, prompt="Which one does the optimiser minimise?", position=2)

    page = new_page(user=student)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Activations quiz").click()
    page.get_by_role("button", name="Start the quiz").click()

    timer = page.get_by_role("timer")
    assert re.fullmatch(r"1[45]:\d\d", timer.text_content().strip())
    page.get_by_label("sigmoid").check()
    page.locator("#saved-1").get_by_text("Saved at").wait_for()
    page.get_by_label("Your answer (a number)").fill("0,5")
    page.locator("#saved-2").get_by_text("Saved at").wait_for()
    page.locator("#q3").get_by_label("Your answer").fill("The loss; a metric is for people.")
    page.locator("#saved-3").get_by_text("Saved at").wait_for()
    screenshot(page, "quiz-taking")
    assert_accessible(page, "quiz-taking")

    # A reload (or coming back later) resumes the same attempt with the answers in place.
    page.reload()
    assert page.get_by_label("sigmoid").is_checked()
    assert page.get_by_label("Your answer (a number)").input_value() == "0,5"
    assert Attempt.objects.filter(student=student).count() == 1

    page.get_by_role("button", name="Submit my answers").click()
    page.get_by_role("heading", name="Review of Activations quiz").wait_for()
    assert page.locator(".stat").text_content().startswith("2.00 / 3.00")
    assert page.locator("main").get_by_text("Correct", exact=True).count() == 2
    page.locator(".answer-review math").first.wait_for()  # the explanation's formula
    screenshot(page, "quiz-review")
    assert_accessible(page, "quiz-review")

    # The instructor sees the analytics and grades the free-text answer with the rubric.
    teacher = new_page(user=owner)
    teacher.goto(f"/quizzes/{quiz.pk}/analytics/")
    teacher.get_by_role("heading", name="Score distribution").wait_for()
    screenshot(teacher, "quiz-analytics")
    assert_accessible(teacher, "quiz-analytics")
    teacher.get_by_role("link", name="1 answer to grade").click()
    teacher.get_by_label("Names the loss").fill("1")
    teacher.get_by_label("Names the metric").fill("1")
    teacher.get_by_label("Comment for the student").fill("Both named.")
    assert_accessible(teacher, "quiz-grading")
    teacher.get_by_role("button", name="Save the grade").click()
    teacher.get_by_text("Nothing waits for a grade.").wait_for()
    assert Attempt.objects.get(student=student).score == 3
