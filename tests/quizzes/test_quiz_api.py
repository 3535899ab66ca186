"""The quizzes API: every endpoint for every role, bad input, and query counts.

Roles: anonymous; the student whose attempt it is ("alice", in the class); a classmate
("bob"); a student outside the class; the instructor who owns the quiz and the class; another
instructor.  Invisible things are 404, visible but forbidden 403, wrong state 409.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.services.attempts.answer import save_answer, submit_attempt
from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionSetFactory,
    StudentFactory,
    choice_id,
    classroom_with_students,
    free_text,
    join_class,
    multiple_choice,
    numerical,
    true_false,
)
from tests.quizzes.factories import QuizFactory
from tests.training.factories import DemoAttachmentFactory
from training.services.run_execution import execute_run

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "alice", "bob", "outsider", "owner", "other_instructor"]


@pytest.fixture
def world():
    owner = InstructorFactory()
    classroom, (alice, bob) = classroom_with_students(owner, 2)
    other_instructor = InstructorFactory()
    other_class, _ = classroom_with_students(other_instructor, 1)
    outsider = StudentFactory()
    question_set = QuestionSetFactory(owner=owner)
    mc = multiple_choice(question_set, correct=("0.87",), wrong=("0.13", "0.50"))
    tf = true_false(question_set, correct=True)
    essay = free_text(question_set, points=Decimal(2))
    quiz = QuizFactory(
        owner=owner,
        question_set=question_set,
        classrooms=[classroom],
        free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED,
        self_assessment_cap=100,
    )
    finished, _ = start_attempt(quiz=quiz, student=alice)
    save_answer(attempt=finished, student=alice, slot=1, response={"choice": choice_id(mc, "0.87")})
    save_answer(attempt=finished, student=alice, slot=3, response={"text": "Cross-entropy."})
    finished, _ = submit_attempt(attempt=finished, student=alice)
    # A second quiz, answers shown after each question, with alice's attempt in progress.
    live_quiz = QuizFactory(
        owner=owner,
        question_set=question_set,
        classrooms=[classroom],
        answers_shown=Quiz.AnswersShown.AFTER_EACH,
    )
    in_progress, _ = start_attempt(quiz=live_quiz, student=alice)
    return {
        "users": {
            "anonymous": None,
            "alice": alice,
            "bob": bob,
            "outsider": outsider,
            "owner": owner,
            "other_instructor": other_instructor,
        },
        "other_class": other_class,
        "classroom": classroom,
        "set": question_set,
        "questions": {"mc": mc, "tf": tf, "essay": essay},
        "quiz": quiz,
        "live_quiz": live_quiz,
        "finished": finished,
        "in_progress": in_progress,
    }


def client_for(api_client, world, role):
    user = world["users"][role]
    if user is not None:
        api_client.force_login(user)
    return api_client


# (name, method, url, body, {role: status}); urls and bodies are built from the world.
MATRIX = [
    (
        "list quizzes",
        "get",
        lambda w: reverse("quizzes:quiz-list"),
        None,
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 200,
            "outsider": 200,
            "owner": 200,
            "other_instructor": 200,
        },
    ),
    (
        "create a quiz",
        "post",
        lambda w: reverse("quizzes:quiz-list"),
        lambda w: {"title": "New", "question_set": w["set"].pk},
        # the other instructor cannot use the owner's private set: a field error, not a quiz
        {
            "anonymous": 401,
            "alice": 403,
            "bob": 403,
            "outsider": 403,
            "owner": 201,
            "other_instructor": 400,
        },
    ),
    (
        "read a quiz",
        "get",
        lambda w: reverse("quizzes:quiz-detail", args=[w["quiz"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 200,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
    (
        "change a quiz",
        "patch",
        lambda w: reverse("quizzes:quiz-detail", args=[w["quiz"].pk]),
        lambda w: {"title": "Renamed"},
        {
            "anonymous": 401,
            "alice": 403,
            "bob": 403,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
    (
        "delete a quiz that has attempts",
        "delete",
        lambda w: reverse("quizzes:quiz-detail", args=[w["quiz"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 403,
            "bob": 403,
            "outsider": 404,
            "owner": 409,
            "other_instructor": 404,
        },
    ),
    (
        "list a quiz's attempts",
        "get",
        lambda w: reverse("quizzes:quiz-attempts", args=[w["quiz"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 200,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
    (
        "start an attempt",
        "post",
        lambda w: reverse("quizzes:quiz-attempts", args=[w["quiz"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 201,
            "bob": 201,
            "outsider": 404,
            "owner": 403,
            "other_instructor": 404,
        },
    ),
    (
        "quiz statistics",
        "get",
        lambda w: reverse("quizzes:quiz-statistics", args=[w["quiz"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 403,
            "bob": 403,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
    (
        "grading queue",
        "get",
        lambda w: reverse("quizzes:quiz-grading-queue", args=[w["quiz"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 403,
            "bob": 403,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
    (
        "gradebook",
        "get",
        lambda w: reverse("quizzes:quiz-gradebook", args=[w["quiz"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 403,
            "bob": 403,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
    (
        "list attempts",
        "get",
        lambda w: reverse("quizzes:attempt-list"),
        None,
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 200,
            "outsider": 200,
            "owner": 200,
            "other_instructor": 200,
        },
    ),
    (
        "read an attempt",
        "get",
        lambda w: reverse("quizzes:attempt-detail", args=[w["finished"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 404,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
    (
        "review an attempt",
        "get",
        lambda w: reverse("quizzes:attempt-review", args=[w["finished"].pk]),
        None,
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 404,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
    (
        "save an answer",
        "put",
        lambda w: reverse("quizzes:attempt-answer", args=[w["in_progress"].pk, 2]),
        lambda w: {"response": {"value": True}},
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 404,
            "outsider": 404,
            "owner": 403,
            "other_instructor": 404,
        },
    ),
    (
        "check an answer",
        "post",
        lambda w: reverse("quizzes:attempt-answer-check", args=[w["in_progress"].pk, 2]),
        None,
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 404,
            "outsider": 404,
            "owner": 403,
            "other_instructor": 404,
        },
    ),
    (
        "submit an attempt",
        "post",
        lambda w: reverse("quizzes:attempt-submit", args=[w["in_progress"].pk]),
        lambda w: {},
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 404,
            "outsider": 404,
            "owner": 403,
            "other_instructor": 404,
        },
    ),
    (
        "rate one's own free-text answer",
        "post",
        lambda w: reverse("quizzes:attempt-answer-self-rating", args=[w["finished"].pk, 3]),
        lambda w: {"rating": 4},
        {
            "anonymous": 401,
            "alice": 200,
            "bob": 404,
            "outsider": 404,
            "owner": 403,
            "other_instructor": 404,
        },
    ),
    (
        "grade a free-text answer",
        "post",
        lambda w: reverse("quizzes:attempt-answer-grade", args=[w["finished"].pk, 3]),
        lambda w: {"points": "1.5", "comment": "Name the loss."},
        {
            "anonymous": 401,
            "alice": 403,
            "bob": 404,
            "outsider": 404,
            "owner": 200,
            "other_instructor": 404,
        },
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "expected"), MATRIX, ids=[case[0] for case in MATRIX]
)
def test_every_endpoint_answers_each_role_as_the_rules_say(
    api_client, world, role, name, method, url, body, expected
):
    client = client_for(api_client, world, role)
    data = body(world) if body else None
    response = getattr(client, method)(url(world), data, format="json")
    assert response.status_code == expected[role], (name, role, response.content[:300])


# --- what each role sees -----------------------------------------------------------------------


def test_students_list_only_the_quizzes_of_their_classes(api_client, world):
    ids = lambda role: {  # noqa: E731
        q["id"]
        for q in client_for(api_client, world, role)
        .get(reverse("quizzes:quiz-list"))
        .json()["results"]
    }
    assert ids("alice") == {world["quiz"].pk, world["live_quiz"].pk}
    api_client.logout()
    assert ids("outsider") == set()
    api_client.logout()
    assert ids("other_instructor") == set()


def test_a_student_never_sees_the_question_list_or_classes_of_a_quiz(api_client, world):
    body = (
        client_for(api_client, world, "alice")
        .get(reverse("quizzes:quiz-detail", args=[world["quiz"].pk]))
        .json()
    )
    assert body["question_ids"] is None
    assert body["classroom_ids"] is None


def test_students_see_only_their_own_attempts(api_client, world):
    start_attempt(quiz=world["quiz"], student=world["users"]["bob"])
    alice = (
        client_for(api_client, world, "alice")
        .get(reverse("quizzes:attempt-list"))
        .json()["results"]
    )
    assert {a["student"] for a in alice} == {world["users"]["alice"].username}
    api_client.logout()
    owner = (
        client_for(api_client, world, "owner")
        .get(reverse("quizzes:quiz-attempts", args=[world["quiz"].pk]))
        .json()["results"]
    )
    users = world["users"]
    assert sorted(a["student"] for a in owner) == sorted(
        [users["alice"].username, users["bob"].username]
    )


def test_an_instructor_of_another_assigned_class_sees_only_that_class(api_client, world):
    """Assigned directly (the API only lets owners assign their own classes)."""
    quiz, other = world["quiz"], world["users"]["other_instructor"]
    quiz.classrooms.add(world["other_class"])
    their_student = world["other_class"].members.get()
    start_attempt(quiz=quiz, student=their_student)
    client = client_for(api_client, world, "other_instructor")
    attempts = client.get(reverse("quizzes:quiz-attempts", args=[quiz.pk])).json()["results"]
    assert [a["student"] for a in attempts] == [their_student.username]
    assert (
        client.get(reverse("quizzes:attempt-detail", args=[world["finished"].pk])).status_code
        == 404
    )
    stats = client.get(reverse("quizzes:quiz-statistics", args=[quiz.pk])).json()
    assert stats["attempts"] == {"finished": 0, "in_progress": 1, "students": 0}
    assert other.pk != quiz.owner_id


def test_the_attempt_page_hides_the_key_while_answering(api_client, world):
    client = client_for(api_client, world, "alice")
    body = client.get(reverse("quizzes:attempt-detail", args=[world["in_progress"].pk])).json()
    assert body["state"] == "in_progress"
    assert "score" not in body
    first = body["items"][0]
    assert first["review"] is None
    assert set(first["question"]["choices"][0]) == {"id", "text_html"}


def test_the_review_shows_answer_key_feedback_explanation_and_demos(api_client, world):
    # alice's attempt in progress at the other quiz has the same questions, and would keep
    # their keys hidden (tests/test_answer_key_secrecy.py); she submits it first.
    submit_attempt(attempt=world["in_progress"], student=world["users"]["alice"])
    attachment = DemoAttachmentFactory(question=world["questions"]["mc"])
    execute_run(run_id=attachment.run_id)  # computed in-process, as a worker would
    body = (
        client_for(api_client, world, "alice")
        .get(reverse("quizzes:attempt-review", args=[world["finished"].pk]))
        .json()
    )
    assert body["review_available"] is True
    assert body["score_display"] == "1.00 / 4.00 points"
    assert body["percentage"] == "25.00"
    mc = body["items"][0]
    assert mc["review"]["status"] == "correct"
    assert mc["review"]["correct_response"] == {
        "choices": [choice_id(world["questions"]["mc"], "0.87")]
    }
    assert mc["review"]["explanation_html"].startswith("<p>")
    (demo,) = mc["review"]["demos"]
    assert demo["demo"] == "softmax-cross-entropy"
    assert demo["status"] == "done"
    assert demo["caption"] == attachment.caption
    assert demo["figures"]
    attachment.run.refresh_from_db()
    assert [figure["url"] for figure in demo["figures"]] == [
        reverse("training:run-figure", args=[attachment.run_id, figure["name"]]) + "?lang=en"
        for figure in attachment.run.figures
    ]
    essay = body["items"][2]
    assert essay["review"]["status"] == "awaiting_self_rating"
    assert "optimiser" in essay["review"]["correct_response"]["reference_html"]


def test_reviews_wait_for_the_close_date_when_the_quiz_says_so(api_client, world):
    from datetime import timedelta

    from django.utils import timezone

    quiz = world["quiz"]
    quiz.answers_shown = Quiz.AnswersShown.AFTER_CLOSE
    quiz.closes_at = timezone.now() + timedelta(days=2)
    quiz.save()
    client = client_for(api_client, world, "alice")
    body = client.get(reverse("quizzes:attempt-review", args=[world["finished"].pk])).json()
    assert body["review_available"] is False
    assert body["review_opens_at"] is not None
    assert all(item["review"] is None for item in body["items"])
    # the instructor always sees it
    api_client.logout()
    owner = client_for(api_client, world, "owner")
    body = owner.get(reverse("quizzes:attempt-review", args=[world["finished"].pk])).json()
    assert body["review_available"] is True


def test_a_student_cannot_review_an_attempt_before_submitting_it(api_client, world):
    client = client_for(api_client, world, "alice")
    response = client.get(reverse("quizzes:attempt-review", args=[world["in_progress"].pk]))
    assert response.status_code == 409
    assert response.json()["code"] == "not_finished"


def test_start_resumes_with_200_and_the_saved_answers(api_client, world):
    client = client_for(api_client, world, "alice")
    url = reverse("quizzes:quiz-attempts", args=[world["live_quiz"].pk])
    response = client.post(url)
    assert response.status_code == 200
    assert response.json()["id"] == world["in_progress"].pk


def test_starting_beyond_the_attempts_allowed_is_a_409_with_a_reason(api_client, world):
    quiz = world["quiz"]
    quiz.attempts_allowed = 1
    quiz.save()
    response = client_for(api_client, world, "alice").post(
        reverse("quizzes:quiz-attempts", args=[quiz.pk])
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "You have used all 1 attempts at this quiz.",
        "code": "no_attempts_left",
        "status": 409,
    }


def test_deleting_a_quiz_without_attempts_works_for_its_owner(api_client, world):
    quiz = QuizFactory(owner=world["users"]["owner"], question_set=world["set"])
    response = client_for(api_client, world, "owner").delete(
        reverse("quizzes:quiz-detail", args=[quiz.pk])
    )
    assert response.status_code == 204
    assert not Quiz.objects.filter(pk=quiz.pk).exists()


# --- bad input: clear 400s with field errors, nothing lost ------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": "  "}, "title"),
        ({"title": "x", "selection": "fixed"}, "question_ids"),
        ({"title": "x", "selection": "random"}, "random_count"),
        ({"title": "x", "selection": "sometimes"}, "selection"),
        ({"title": "x", "time_limit_seconds": 3}, "time_limit_seconds"),
        ({"title": "x", "pass_mark": "120"}, "pass_mark"),
        ({"title": "x", "attempts_allowed": -1}, "attempts_allowed"),
        ({"title": "x", "answers_shown": "after_close"}, "closes_at"),
        (
            {"title": "x", "opens_at": "2025-05-02T10:00Z", "closes_at": "2025-05-01T10:00Z"},
            "closes_at",
        ),
        ({"title": "x", "opens_at": "next tuesday"}, "opens_at"),
        ({"title": "x", "classroom_ids": [10**9]}, "classroom_ids"),
    ],
)
def test_a_quiz_with_bad_settings_is_refused_with_field_errors_and_nothing_is_created(
    api_client, world, body, field
):
    before = Quiz.objects.count()
    client = client_for(api_client, world, "owner")
    response = client.post(
        reverse("quizzes:quiz-list"), {"question_set": world["set"].pk, **body}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Quiz.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "No set"}, "question_set"),
        ({"title": "x", "question_set": 10**9}, "question_set"),
        ({"title": "x", "selection": "random", "random_count": 3}, "question_set"),
    ],
)
def test_a_quiz_without_a_usable_source_of_questions_is_refused(api_client, world, body, field):
    response = client_for(api_client, world, "owner").post(
        reverse("quizzes:quiz-list"), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Quiz.objects.count() == 2


def test_a_quiz_can_only_be_assigned_to_the_owners_classes(api_client, world):
    body = {
        "title": "Mine",
        "question_set": world["set"].pk,
        "classroom_ids": [world["classroom"].pk, world["other_class"].pk],
    }
    response = client_for(api_client, world, "owner").post(
        reverse("quizzes:quiz-list"), body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["classroom_ids"] == [
        f"You can only assign your own classes: {world['other_class'].pk}."
    ]


def test_a_fixed_quiz_is_created_from_visible_questions_in_order(api_client, world):
    q = world["questions"]
    body = {
        "title": "Two questions",
        "selection": "fixed",
        "question_ids": [q["tf"].pk, q["mc"].pk],
        "classroom_ids": [world["classroom"].pk],
        "time_limit_seconds": 600,
        "pass_mark": "50",
    }
    response = client_for(api_client, world, "owner").post(
        reverse("quizzes:quiz-list"), body, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["question_ids"] == [q["tf"].pk, q["mc"].pk]
    hidden = multiple_choice(QuestionSetFactory())  # someone else's private set
    bad = {**body, "question_ids": [hidden.pk]}
    refused = api_client.post(reverse("quizzes:quiz-list"), bad, format="json")
    assert refused.status_code == 400
    assert "question_ids" in refused.json()


def test_changing_a_quiz_validates_the_whole_result(api_client, world):
    client = client_for(api_client, world, "owner")
    url = reverse("quizzes:quiz-detail", args=[world["quiz"].pk])
    response = client.patch(url, {"answers_shown": "after_close"}, format="json")
    assert response.status_code == 400
    assert "closes_at" in response.json()
    world["quiz"].refresh_from_db()
    assert world["quiz"].answers_shown == Quiz.AnswersShown.AFTER_SUBMIT


def test_a_bad_answer_is_a_400_with_field_errors_and_the_saved_answer_stays(api_client, world):
    attempt = world["in_progress"]
    client = client_for(api_client, world, "alice")
    url = reverse("quizzes:attempt-answer", args=[attempt.pk, 2])
    assert client.put(url, {"response": {"value": True}}, format="json").status_code == 200
    response = client.put(url, {"response": {"value": "yes"}}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"response": {"value": ["Must be true or false."]}}
    missing = client.put(url, {}, format="json")
    assert missing.status_code == 400
    assert "response" in missing.json()
    assert AttemptAnswer.objects.get(attempt=attempt, slot=2).response == {"value": True}


def test_an_answer_to_a_question_the_attempt_does_not_have_is_a_400(api_client, world):
    client = client_for(api_client, world, "alice")
    url = reverse("quizzes:attempt-answer", args=[world["in_progress"].pk, 42])
    response = client.put(url, {"response": {"value": True}}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "no_such_slot"


def test_a_submission_with_a_bad_answer_is_refused_whole(api_client, world):
    attempt = world["in_progress"]
    client = client_for(api_client, world, "alice")
    body = {"answers": {"2": {"value": True}, "1": {"choices": [10**9]}}}
    response = client.post(
        reverse("quizzes:attempt-submit", args=[attempt.pk]), body, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["answers"]) == ["1"]
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    bad_keys = client.post(
        reverse("quizzes:attempt-submit", args=[attempt.pk]),
        {"answers": {"two": {}}},
        format="json",
    )
    assert bad_keys.status_code == 400


def test_submitting_twice_over_the_api_counts_once(api_client, world):
    client = client_for(api_client, world, "alice")
    url = reverse("quizzes:attempt-submit", args=[world["in_progress"].pk])
    first = client.post(url, {"answers": {"2": {"value": True}}}, format="json").json()
    second = client.post(url, {}, format="json").json()
    assert (first["submitted_now"], second["submitted_now"]) == (True, False)
    assert first["finished_at"] == second["finished_at"]
    assert second["score"] == "1.00"


@pytest.mark.parametrize("body", [{"rating": 7}, {"rating": "often"}, {}])
def test_a_bad_self_rating_is_a_400(api_client, world, body):
    client = client_for(api_client, world, "alice")
    response = client.post(
        reverse("quizzes:attempt-answer-self-rating", args=[world["finished"].pk, 3]),
        body,
        format="json",
    )
    assert response.status_code == 400
    assert "rating" in response.json()
    assert AttemptAnswer.objects.get(attempt=world["finished"], slot=3).self_rating is None


@pytest.mark.parametrize(
    "body",
    [
        {"points": "3"},
        {"points": "-1"},
        {"points": "abc"},
        {},
        {"points": 1, "rubric_scores": [1, 1]},
    ],
)
def test_a_bad_instructor_grade_is_a_400_and_changes_nothing(api_client, world, body):
    client = client_for(api_client, world, "owner")
    response = client.post(
        reverse("quizzes:attempt-answer-grade", args=[world["finished"].pk, 3]), body, format="json"
    )
    assert response.status_code == 400
    assert response.json()
    assert AttemptAnswer.objects.get(attempt=world["finished"], slot=3).override_mark is None


def test_grading_with_rubric_scores_updates_the_attempt(api_client, world):
    client = client_for(api_client, world, "owner")
    response = client.post(
        reverse("quizzes:attempt-answer-grade", args=[world["finished"].pk, 3]),
        {"rubric_scores": ["1", "0"], "comment": "Half."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["review"]["instructor_grade"]["points"] == "1.00"
    attempt = Attempt.objects.get(pk=world["finished"].pk)
    assert (attempt.score, attempt.needs_grading) == (Decimal(2), False)
    queue = client.get(reverse("quizzes:quiz-grading-queue", args=[world["quiz"].pk])).json()
    assert queue == []


def test_the_grading_queue_lists_free_text_answers_waiting_for_a_grade(api_client, world):
    queue = (
        client_for(api_client, world, "owner")
        .get(reverse("quizzes:quiz-grading-queue", args=[world["quiz"].pk]))
        .json()
    )
    assert [(item["attempt_id"], item["student"], item["slot"]) for item in queue] == [
        (world["finished"].pk, world["users"]["alice"].username, 3)
    ]
    assert queue[0]["response"] == {"text": "Cross-entropy."}


# --- query counts ----------------------------------------------------------------------------


@pytest.fixture
def big_attempt(world):
    question_set = QuestionSetFactory(owner=world["users"]["owner"])
    for index in range(30):
        kind = index % 3
        if kind == 0:
            multiple_choice(question_set, correct=("a",), wrong=("b", "c"))
        elif kind == 1:
            numerical(question_set, value=index, tolerance=0.5)
        else:
            free_text(question_set)
    quiz = QuizFactory(
        owner=world["users"]["owner"], question_set=question_set, classrooms=[world["classroom"]]
    )
    attempt, _ = start_attempt(quiz=quiz, student=world["users"]["alice"])
    for slot in range(1, 31):
        if slot % 3 == 2:
            save_answer(
                attempt=attempt, student=world["users"]["alice"], slot=slot, response={"value": "1"}
            )
    submit_attempt(attempt=attempt, student=world["users"]["alice"])
    return quiz, attempt


@pytest.mark.parametrize("view", ["quizzes:attempt-detail", "quizzes:attempt-review"])
@pytest.mark.parametrize("role", ["alice", "owner"])
def test_attempt_pages_take_a_fixed_number_of_queries(
    api_client, world, big_attempt, view, role, django_assert_max_num_queries
):
    _, attempt = big_attempt
    client = client_for(api_client, world, role)
    # 7 for the student: one more to know which questions an open attempt keeps locked.
    with django_assert_max_num_queries(7 if role == "alice" else 6):
        response = client.get(reverse(view, args=[attempt.pk]))
    assert response.status_code == 200
    assert len(response.json()["items"]) == 30


def test_the_quiz_list_takes_a_fixed_number_of_queries(
    api_client, world, django_assert_max_num_queries
):
    for _ in range(10):
        QuizFactory(
            owner=world["users"]["owner"],
            question_set=world["set"],
            classrooms=[world["classroom"]],
        )
    client = client_for(api_client, world, "owner")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("quizzes:quiz-list"))
    assert response.json()["count"] == 12


def test_another_class_owner_cannot_be_assigned_through_the_api_but_keeps_its_own_quizzes(
    api_client, world
):
    other = world["users"]["other_instructor"]
    their_class = ClassroomFactory(owner=other)
    student = StudentFactory()
    join_class(student, their_class)
    their_set = QuestionSetFactory(owner=other)
    true_false(their_set)
    client = client_for(api_client, world, "other_instructor")
    response = client.post(
        reverse("quizzes:quiz-list"),
        {"title": "Theirs", "question_set": their_set.pk, "classroom_ids": [their_class.pk]},
        format="json",
    )
    assert response.status_code == 201
    api_client.logout()
    started = client_for(api_client, {"users": {"s": student}}, "s").post(
        reverse("quizzes:quiz-attempts", args=[response.json()["id"]])
    )
    assert started.status_code == 201


def test_reading_an_overdue_attempt_over_the_api_closes_it(api_client, world):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    quiz = world["quiz"]
    quiz.time_limit_seconds = 60
    quiz.save()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        attempt, _ = start_attempt(quiz=quiz, student=world["users"]["bob"])
    client = client_for(api_client, world, "bob")
    with time_machine.travel(now + timedelta(seconds=61), tick=False):
        body = client.get(reverse("quizzes:attempt-detail", args=[attempt.pk])).json()
        late = client.put(
            reverse("quizzes:attempt-answer", args=[attempt.pk, 2]),
            {"response": {"value": True}},
            format="json",
        )
    assert (body["state"], body["finished_by"]) == ("finished", "deadline")
    assert late.status_code == 409
    assert late.json()["code"] == "deadline_passed"


def test_the_admin_lists_and_shows_quizzes_and_attempts(client, world):
    from tests.flashcards.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    urls = [
        reverse("admin:quizzes_quiz_changelist"),
        reverse("admin:quizzes_quiz_change", args=[world["quiz"].pk]),
        reverse("admin:quizzes_attempt_changelist"),
        reverse("admin:quizzes_attempt_change", args=[world["finished"].pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    assert world["users"]["alice"].username in client.get(urls[2]).content.decode()
