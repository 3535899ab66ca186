"""Celery tasks of the LTI app: thin adapters over `lti.services`."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from lti.services.grades import MAX_RETRIES, retry_delay, send_grade
from quizsite import queues


@shared_task(
    name=queues.SEND_LTI_GRADE,
    bind=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=MAX_RETRIES,
)
def send_lti_grade(self: Any, grade_id: int) -> str:
    """Sent by `lti.services.grades.record_scores` after the score commits; a platform that
    fails in a way it may recover from is tried again later, with a growing delay."""
    outcome = send_grade(grade_id=grade_id, last_try=self.request.retries >= self.max_retries)
    if outcome.retry:
        raise self.retry(countdown=retry_delay(self.request.retries))
    return outcome.message
