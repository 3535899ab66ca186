"""Celery tasks of the quizzes app: thin adapters over `quizzes.services`."""

from __future__ import annotations

from celery import shared_task

from quizsite import queues
from quizzes.services.deadlines import close_at_deadline


@shared_task(
    name=queues.CLOSE_ATTEMPT_AT_DEADLINE,
    bind=True,
    soft_time_limit=30,
    time_limit=60,
    max_retries=3,
)
def close_attempt_at_deadline(self, attempt_id: int) -> str:
    """Sent with `eta=deadline` when a timed attempt starts (see `quizzes.services.deadlines`).

    A delivery that arrives early schedules itself again for the deadline, up to max_retries.
    """
    outcome = close_at_deadline(attempt_id=attempt_id)
    if outcome.retry_at is not None and self.request.retries < self.max_retries:
        raise self.retry(eta=outcome.retry_at)
    return outcome.message
