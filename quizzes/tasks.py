"""Celery tasks of the quizzes app: thin adapters over `quizzes.services`."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from quizzes.models import Attempt


@shared_task(
    name="quizzes.close_attempt_at_deadline",
    bind=True,
    soft_time_limit=30,
    time_limit=60,
    max_retries=3,
)
def close_attempt_at_deadline(self, attempt_id: int) -> str:
    """Scheduled with `eta=deadline` when a timed attempt starts.

    Idempotent: finished attempts are left alone, so a redelivered task (Redis redelivers eta
    tasks after its visibility timeout) does nothing.  A task that arrives early — clocks of
    web and worker machines differ — schedules itself again for the deadline.
    """
    from quizzes.services.attempts import close_overdue_attempt

    attempt = Attempt.objects.filter(pk=attempt_id).only("state", "deadline").first()
    if attempt is None or attempt.is_finished or attempt.deadline is None:
        return "nothing to do"
    if timezone.now() < attempt.deadline:
        if self.request.retries >= self.max_retries:
            return "not due"
        raise self.retry(eta=attempt.deadline)
    return "closed" if close_overdue_attempt(attempt_id=attempt_id) else "nothing to do"
