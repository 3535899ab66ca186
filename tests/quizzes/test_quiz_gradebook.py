"""The CSV gradebook: a row per student of the class, graded by the quiz's grading method."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from quizzes.models import Quiz
from quizzes.selectors.gradebook import COLUMNS, gradebook_csv
from quizzes.services.attempts.answer import save_answer, submit_attempt
from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    InstructorFactory,
    QuestionSetFactory,
    StudentFactory,
    classroom_with_students,
    join_class,
    true_false,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db


def take(quiz, student, right: int):
    """An attempt with the first `right` of the quiz's five true/false questions right."""
    attempt, _ = start_attempt(quiz=quiz, student=student)
    for slot in range(1, 6):
        save_answer(attempt=attempt, student=student, slot=slot, response={"value": slot <= right})
    submit_attempt(attempt=attempt, student=student)


@pytest.fixture
def gradebook():
    instructor = InstructorFactory()
    classroom, (ana, bo, cy) = classroom_with_students(instructor, 3)
    for user, (first, last) in zip(
        (ana, bo, cy), [("Ana", "Almeida"), ("Bo", "Berg"), ("Cy", "Cole")], strict=True
    ):
        user.first_name, user.last_name = first, last
        user.save()
    question_set = QuestionSetFactory(owner=instructor)
    for _ in range(5):
        true_false(question_set, correct=True)
    quiz = QuizFactory(
        owner=instructor, question_set=question_set, classrooms=[classroom], pass_mark=50
    )
    take(quiz, ana, 2)  # 40%
    take(quiz, ana, 4)  # 80%
    take(quiz, bo, 3)  # 60%
    start_attempt(quiz=quiz, student=bo)  # in progress: does not count
    return {
        "instructor": instructor,
        "quiz": quiz,
        "classroom": classroom,
        "students": (ana, bo, cy),
    }


def download(api_client, gradebook, user=None):
    api_client.force_login(user or gradebook["instructor"])
    response = api_client.get(reverse("quizzes:quiz-gradebook", args=[gradebook["quiz"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_every_student_of_the_class_has_a_row_even_without_attempts(api_client, gradebook):
    rows = download(api_client, gradebook)
    assert [row["last_name"] for row in rows] == ["Almeida", "Berg", "Cole"]
    assert list(rows[0]) == COLUMNS
    cole = rows[2]
    assert (cole["attempts"], cole["grade_percentage"], cole["passed"]) == ("0", "", "")
    assert cole["classes"] == gradebook["classroom"].name


@pytest.mark.parametrize(
    ("method", "ana", "bo"),
    [
        (Quiz.GradingMethod.HIGHEST, "80.00", "60.00"),
        (Quiz.GradingMethod.FIRST, "40.00", "60.00"),
        (Quiz.GradingMethod.LAST, "80.00", "60.00"),
        (Quiz.GradingMethod.AVERAGE, "60.00", "60.00"),
    ],
)
def test_the_grade_follows_the_quizs_grading_method(api_client, gradebook, method, ana, bo):
    quiz = gradebook["quiz"]
    quiz.grading_method = method
    quiz.save()
    rows = {row["first_name"]: row for row in download(api_client, gradebook)}
    assert (rows["Ana"]["grade_percentage"], rows["Bo"]["grade_percentage"]) == (ana, bo)
    assert rows["Ana"]["attempts"] == "2"
    assert rows["Bo"]["attempts"] == "1"
    assert rows["Ana"]["max_points"] == "5.00"


def test_passing_is_judged_against_the_pass_mark(api_client, gradebook):
    quiz = gradebook["quiz"]
    quiz.grading_method = Quiz.GradingMethod.FIRST
    quiz.save()
    rows = {row["first_name"]: row["passed"] for row in download(api_client, gradebook)}
    assert rows == {"Ana": "no", "Bo": "yes", "Cy": ""}


def test_a_name_that_looks_like_a_formula_is_neutralised():
    rows = [
        dict.fromkeys(COLUMNS, "") | {"first_name": '=HYPERLINK("http://x")', "last_name": "+1"}
    ]
    text = gradebook_csv(rows)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["first_name"] == '\'=HYPERLINK("http://x")'
    assert row["last_name"] == "'+1"


def test_another_instructor_assigned_a_class_gets_only_that_class(api_client, gradebook):
    other = InstructorFactory()
    their_class, (dee,) = classroom_with_students(other, 1)
    dee.last_name = "Dahl"
    dee.save()
    gradebook["quiz"].classrooms.add(their_class)
    rows = download(api_client, gradebook, user=other)
    assert [row["last_name"] for row in rows] == ["Dahl"]
    everyone = download(api_client, gradebook)
    assert [row["last_name"] for row in everyone] == ["Almeida", "Berg", "Cole", "Dahl"]


def test_a_student_who_left_the_class_keeps_their_row(api_client, gradebook):
    ana = gradebook["students"][0]
    gradebook["classroom"].members.remove(ana)
    rows = {row["first_name"]: row for row in download(api_client, gradebook)}
    assert rows["Ana"]["grade_percentage"] == "80.00"
    assert rows["Ana"]["classes"] == ""


def test_the_gradebook_takes_a_fixed_number_of_queries(
    api_client, gradebook, django_assert_max_num_queries
):
    for _ in range(6):
        student = StudentFactory()
        join_class(student, gradebook["classroom"])
        take(gradebook["quiz"], student, 1)
    api_client.force_login(gradebook["instructor"])
    with django_assert_max_num_queries(8):
        response = api_client.get(reverse("quizzes:quiz-gradebook", args=[gradebook["quiz"].pk]))
    assert len(response.content.decode().strip().splitlines()) == 1 + 9
