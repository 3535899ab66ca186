"""The worker side of a timed attempt's deadline: what `close_attempt_at_deadline` does.

`attempts.start_attempt` sends the task by name with `eta=deadline`; the task calls
`close_at_deadline` here and only turns its answer into Celery's retry.  Kept apart from the
task so the rule (idempotent, early deliveries wait) is a plain function a test can call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from quizzes.models import Attempt
from quizzes.services.attempts.finish import close_overdue_attempt


@dataclass(frozen=True)
class DeadlineOutcome:
    """`message` is what the task returns; `retry_at` is set when the task arrived early."""

    message: str
    retry_at: datetime | None = None


def close_at_deadline(*, attempt_id: int, now: datetime | None = None) -> DeadlineOutcome:
    """Close the attempt if its deadline has passed.

    Idempotent: finished attempts are left alone, so a redelivered task (Redis redelivers eta
    tasks after its visibility timeout) does nothing.  A task that arrives early — clocks of
    web and worker machines differ — is told to come back at the deadline.
    """
    attempt = Attempt.objects.filter(pk=attempt_id).only("state", "deadline").first()
    if attempt is None or attempt.is_finished or attempt.deadline is None:
        return DeadlineOutcome("nothing to do")
    if (now or timezone.now()) < attempt.deadline:
        return DeadlineOutcome("not due", retry_at=attempt.deadline)
    closed = close_overdue_attempt(attempt_id=attempt_id, now=now)
    return DeadlineOutcome("closed" if closed else "nothing to do")
