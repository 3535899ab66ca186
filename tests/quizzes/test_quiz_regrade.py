"""Regrade after a key is fixed: the dry run lists what would change, then it is applied.

The multiple-choice question was published with the wrong choice marked correct: alice chose
the right answer and got nothing, bob chose the wrong one and got the points.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from flashcards.selectors.content import question_data
from flashcards.services.content import update_question
from quizzes.models import Attempt, AttemptAnswer
from quizzes.services.attempts.answer import submit_attempt
from quizzes.services.attempts.rating import grade_by_instructor
from quizzes.services.attempts.start import start_attempt
from quizzes.services.regrade import regrade_quiz
from tests.flashcards.factories import (
    InstructorFactory,
    QuestionSetFactory,
    StudentFactory,
    choice_id,
    classroom_with_students,
    free_text,
    multiple_choice,
    true_false,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db


def take(quiz, student, responses) -> Attempt:
    attempt, _ = start_attempt(quiz=quiz, student=student)
    attempt, _ = submit_attempt(attempt=attempt, student=student, responses=responses)
    return attempt


@pytest.fixture
def course():
    owner = InstructorFactory()
    classroom, (alice, bob) = classroom_with_students(owner, 2)
    question_set = QuestionSetFactory(owner=owner)
    mc = multiple_choice(question_set, correct=("0.13",), wrong=("0.87",), points=Decimal(2))
    true_false(question_set, correct=True)
    quiz = QuizFactory(
        owner=owner, question_set=question_set, classrooms=[classroom], shuffle_choices=True
    )
    alice_attempt = take(quiz, alice, {1: {"choices": [choice_id(mc, "0.87")]}, 2: {"value": True}})
    bob_attempt = take(quiz, bob, {1: {"choices": [choice_id(mc, "0.13")]}, 2: {"value": True}})
    return {
        "owner": owner,
        "alice": alice,
        "bob": bob,
        "quiz": quiz,
        "mc": mc,
        "set": question_set,
        "alice_attempt": alice_attempt,
        "bob_attempt": bob_attempt,
        "outsider": StudentFactory(),
        "other_instructor": InstructorFactory(),
    }


def fix_the_key(mc) -> None:
    data = question_data(mc)
    for choice in data["choices"]:
        choice["is_correct"] = choice["text"] == "0.87"
    update_question(question=mc, changes={"choices": data["choices"]})


def scores(course) -> tuple[Decimal, Decimal]:
    return tuple(
        Attempt.objects.get(pk=course[name].pk).score for name in ("alice_attempt", "bob_attempt")
    )


def test_the_dry_run_lists_old_and_new_scores_and_changes_nothing(course):
    fix_the_key(course["mc"])
    report = regrade_quiz(quiz=course["quiz"], apply=False).as_dict()
    assert (report["applied"], report["attempts_checked"], report["attempts_changed"]) == (
        False,
        2,
        2,
    )
    rows = {row["student"]: row for row in report["attempts"]}
    alice, bob = rows[course["alice"].username], rows[course["bob"].username]
    assert (alice["old_score"], alice["new_score"]) == ("1.00", "3.00")
    assert (bob["old_score"], bob["new_score"]) == ("3.00", "1.00")
    assert alice["questions"] == [
        {"slot": 1, "old_mark": "0.00", "new_mark": "2.00", "max_mark": "2.00", "new_version": True}
    ]
    assert scores(course) == (Decimal(1), Decimal(3))


def test_applying_the_regrade_stores_the_new_scores_in_the_order_the_student_saw(course):
    seen = AttemptAnswer.objects.get(attempt=course["alice_attempt"], slot=1).snapshot
    fix_the_key(course["mc"])
    report = regrade_quiz(quiz=course["quiz"], apply=True).as_dict()
    assert report["applied"] is True
    assert scores(course) == (Decimal(3), Decimal(1))
    answer = AttemptAnswer.objects.get(attempt=course["alice_attempt"], slot=1)
    assert [c["id"] for c in answer.snapshot["choices"]] == [c["id"] for c in seen["choices"]]
    assert answer.question_version == course["mc"].__class__.objects.get(pk=course["mc"].pk).version
    again = regrade_quiz(quiz=course["quiz"], apply=False).as_dict()
    assert (again["attempts_changed"], again["attempts"]) == (0, [])


def test_an_edit_that_changes_the_choices_keeps_that_grade_and_says_why(course):
    data = question_data(course["mc"])
    data["choices"].append({"text": "1.00", "is_correct": False})
    update_question(question=course["mc"], changes={"choices": data["choices"]})
    report = regrade_quiz(quiz=course["quiz"], apply=True).as_dict()
    assert report["attempts_changed"] == 0
    problems = [p for row in report["attempts"] for p in row["problems"]]
    assert len(problems) == 2
    assert "Question 1: the edit changed what the student answered" in problems[0]
    assert scores(course) == (Decimal(1), Decimal(3))


def test_an_instructors_own_grade_survives_a_regrade():
    owner = InstructorFactory()
    classroom, (alice,) = classroom_with_students(owner, 1)
    question_set = QuestionSetFactory(owner=owner)
    essay = free_text(question_set, points=Decimal(4))
    quiz = QuizFactory(owner=owner, question_set=question_set, classrooms=[classroom])
    attempt = take(quiz, alice, {1: {"text": "The loss."}})
    answer = AttemptAnswer.objects.get(attempt=attempt, slot=1)
    grade_by_instructor(answer=answer, grader=owner, points=Decimal(3))
    update_question(question=essay, changes={"answer": "A better reference."})
    report = regrade_quiz(quiz=quiz, apply=True).as_dict()
    assert report["attempts_changed"] == 0
    attempt.refresh_from_db()
    assert attempt.score == Decimal(3)


def test_attempts_in_progress_are_counted_and_left_alone(course):
    third = StudentFactory()
    course["quiz"].classrooms.first().members.add(third)
    open_attempt, _ = start_attempt(quiz=course["quiz"], student=third)
    fix_the_key(course["mc"])
    report = regrade_quiz(quiz=course["quiz"], apply=True).as_dict()
    assert report["attempts_in_progress"] == 1
    open_attempt.refresh_from_db()
    assert open_attempt.state == Attempt.State.IN_PROGRESS


# --- API and page, by role ---------------------------------------------------------------

ROLE_STATUSES = [
    ("anonymous", {401, 403}),
    ("alice", {403}),
    ("outsider", {404}),
    ("owner", {200}),
    ("other_instructor", {404}),
]


@pytest.mark.parametrize(("role", "expected"), ROLE_STATUSES)
def test_only_the_owner_dry_runs_and_applies_a_regrade_through_the_api(
    api_client, course, role, expected
):
    fix_the_key(course["mc"])
    if course.get(role) is not None:
        api_client.force_login(course[role])
    url = reverse("quizzes:quiz-regrade-api", args=[course["quiz"].pk])
    dry = api_client.get(url)
    assert dry.status_code in expected
    assert scores(course) == (Decimal(1), Decimal(3))
    applied = api_client.post(url)
    assert applied.status_code in expected
    if role == "owner":
        assert dry.json()["attempts_changed"] == 2
        assert applied.json()["applied"] is True
        assert scores(course) == (Decimal(3), Decimal(1))
    else:
        assert scores(course) == (Decimal(1), Decimal(3))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {302}),
        ("alice", {403}),
        ("outsider", {404}),
        ("owner", {200}),
        ("other_instructor", {404}),
    ],
)
def test_the_regrade_page_is_the_owners(client, course, role, expected):
    fix_the_key(course["mc"])
    if course.get(role) is not None:
        client.force_login(course[role])
    url = reverse("quiz-regrade", args=[course["quiz"].pk])
    response = client.get(url)
    assert response.status_code in expected
    posted = client.post(url)
    if role == "owner":
        page = response.content.decode()
        assert "Question 1: 0.00 → 2.00" in page
        assert "Apply the regrade" in page
        assert posted.status_code == 302
        assert scores(course) == (Decimal(3), Decimal(1))
        after = client.get(url).content.decode()
        assert "Regraded: 2 attempts changed." in after
        assert "Nothing to regrade" in after
    else:
        assert posted.status_code in expected
        assert scores(course) == (Decimal(1), Decimal(3))


def test_a_dry_run_takes_a_fixed_number_of_queries(course, django_assert_max_num_queries):
    classroom = course["quiz"].classrooms.first()
    for _ in range(10):
        student = StudentFactory()
        classroom.members.add(student)
        take(course["quiz"], student, {1: {"choices": [choice_id(course["mc"], "0.87")]}})
    fix_the_key(course["mc"])
    # Savepoint and release (the service's transaction inside the test's), attempts with
    # students, their answers, the questions, their choices and numerical answers.
    with django_assert_max_num_queries(7):
        report = regrade_quiz(quiz=course["quiz"], apply=False)
    assert len(report.changes) == 12
