"""What the quizzes app tells apps above it, without importing them.

`attempt_scored` is sent inside the transaction that saved a finished attempt's score: when
the attempt is finished, and again when an instructor's grade, a self-rating or a regrade
changes it.  A receiver's writes commit (or roll back) with the score; work for a worker is
sent after commit.  The LTI app connects one in `LtiConfig.ready` to pass grades back to the
learning platform the quiz was opened from.
"""

from __future__ import annotations

from django.dispatch import Signal

from quizzes.models import Attempt

attempt_scored = Signal()  # keyword argument: attempt (an Attempt, finished)


def announce_score(attempt: Attempt) -> None:
    """Tell the receivers that this finished attempt's score was saved (or changed)."""
    attempt_scored.send(sender=Attempt, attempt=attempt)
