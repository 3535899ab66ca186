"""Answering: autosaving an answer, checking one ("after each question" mode) and submitting.

A write to an attempt past its deadline closes it first (in its own transaction) and is then
refused, so an answer saved a moment after the deadline never slips in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from flashcards.models import User
from quizzes.grading.responses import ResponseError, validate_response
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.services.attempts.finish import (
    GRADE_FIELDS,
    close_overdue_attempt,
    finish_attempt,
    lock_attempt,
    regrade_answer,
)
from quizzes.services.errors import ActionConflict, ActionNotAllowed, QuizActionError

T = TypeVar("T")


def _writable(attempt: Attempt, student: User, now: datetime) -> Attempt:
    """Lock the attempt and refuse writes to a finished or overdue one."""
    if attempt.student_id != student.pk:
        raise ActionNotAllowed(
            "Only the student taking this attempt can change it.", code="not_yours"
        )
    attempt = lock_attempt(attempt)
    overdue = attempt.deadline is not None and now >= attempt.deadline
    if overdue or attempt.finished_by == Attempt.FinishedBy.DEADLINE:
        raise ActionConflict(
            "Time is up: the attempt was closed at its deadline with the answers saved before it.",
            code="deadline_passed",
        )
    if attempt.is_finished:
        raise ActionConflict("This attempt has already been submitted.", code="finished")
    return attempt


def closing_overdue_first(service: Callable[..., T]) -> Callable[..., T]:
    """Run `service` atomically, after closing the attempt in its own transaction if overdue.

    The close must survive the refusal that follows it: were it inside the service's
    transaction, raising "time is up" would roll the closing back too.
    """
    atomic_service = transaction.atomic(service)

    @functools.wraps(service)
    def wrapper(*, attempt: Attempt, now: datetime | None = None, **kwargs: Any) -> T:
        now = now or timezone.now()
        if attempt.deadline is not None and now >= attempt.deadline:
            close_overdue_attempt(attempt_id=attempt.pk, now=now)
        return atomic_service(attempt=attempt, now=now, **kwargs)

    return wrapper


def locked_answer(attempt: Attempt, slot: int) -> AttemptAnswer:
    answer = AttemptAnswer.objects.select_for_update().filter(attempt=attempt, slot=slot).first()
    if answer is None:
        raise QuizActionError(f"This attempt has no question {slot}.", code="no_such_slot")
    return answer


@closing_overdue_first
def save_answer(
    *, attempt: Attempt, student: User, slot: int, response: object, now: datetime | None = None
) -> AttemptAnswer:
    """Autosave one answer.  A response that does not fit raises `ResponseError` and
    leaves the previously saved one untouched."""
    now = now or timezone.now()
    attempt = _writable(attempt, student, now)
    answer = locked_answer(attempt, slot)
    if answer.checked_at is not None:
        raise ActionConflict("This answer was checked and can no longer change.", code="checked")
    answer.response = validate_response(answer.snapshot, response)
    answer.saved_at = now
    answer.save(update_fields=["response", "saved_at"])
    attempt.last_saved_at = now
    attempt.save(update_fields=["last_saved_at"])
    return answer


def _save_answers(*, attempt: Attempt, responses: dict[int, object], now: datetime) -> None:
    """Save several answers at once, all or none: field errors are keyed by slot.  Runs in
    the caller's transaction, with the attempt already locked and checked."""
    answers = {a.slot: a for a in attempt.answers.select_for_update().filter(slot__in=responses)}
    errors: dict[str, object] = {}
    for slot, response in responses.items():
        answer = answers.get(slot)
        if answer is None:
            errors[str(slot)] = {"slot": [f"This attempt has no question {slot}."]}
            continue
        if answer.checked_at is not None:
            continue
        try:
            answer.response = validate_response(answer.snapshot, response)
        except ResponseError as error:
            errors[str(slot)] = error.errors
        answer.saved_at = now
    if errors:
        raise ResponseError(errors)
    AttemptAnswer.objects.bulk_update(
        [a for a in answers.values() if a.checked_at is None], ["response", "saved_at"]
    )
    attempt.last_saved_at = now
    attempt.save(update_fields=["last_saved_at"])


@closing_overdue_first
def check_answer(
    *, attempt: Attempt, student: User, slot: int, now: datetime | None = None
) -> AttemptAnswer:
    """ "After each question" mode: grade one answer now, show its feedback, lock it."""
    now = now or timezone.now()
    attempt = _writable(attempt, student, now)
    if attempt.quiz.answers_shown != Quiz.AnswersShown.AFTER_EACH:
        raise ActionConflict("This quiz shows answers only at the end.", code="no_checking")
    answer = locked_answer(attempt, slot)
    if answer.checked_at is None:
        regrade_answer(answer, attempt.quiz)
        answer.checked_at = now
        answer.save(update_fields=[*GRADE_FIELDS, "checked_at"])
    return answer


@closing_overdue_first
def submit_attempt(
    *,
    attempt: Attempt,
    student: User,
    responses: dict[int, object] | None = None,
    now: datetime | None = None,
) -> tuple[Attempt, bool]:
    """Finish an attempt and grade it.  Returns (attempt, submitted_now).

    Submitting again returns the finished attempt unchanged: a double click, a retry after a
    dropped connection and two concurrent requests all count once.  After the deadline the
    submission is refused (ActionConflict) and the attempt is graded on what was saved in time.
    """
    now = now or timezone.now()
    if attempt.student_id != student.pk:
        raise ActionNotAllowed(
            "Only the student taking this attempt can submit it.", code="not_yours"
        )
    locked = lock_attempt(attempt)
    if locked.is_finished and locked.finished_by == Attempt.FinishedBy.STUDENT:
        return locked, False
    locked = _writable(locked, student, now)
    if responses:
        _save_answers(attempt=locked, responses=responses, now=now)
    finish_attempt(locked, finished_by=Attempt.FinishedBy.STUDENT, at=now)
    return locked, True
