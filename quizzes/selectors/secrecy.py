"""Which questions' answer keys a student may not read while a quiz attempt is open.

The rule that applies it everywhere lives in `flashcards.selectors.content`
(`questions_with_hidden_keys`); this module only says which questions a quiz locks, and
quizzes/apps.py registers it there (flashcards cannot import quizzes).
"""

from __future__ import annotations

from django.db.models import QuerySet

from flashcards.models import User
from flashcards.selectors.content import AnswerKeyLock
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


_ANSWERS, _ATTEMPTS = AttemptAnswer._meta, Attempt._meta

# `questions_of_open_attempts(user)` as the SQL the study hot path runs (each %s is the user's
# id); tests/quizzes/test_answer_key_secrecy.py holds the two equal.
OPEN_ATTEMPT_QUESTIONS_SQL = f"""SELECT oa.{_ANSWERS.get_field("question").column}
  FROM {_ANSWERS.db_table} oa
  JOIN {_ATTEMPTS.db_table} ot ON ot.id = oa.{_ANSWERS.get_field("attempt").column}
  WHERE ot.{_ATTEMPTS.get_field("student").column} = %s
    AND ot.{_ATTEMPTS.get_field("state").column} = '{Attempt.State.IN_PROGRESS.value}'
    AND oa.{_ANSWERS.get_field("question").column} IS NOT NULL"""

OPEN_ATTEMPTS_LOCK = AnswerKeyLock(
    questions=questions_of_open_attempts, sql=OPEN_ATTEMPT_QUESTIONS_SQL
)
