"""Grading integrity: a student's own rating cannot buy marks, through the real endpoints.

The quiz is worth 9 points: multiple choice (2) and true/false (3) answered right, a
numerical question (2.25) answered wrong, and a free-text question (1.75).  Before this rule
a self-rating of "5 Perfectly" raised the score from 5.00 to 6.75.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from flashcards.models import ReviewLog
from quizzes.models import Attempt, Quiz
from tests.flashcards.factories import (
    InstructorFactory,
    QuestionSetFactory,
    StudentFactory,
    choice_id,
    classroom_with_students,
    free_text,
    multiple_choice,
    numerical,
    true_false,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db

RUBRIC_CRITERION = "Names the loss"


@pytest.fixture
def course():
    owner = InstructorFactory()
    classroom, (student,) = classroom_with_students(owner, 1)
    question_set = QuestionSetFactory(owner=owner)
    mc = multiple_choice(question_set, correct=("0.87",), wrong=("0.13",), points=Decimal(2))
    true_false(question_set, correct=True, points=Decimal(3))
    numerical(question_set, value=2345, points=Decimal("2.25"))
    essay = free_text(question_set, points=Decimal("1.75"))
    quiz = QuizFactory(owner=owner, question_set=question_set, classrooms=[classroom])
    return {
        "owner": owner,
        "student": student,
        "quiz": quiz,
        "mc": mc,
        "essay": essay,
        "classroom": classroom,
        "outsider": StudentFactory(),
        "other_instructor": InstructorFactory(),
    }


def set_grading(quiz: Quiz, **settings) -> None:
    for name, value in settings.items():
        setattr(quiz, name, value)
    quiz.save()


def take_through_the_api(api_client, course) -> int:
    """Start, answer and submit through HTTP; returns the attempt id."""
    api_client.force_login(course["student"])
    started = api_client.post(reverse("quizzes:quiz-attempts", args=[course["quiz"].pk]))
    assert started.status_code == 201
    attempt_id = started.json()["id"]
    answers = {
        "1": {"choices": [choice_id(course["mc"], "0.87")]},
        "2": {"value": True},
        "3": {"value": "17"},
        "4": {"text": "Loss drives SGD; the metric is what people read."},
    }
    submitted = api_client.post(
        reverse("quizzes:attempt-submit", args=[attempt_id]), {"answers": answers}, format="json"
    )
    assert submitted.status_code == 200
    assert submitted.json()["score"] == "5.00"
    return attempt_id


def rate(api_client, attempt_id: int, rating: int = 5):
    return api_client.post(
        reverse("quizzes:attempt-answer-self-rating", args=[attempt_id, 4]),
        {"rating": rating},
        format="json",
    )


def review(api_client, attempt_id: int) -> dict:
    return api_client.get(reverse("quizzes:attempt-review", args=[attempt_id])).json()


# --- instructor grading (the default) ------------------------------------------------------------


def test_a_self_rating_of_five_does_not_raise_the_score_through_the_api(api_client, course):
    attempt_id = take_through_the_api(api_client, course)
    refused = rate(api_client, attempt_id)
    assert refused.status_code == 409
    assert refused.json()["code"] == "self_rating_not_allowed"
    body = review(api_client, attempt_id)
    assert (body["score"], body["max_score"], body["needs_grading"]) == ("5.00", "9.00", True)
    essay = body["items"][3]["review"]
    assert essay["status"] == "awaiting_instructor"
    assert essay["graded_by"] == {"method": "awaiting_instructor"}


def test_a_self_rating_of_five_does_not_raise_the_score_through_the_page(
    client, api_client, course
):
    attempt_id = take_through_the_api(api_client, course)
    client.force_login(course["student"])
    response = client.post(
        reverse("attempt-rate", args=[attempt_id, 4]), {"rating": "5"}, follow=True
    )
    page = response.content.decode()
    assert "Your instructor grades the written answers of this quiz" in page
    assert "5.00 / 9.00" in page
    assert 'name="rating"' not in page
    assert Attempt.objects.get(pk=attempt_id).score == Decimal(5)


def test_the_instructors_grade_counts_and_the_review_names_the_grader(api_client, course):
    attempt_id = take_through_the_api(api_client, course)
    owner = course["owner"]
    owner.first_name, owner.last_name = "Ada", "Lovelace"
    owner.save()
    api_client.force_login(owner)
    graded = api_client.post(
        reverse("quizzes:attempt-answer-grade", args=[attempt_id, 4]),
        {"rubric_scores": ["1", "0"], "comment": "The metric is missing."},
        format="json",
    )
    assert graded.status_code == 200
    api_client.force_login(course["student"])
    body = review(api_client, attempt_id)
    assert (body["score"], body["needs_grading"]) == ("5.88", False)  # 5 + 1.75 / 2
    essay, mc = body["items"][3]["review"], body["items"][0]["review"]
    assert essay["graded_by"]["method"] == "instructor"
    assert essay["graded_by"]["grader"] == "Ada Lovelace"
    assert essay["status"] == "partial"
    assert mc["graded_by"] == {"method": "automatic"}


def test_a_practice_quiz_takes_the_rating_for_study_but_not_for_the_score(api_client, course):
    set_grading(course["quiz"], is_practice=True)
    attempt_id = take_through_the_api(api_client, course)
    rated = rate(api_client, attempt_id)
    assert rated.status_code == 200
    body = review(api_client, attempt_id)
    assert body["score"] == "5.00"
    assert body["items"][3]["self_rating"] == 5
    fed = ReviewLog.objects.filter(
        student=course["student"], card__question=course["essay"], source=ReviewLog.Source.QUIZ
    )
    assert list(fed.values_list("rating", flat=True)) == [5]


# --- self-assessed, capped -----------------------------------------------------------------------


def test_a_self_assessed_quiz_caps_the_rating_and_says_so(api_client, course):
    set_grading(
        course["quiz"],
        free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED,
        self_assessment_cap=Decimal(50),
    )
    attempt_id = take_through_the_api(api_client, course)
    assert rate(api_client, attempt_id).status_code == 200
    body = review(api_client, attempt_id)
    assert body["score"] == "5.88"  # 5 + 50 % of 1.75, not 6.75
    assert body["items"][3]["review"]["graded_by"] == {
        "method": "self_assessed",
        "cap_percentage": "50.00",
    }
    attempt = Attempt.objects.get(pk=attempt_id)
    assert (attempt.self_assessed, attempt.needs_grading) == (True, False)

    api_client.force_login(course["owner"])
    csv_text = api_client.get(reverse("quizzes:quiz-gradebook", args=[course["quiz"].pk])).content
    (columns,) = list(csv.DictReader(io.StringIO(csv_text.decode())))
    assert (columns["self_assessed"], columns["grade_points"]) == ("yes", "5.88")


def test_the_review_page_says_who_graded_each_answer(client, api_client, course):
    set_grading(course["quiz"], free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED)
    attempt_id = take_through_the_api(api_client, course)
    rate(api_client, attempt_id)
    client.force_login(course["student"])
    page = client.get(reverse("attempt-review-page", args=[attempt_id])).content.decode()
    assert "Graded automatically" in page
    assert "Self-assessed: your own rating, capped at 50.00 % of the points" in page


# --- the rubric is shown after submitting, not before --------------------------------------------


def test_the_rubric_is_not_shown_while_answering_only_in_the_review(client, api_client, course):
    api_client.force_login(course["student"])
    started = api_client.post(reverse("quizzes:quiz-attempts", args=[course["quiz"].pk])).json()
    essay = started["items"][3]["question"]
    assert "rubric" not in essay
    assert RUBRIC_CRITERION not in str(started)
    client.force_login(course["student"])
    page = client.get(reverse("attempt-page", args=[started["id"]])).content.decode()
    assert RUBRIC_CRITERION not in page

    api_client.post(reverse("quizzes:attempt-submit", args=[started["id"]]), {}, format="json")
    body = review(api_client, started["id"])
    assert body["items"][3]["review"]["question"]["rubric"][0]["criterion"] == RUBRIC_CRITERION
    page = client.get(reverse("attempt-review-page", args=[started["id"]])).content.decode()
    assert RUBRIC_CRITERION in page


# --- the settings, by role ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {401, 403}),
        ("student", {403}),
        ("outsider", {404}),
        ("owner", {200}),
        ("other_instructor", {404}),
    ],
)
def test_only_the_owner_changes_who_grades_written_answers(api_client, course, role, expected):
    user = course.get(role)
    if user is not None:
        api_client.force_login(user)
    response = api_client.patch(
        reverse("quizzes:quiz-detail", args=[course["quiz"].pk]),
        {"free_text_grading": "self_assessed", "self_assessment_cap": "100"},
        format="json",
    )
    assert response.status_code in expected
    course["quiz"].refresh_from_db()
    changed = course["quiz"].free_text_grading == Quiz.FreeTextGrading.SELF_ASSESSED
    assert changed == (role == "owner")
    if role == "owner":
        body = response.json()
        assert (body["free_text_grading"], body["self_assessment_cap"]) == (
            "self_assessed",
            "100.00",
        )


def test_a_cap_outside_zero_to_a_hundred_is_a_field_error(api_client, course):
    api_client.force_login(course["owner"])
    response = api_client.patch(
        reverse("quizzes:quiz-detail", args=[course["quiz"].pk]),
        {"self_assessment_cap": "150"},
        format="json",
    )
    assert response.status_code == 400
    assert "self_assessment_cap" in response.json()


def test_the_settings_page_offers_who_grades_and_saves_it(client, course):
    client.force_login(course["owner"])
    url = reverse("quiz-settings", args=[course["quiz"].pk])
    page = client.get(url).content.decode()
    assert "Who grades written answers" in page
    data = {
        "title": "Checked",
        "selection": "set",
        "question_set": str(course["quiz"].question_set_id),
        "classrooms": [str(course["classroom"].pk)],
        "attempts_allowed": "0",
        "answers_shown": "after_submit",
        "grading_method": "highest",
        "free_text_grading": "self_assessed",
        "self_assessment_cap": "25",
        "is_practice": "on",
    }
    assert client.post(url, data).status_code == 302
    course["quiz"].refresh_from_db()
    assert (
        course["quiz"].free_text_grading,
        course["quiz"].self_assessment_cap,
        course["quiz"].is_practice,
    ) == ("self_assessed", Decimal(25), True)


@pytest.mark.parametrize(
    ("language", "automatic", "self_assessed"),
    [
        ("da", "Bedømt automatisk", "Selvvurderet: din egen vurdering, med loft på 50.00 %"),
        ("pt-br", "Corrigido automaticamente", "Autoavaliada: a sua própria avaliação"),
    ],
)
def test_who_graded_what_is_said_in_the_students_language(
    client, api_client, course, language, automatic, self_assessed
):
    set_grading(course["quiz"], free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED)
    attempt_id = take_through_the_api(api_client, course)
    rate(api_client, attempt_id)
    student = course["student"]
    student.language = language
    student.save(update_fields=["language"])
    client.force_login(student)
    page = client.get(
        reverse("attempt-review-page", args=[attempt_id]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert automatic in page
    assert self_assessed in page


def test_the_quiz_page_tells_students_who_grades_written_answers(client, course):
    client.force_login(course["student"])
    url = reverse("quiz-page", args=[course["quiz"].pk])
    assert "Who grades written answers: your instructor" in client.get(url).content.decode()
    set_grading(course["quiz"], free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED)
    page = client.get(url).content.decode()
    assert "your own rating, up to 50 % of the points" in page
