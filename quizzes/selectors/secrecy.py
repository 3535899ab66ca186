"""Which questions' answer keys a student may not read while a quiz attempt is open.

The rule that applies it everywhere lives in `flashcards.selectors.content`
(`questions_with_hidden_keys`); this module only says which questions a quiz locks, and
quizzes/apps.py registers it there (flashcards cannot import quizzes).
"""

from __future__ import annotations

from django.db.models import QuerySet

from flashcards.models import User
from quizzes.models import Attempt, AttemptAnswer


def questions_of_open_attempts(user: User, *, except_attempt: int | None = None) -> QuerySet:
    """Question ids of every attempt `user` has in progress (optionally but one of them)."""
    answers = AttemptAnswer.objects.filter(
        attempt__student=user,
        attempt__state=Attempt.State.IN_PROGRESS,
        question__isnull=False,
    )
    if except_attempt is not None:
        answers = answers.exclude(attempt_id=except_attempt)
    return answers.values("question_id")
