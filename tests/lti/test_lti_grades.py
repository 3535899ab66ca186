"""Grades passed back through Assignment and Grade Services: a finished attempt at a quiz
opened from the platform posts its score to the activity's line item on the simulated
platform, with an OAuth2 token the platform grants against the tool's published key."""

from __future__ import annotations

from decimal import Decimal

import pytest
from celery.signals import before_task_publish
from django.test import Client

from lti.models import LtiIdentity, PlatformGrade
from lti.services.grades import LONGEST_RETRY_SECONDS, MAX_RETRIES, retry_delay
from lti.tasks import send_lti_grade
from quizsite import queues
from quizzes.services.attempts.answer import save_answer, submit_attempt
from quizzes.services.attempts.rating import grade_by_instructor
from quizzes.services.attempts.start import start_attempt
from tests import servers
from tests.flashcards.factories import StudentFactory, free_text
from tests.lti import platform as simulated
from tests.lti.flows import launch

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


@pytest.fixture
def published():
    """Messages really published to the broker: (task name, routing key)."""
    sent: list[tuple[str, str]] = []

    def record(sender=None, routing_key=None, **kwargs):
        sent.append((sender, routing_key))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


@pytest.fixture
def student(platform, linked_quiz):
    item, _quiz = linked_quiz
    response, _token, _login = launch(
        Client(),
        platform,
        sub="student-42",
        roles=[simulated.LEARNER],
        custom=item["custom"],
        lineitem=platform.lineitem_url(),
    )
    assert response.status_code == 302
    return LtiIdentity.objects.get(subject="student-42").user


def finish(quiz, student, *, right: bool, callbacks_capture):
    attempt, _ = start_attempt(quiz=quiz, student=student)
    save_answer(attempt=attempt, student=student, slot=1, response={"value": right})
    with callbacks_capture(execute=False) as callbacks:
        attempt, _ = submit_attempt(attempt=attempt, student=student)
    return attempt, callbacks


def test_a_finished_attempt_posts_its_score_retrying_when_the_platform_first_fails(
    platform, linked_quiz, student, django_capture_on_commit_callbacks
):
    _item, quiz = linked_quiz
    _attempt, callbacks = finish(
        quiz, student, right=True, callbacks_capture=django_capture_on_commit_callbacks
    )
    assert len(callbacks) == 1  # the task, sent by name once the score is committed
    grade = PlatformGrade.objects.get(student=student)
    assert grade.state == PlatformGrade.State.PENDING
    assert grade.percentage == Decimal("100.00")

    platform.recorded.score_statuses = [500]
    result = send_lti_grade.apply(args=[grade.pk])

    assert result.get() == "sent"
    first, second = platform.recorded.scores
    assert (first["status"], second["status"]) == (500, 200)
    assert second["path"] == "/courses/7/lineitems/1/lineitem/scores"
    assert second["content_type"] == SCORE_TYPE
    body = second["body"]
    assert body["userId"] == "student-42"
    assert (body["scoreGiven"], body["scoreMaximum"]) == (100.0, 100)
    assert body["activityProgress"] == "Completed"
    assert body["gradingProgress"] == "FullyGraded"
    assert body["timestamp"].startswith(grade.scored_at.strftime("%Y-%m-%dT%H:%M:%S"))
    token = platform.recorded.token_requests[0]
    assert token["claims"]["sub"] == simulated.CLIENT_ID
    assert token["form"]["grant_type"] == ["client_credentials"]
    assert simulated.SCORE_SCOPE in token["form"]["scope"][0]
    grade.refresh_from_db()
    assert (grade.state, grade.tries, grade.last_error) == (PlatformGrade.State.SENT, 2, "")
    assert send_lti_grade.apply(args=[grade.pk]).get() == "nothing to do"
    assert len(platform.recorded.scores) == 2


def test_an_instructors_grade_sends_the_new_score_pending_no_more(
    platform, linked_quiz, student, django_capture_on_commit_callbacks
):
    _item, quiz = linked_quiz
    essay = free_text(quiz.question_set)
    attempt, _ = start_attempt(quiz=quiz, student=student)
    save_answer(attempt=attempt, student=student, slot=1, response={"value": True})
    save_answer(attempt=attempt, student=student, slot=2, response={"text": "ReLU is max(0, x)"})
    with django_capture_on_commit_callbacks(execute=False):
        attempt, _ = submit_attempt(attempt=attempt, student=student)
    grade = PlatformGrade.objects.get(student=student)
    send_lti_grade.apply(args=[grade.pk])
    assert platform.recorded.scores[-1]["body"]["gradingProgress"] == "PendingManual"

    answer = attempt.answers.get(question=essay)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        grade_by_instructor(answer=answer, grader=quiz.owner, points=answer.max_mark)
    assert len(callbacks) == 1
    send_lti_grade.apply(args=[grade.pk])
    last = platform.recorded.scores[-1]["body"]
    assert (last["scoreGiven"], last["gradingProgress"]) == (100.0, "FullyGraded")


def test_a_platform_that_keeps_failing_leaves_the_grade_marked_failed(
    platform, linked_quiz, student, django_capture_on_commit_callbacks
):
    _item, quiz = linked_quiz
    finish(quiz, student, right=False, callbacks_capture=django_capture_on_commit_callbacks)
    grade = PlatformGrade.objects.get(student=student)
    platform.recorded.score_statuses = [503] * (MAX_RETRIES + 1)
    assert send_lti_grade.apply(args=[grade.pk]).get() == "failed"
    assert len(platform.recorded.scores) == MAX_RETRIES + 1
    grade.refresh_from_db()
    assert grade.state == PlatformGrade.State.FAILED
    assert grade.tries == MAX_RETRIES + 1
    assert "503" in grade.last_error


def test_a_refusal_the_platform_will_not_change_its_mind_about_is_not_retried(
    platform, linked_quiz, student, django_capture_on_commit_callbacks
):
    _item, quiz = linked_quiz
    finish(quiz, student, right=True, callbacks_capture=django_capture_on_commit_callbacks)
    grade = PlatformGrade.objects.get(student=student)
    platform.recorded.score_statuses = [400]
    assert send_lti_grade.apply(args=[grade.pk]).get() == "failed"
    assert len(platform.recorded.scores) == 1


def test_the_retry_delay_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in range(4)] == [2, 4, 8, 16]
    assert retry_delay(MAX_RETRIES) == LONGEST_RETRY_SECONDS


def test_the_grade_task_is_sent_by_name_to_the_default_queue_after_commit(
    platform, linked_quiz, student, django_capture_on_commit_callbacks, published
):
    _item, quiz = linked_quiz
    attempt, _ = start_attempt(quiz=quiz, student=student)
    with django_capture_on_commit_callbacks(execute=True):
        submit_attempt(attempt=attempt, student=student)
    assert published == [(queues.SEND_LTI_GRADE, queues.DEFAULT_QUEUE)]


def test_an_attempt_at_a_quiz_not_opened_from_a_platform_sends_nothing(
    platform, linked_quiz, student, django_capture_on_commit_callbacks
):
    _item, quiz = linked_quiz
    classroom = quiz.classrooms.get()  # the course's class, which `student` joined
    outsider = StudentFactory()
    classroom.members.add(outsider)
    _attempt, callbacks = finish(
        quiz, outsider, right=True, callbacks_capture=django_capture_on_commit_callbacks
    )
    assert callbacks == []
    assert not PlatformGrade.objects.filter(student=outsider).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_posts_the_score_and_retries_after_a_500(
    platform, linked_quiz, student, celery_worker
):
    _item, quiz = linked_quiz
    platform.recorded.score_statuses = [500]
    attempt, _ = start_attempt(quiz=quiz, student=student)
    save_answer(attempt=attempt, student=student, slot=1, response={"value": True})
    submit_attempt(attempt=attempt, student=student)
    servers.wait_until(
        lambda: PlatformGrade.objects.get(student=student).state == PlatformGrade.State.SENT,
        timeout=60,
        what="the worker sending the grade",
    )
    assert [score["status"] for score in platform.recorded.scores] == [500, 200]
    assert platform.recorded.scores[1]["body"]["scoreGiven"] == 100.0
    assert PlatformGrade.objects.get(student=student).tries == 2
