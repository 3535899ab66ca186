"""Grades passed back to the platform through LTI Assignment and Grade Services.

`record_scores` runs inside the transaction that saved an attempt's score (the quizzes
signal): it updates the student's `PlatformGrade` rows for the quiz's activities and, after
commit, sends one task per row by name.  `send_grade` is the worker side: the library gets
an OAuth2 token from the platform (client credentials, a JWT signed with the tool's key) and
posts the score to the activity's line item.  A failure the platform may recover from
(no answer, 5xx, 429) is retried by the task with a growing delay; any other is final.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

import requests
from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from lti.models import PlatformGrade
from lti.protocol import ToolConf, http_session
from quizsite import dispatch, queues
from quizzes.models import Attempt
from quizzes.selectors.gradebook import grade_of_record

logger = logging.getLogger(__name__)

SCORE_MAXIMUM = 100  # grades are sent as percentages; the platform scales them
MAX_RETRIES = 12
FIRST_RETRY_SECONDS = 2
LONGEST_RETRY_SECONDS = 3600


def retry_delay(retries_so_far: int) -> int:
    """2 s, 4 s, 8 s, ... at most an hour: about two hours of tries over MAX_RETRIES."""
    return min(FIRST_RETRY_SECONDS * 2**retries_so_far, LONGEST_RETRY_SECONDS)


def record_scores(*, attempt: Attempt) -> list[int]:
    """Queue the student's grade at the attempt's quiz for each activity that opened it."""
    grades = list(
        PlatformGrade.objects.select_for_update()
        .filter(student_id=attempt.student_id, link__quiz_id=attempt.quiz_id)
        .exclude(link__lineitem_url="")
    )
    if not grades:
        return []
    percentage, needs_grading = grade_of_record(attempt.quiz, attempt.student)
    if percentage is None:
        return []
    now = timezone.now()
    for grade in grades:
        grade.percentage = percentage.quantize(Decimal("0.01"))
        grade.needs_grading = needs_grading
        grade.scored_at = now
        grade.state = PlatformGrade.State.PENDING
        grade.tries = 0
        grade.last_error = ""
    PlatformGrade.objects.bulk_update(
        grades, ["percentage", "needs_grading", "scored_at", "state", "tries", "last_error"]
    )
    ids = [grade.pk for grade in grades]
    transaction.on_commit(  # sent by name: lti.tasks imports this module
        lambda: [dispatch.send(queues.SEND_LTI_GRADE, args=[pk]) for pk in ids]
    )
    return ids


@dataclass(frozen=True)
class SendOutcome:
    """`message` is what the task returns; `retry` asks the task to try again later."""

    message: str
    retry: bool = False


def _score(grade: PlatformGrade) -> Grade:
    assert grade.percentage is not None
    assert grade.scored_at is not None
    return (
        Grade()
        .set_score_given(float(grade.percentage))
        .set_score_maximum(SCORE_MAXIMUM)
        .set_user_id(grade.subject)
        .set_timestamp(grade.scored_at.isoformat(timespec="milliseconds"))
        .set_activity_progress("Completed")
        .set_grading_progress("PendingManual" if grade.needs_grading else "FullyGraded")
    )


def _post(grade: PlatformGrade) -> None:
    tool = grade.link.tool
    registration = ToolConf().registration(issuer=tool.issuer, client_id=tool.client_id)
    connector = ServiceConnector(registration, http_session())
    service = AssignmentsGradesService(
        connector,
        {"scope": grade.link.ags_scopes, "lineitem": grade.link.lineitem_url},
    )
    service.put_grade(_score(grade))


def _may_recover(error: Exception) -> bool:
    if isinstance(error, LtiServiceException):
        status = error.response.status_code
        return status >= 500 or status in (408, 429)
    return isinstance(error, requests.RequestException)


def send_grade(*, grade_id: int, last_try: bool = False) -> SendOutcome:
    """Post the grade's current score.  Idempotent: a sent grade is not sent again, and a
    score that changed while this one was on its way stays pending for its own task."""
    grade = PlatformGrade.objects.select_related("link__tool").filter(pk=grade_id).first()
    if grade is None or grade.state != PlatformGrade.State.PENDING:
        return SendOutcome("nothing to do")
    version = grade.scored_at
    try:
        _post(grade)
    except (LtiException, requests.RequestException) as error:
        retry = _may_recover(error) and not last_try
        logger.warning("LTI grade %s not sent (%s): %s", grade_id, grade.link.tool, error)
        PlatformGrade.objects.filter(pk=grade_id, scored_at=version).update(
            tries=grade.tries + 1,
            last_error=str(error)[:2000],
            state=PlatformGrade.State.PENDING if retry else PlatformGrade.State.FAILED,
        )
        return SendOutcome("retry" if retry else "failed", retry=retry)
    PlatformGrade.objects.filter(pk=grade_id, scored_at=version).update(
        tries=grade.tries + 1,
        last_error="",
        state=PlatformGrade.State.SENT,
        sent_at=timezone.now(),
    )
    return SendOutcome("sent")
