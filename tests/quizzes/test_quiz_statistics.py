"""Quiz analytics against values computed by hand on a small fixed data set.

Four students, three one-point questions (multiple choice, true/false, short answer):

    student  Q1 Q2 Q3  score  percentage
    s1        1  1  1    3     100.00
    s2        1  1  0    2      66.67
    s3        1  0  0    1      33.33
    s4        0  0  0    0       0.00

Facility (mean mark / max mark): Q1 3/4 = 0.75, Q2 2/4 = 0.5, Q3 1/4 = 0.25.

Discrimination, Pearson r between the item and the rest of the test (score - item):
    Q1: x = 1,1,1,0  rest = 2,1,0,0   Sxy = 0.75, Sxx = 0.75, Syy = 2.75
        r = 0.75 / sqrt(0.75 * 2.75) = 0.75 / 1.43614 = 0.5222
    Q2: x = 1,1,0,0  rest = 2,1,1,0   Sxy = 1, Sxx = 1, Syy = 2     r = 1 / sqrt(2) = 0.7071
    Q3: x = 1,0,0,0  rest = 2,2,1,0   Sxy = 0.75, Sxx = 0.75, Syy = 2.75            r = 0.5222

Percentages 100, 66.67, 33.33, 0: mean 50, median 50, sample standard deviation
sqrt((50² + 16.67² + 16.67² + 50²) / 3) = sqrt(5555.56 / 3) = 43.0331.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes.models import Quiz
from quizzes.selectors.access import attempts_for_results
from quizzes.selectors.statistics import pearson, quiz_statistics, score_distribution
from quizzes.services.attempts.answer import save_answer, submit_attempt
from quizzes.services.attempts.rating import grade_by_instructor, rate_own_answer
from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    InstructorFactory,
    QuestionSetFactory,
    choice_id,
    classroom_with_students,
    free_text,
    multiple_choice,
    short_answer,
    true_false,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db


def take(quiz, student, responses: dict[int, dict | None]):
    attempt, _ = start_attempt(quiz=quiz, student=student)
    for slot, response in responses.items():
        save_answer(attempt=attempt, student=student, slot=slot, response=response)
    attempt, _ = submit_attempt(attempt=attempt, student=student)
    return attempt


@pytest.fixture
def results():
    instructor = InstructorFactory()
    classroom, students = classroom_with_students(instructor, 5)
    question_set = QuestionSetFactory(owner=instructor)
    q1 = multiple_choice(question_set, correct=("right",), wrong=("wrong", "other"))
    q2 = true_false(question_set, correct=True)
    q3 = short_answer(question_set, accepted=("ReLU",))
    quiz = QuizFactory(owner=instructor, question_set=question_set, classrooms=[classroom])
    right, wrong = {"choice": choice_id(q1, "right")}, {"choice": choice_id(q1, "wrong")}
    s1, s2, s3, s4, late = students
    take(quiz, s1, {1: right, 2: {"value": True}, 3: {"text": "relu"}})
    take(quiz, s2, {1: right, 2: {"value": True}, 3: {"text": "sigmoid"}})
    take(quiz, s3, {1: right, 2: {"value": False}})
    take(quiz, s4, {1: wrong, 2: {"value": False}, 3: {"text": " Sigmoid "}})
    start_attempt(quiz=quiz, student=late)  # in progress: not in the statistics
    return {"instructor": instructor, "quiz": quiz, "questions": (q1, q2, q3), "students": students}


def stats_for(results):
    quiz = results["quiz"]
    return quiz_statistics(quiz, attempts_for_results(results["instructor"], quiz))


def test_it_counts_finished_attempts_and_leaves_those_in_progress_out(results):
    assert stats_for(results)["attempts"] == {"finished": 4, "in_progress": 1, "students": 4}


def test_the_score_summary_matches_the_hand_computed_values(results):
    score = stats_for(results)["score"]
    assert score == {
        "mean_percentage": 50.0,
        "median_percentage": 50.0,
        "stdev_percentage": 43.0331,
    }


def test_the_score_distribution_puts_each_attempt_in_its_ten_point_band(results):
    bands = {(b["from"], b["to"]): b["count"] for b in stats_for(results)["score_distribution"]}
    assert bands[(0, 10)] == 1
    assert bands[(30, 40)] == 1
    assert bands[(60, 70)] == 1
    assert bands[(90, 100)] == 1  # 100% belongs to the top band
    assert sum(bands.values()) == 4


def test_facility_is_the_mean_mark_over_the_maximum_mark(results):
    questions = stats_for(results)["questions"]
    assert [q["facility"] for q in questions] == [0.75, 0.5, 0.25]
    assert [q["mean_mark"] for q in questions] == [0.75, 0.5, 0.25]
    assert [q["question_id"] for q in questions] == [q.pk for q in results["questions"]]


def test_discrimination_is_the_correlation_with_the_rest_of_the_test(results):
    questions = stats_for(results)["questions"]
    assert [q["discrimination"] for q in questions] == [0.5222, 0.7071, 0.5222]


def test_the_choice_distribution_counts_each_option(results):
    q1, q2, q3 = stats_for(results)["questions"]
    counts = {c["text_html"]: (c["count"], c["correct"]) for c in q1["distribution"]["choices"]}
    assert counts == {
        "<p>right</p>": (3, True),
        "<p>wrong</p>": (1, False),
        "<p>other</p>": (0, False),
    }
    assert [(c["value"], c["count"]) for c in q2["distribution"]["choices"]] == [
        (True, 2),
        (False, 2),
    ]
    # typed answers are grouped as the question compares them (case and spaces ignored)
    assert q3["distribution"] == {
        "responses": [
            {"response": "sigmoid", "count": 2, "status": "incorrect"},
            {"response": "relu", "count": 1, "status": "correct"},
        ],
        "unanswered": 1,
    }


def test_pearson_is_undefined_without_variation():
    assert pearson([1, 1, 1], [0, 1, 2]) is None
    assert pearson([1], [1]) is None
    assert pearson([0, 1], [0, 1]) == pytest.approx(1.0)


def test_score_distribution_of_nothing_is_ten_empty_bands():
    assert [b["count"] for b in score_distribution([])] == [0] * 10


def test_free_text_statistics_use_self_ratings_and_then_the_instructors_grade():
    instructor = InstructorFactory()
    classroom, (a, b) = classroom_with_students(instructor, 2)
    question_set = QuestionSetFactory(owner=instructor)
    free_text(question_set, points=Decimal(2))
    quiz = QuizFactory(
        owner=instructor,
        question_set=question_set,
        classrooms=[classroom],
        free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED,
        self_assessment_cap=100,
    )
    first = take(quiz, a, {1: {"text": "A full answer."}})
    second = take(quiz, b, {1: {"text": "Half an answer."}})
    rate_own_answer(attempt=first, student=a, slot=1, rating=5)
    rate_own_answer(attempt=second, student=b, slot=1, rating=5)
    stats = quiz_statistics(quiz, attempts_for_results(instructor, quiz))
    assert stats["questions"][0]["facility"] == 1.0
    assert len(stats["awaiting_grading"]) == 2
    grade_by_instructor(answer=second.answers.get(slot=1), grader=instructor, points=Decimal(1))
    stats = quiz_statistics(quiz, attempts_for_results(instructor, quiz))
    assert stats["questions"][0]["facility"] == 0.75  # (2/2 + 1/2) / 2
    assert stats["questions"][0]["discrimination"] is None  # nothing else on the test varies
    assert [item["attempt_id"] for item in stats["awaiting_grading"]] == [first.pk]


def test_statistics_over_the_api_take_a_fixed_number_of_queries(
    api_client, results, django_assert_max_num_queries
):
    quiz = results["quiz"]
    # More attempts must not mean more queries.
    q1 = results["questions"][0]
    for student in results["students"][:4]:
        take(quiz, student, {1: {"choice": choice_id(q1, "right")}})
    api_client.force_login(results["instructor"])
    with django_assert_max_num_queries(7):
        response = api_client.get(reverse("quizzes:quiz-statistics", args=[quiz.pk]))
    assert response.status_code == 200
    assert response.json()["attempts"]["finished"] == 8


def test_a_question_drawn_at_random_is_measured_only_over_the_attempts_that_had_it():
    from quizzes.models import Quiz

    instructor = InstructorFactory()
    classroom, students = classroom_with_students(instructor, 6)
    question_set = QuestionSetFactory(owner=instructor)
    questions = [true_false(question_set, correct=True) for _ in range(3)]
    quiz = QuizFactory(
        owner=instructor,
        question_set=question_set,
        selection=Quiz.Selection.RANDOM,
        random_count=1,
        classrooms=[classroom],
    )
    given = {}
    for student in students:
        attempt = take(quiz, student, {1: {"value": True}})
        question_id = attempt.answers.get().question_id
        given[question_id] = given.get(question_id, 0) + 1
    stats = quiz_statistics(quiz, attempts_for_results(instructor, quiz))
    assert {q["question_id"]: q["attempts"] for q in stats["questions"]} == given
    assert all(q["facility"] == 1.0 for q in stats["questions"])
    assert set(given) <= {q.pk for q in questions}
