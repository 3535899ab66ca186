"""Finishing an attempt: grading and totalling its answers, closing it at the deadline, and
feeding its answers to spaced repetition.

Every write locks the attempt row first (`select_for_update`; on SQLite the IMMEDIATE
transactions serialise writers), and re-reads its state under that lock, so two submits of
the same attempt — sequential or concurrent — finish it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from flashcards.models import Question
from flashcards.services.study import record_quiz_answer
from quizzes.grading.graders import study_rating
from quizzes.grading.results import SELF_RATED_KINDS, Grade, mark_for, max_mark
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.grading_policy import counts_self_assessment, grade_of, self_rating_policy
from quizzes.signals import announce_score

GRADE_FIELDS = ["mark", "max_mark"]


def grade_answer(answer: AttemptAnswer, quiz: Quiz) -> Grade:
    """The answer's grade under the quiz's rule for self-ratings (`grading_policy`)."""
    return grade_of(answer, quiz)


def regrade_answer(answer: AttemptAnswer, quiz: Quiz) -> Grade:
    result = grade_answer(answer, quiz)
    answer.mark = mark_for(answer.snapshot, result)
    answer.max_mark = max_mark(answer.snapshot)
    return result


def _awaits_instructor(answer: AttemptAnswer, quiz: Quiz) -> bool:
    return (
        answer.kind in SELF_RATED_KINDS
        and answer.response is not None
        and answer.override_mark is None
        and not self_rating_policy(quiz).scores
    )


def total_attempt(attempt: Attempt, answers: list[AttemptAnswer]) -> None:
    """Score, maximum and the two flags the gradebook shows, from the answers' marks."""
    quiz = attempt.quiz
    attempt.score = sum((a.final_mark or Decimal(0) for a in answers), Decimal(0))
    attempt.max_score = sum((a.max_mark for a in answers), Decimal(0))
    attempt.needs_grading = any(_awaits_instructor(a, quiz) for a in answers)
    attempt.self_assessed = any(counts_self_assessment(a, quiz) for a in answers)


TOTAL_FIELDS = ["score", "max_score", "needs_grading", "self_assessed"]


def finish_attempt(attempt: Attempt, *, finished_by: str, at: datetime) -> None:
    answers = list(attempt.answers.all())
    for answer in answers:
        regrade_answer(answer, attempt.quiz)
    total_attempt(attempt, answers)
    attempt.state = Attempt.State.FINISHED
    attempt.finished_by = finished_by
    attempt.finished_at = at
    attempt.save(update_fields=["state", "finished_by", "finished_at", *TOTAL_FIELDS])
    fed = feed_spaced_repetition(attempt, answers)
    AttemptAnswer.objects.bulk_update(
        answers, [*GRADE_FIELDS, *(["fed_to_study_at"] if fed else [])]
    )
    announce_score(attempt)  # e.g. the grade passed back to an LTI platform


def close_if_overdue(attempt: Attempt, *, now: datetime | None = None) -> bool:
    """Finish an attempt whose deadline has passed, with the answers saved before it.

    The caller holds the attempt's row lock.  Returns whether it closed the attempt now.
    """
    now = now or timezone.now()
    if attempt.is_finished or attempt.deadline is None or now < attempt.deadline:
        return False
    finish_attempt(attempt, finished_by=Attempt.FinishedBy.DEADLINE, at=attempt.deadline)
    return True


def lock_attempt(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)


@transaction.atomic
def close_overdue_attempt(*, attempt_id: int, now: datetime | None = None) -> bool:
    """The deadline task's body: idempotent, a no-op for finished or not-yet-due attempts."""
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        return False
    return close_if_overdue(attempt, now=now)


def refresh_attempt(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Bring an attempt up to date before showing it: an overdue one is closed first.

    Costs no query for an attempt that is finished, untimed or still within its time.
    """
    now = now or timezone.now()
    if attempt.is_finished or attempt.deadline is None or now < attempt.deadline:
        return attempt
    close_overdue_attempt(attempt_id=attempt.pk, now=now)
    return Attempt.objects.select_related("quiz", "student").get(pk=attempt.pk)


def feed_spaced_repetition(attempt: Attempt, answers: Iterable[AttemptAnswer]) -> bool:
    """The one place quiz answers reach spaced repetition: a wrong answer is a lapse (1), a
    right one a 4, a free-text answer its self-rating.  Each answer is fed once."""
    pending = []
    for answer in answers:
        if answer.fed_to_study_at is not None or answer.question_id is None:
            continue
        rating = study_rating(
            answer.snapshot, grade_answer(answer, attempt.quiz), self_rating=answer.self_rating
        )
        if rating is not None:
            pending.append((answer, rating))
    if not pending:
        return False
    questions = Question.objects.in_bulk([answer.question_id for answer, _ in pending])
    stamp = timezone.now()
    for answer, rating in pending:
        question = questions.get(answer.question_id)
        if question is None:
            continue
        record_quiz_answer(
            student=attempt.student,
            question=question,
            rating=rating,
            answered_at=answer.checked_at or answer.saved_at or attempt.finished_at,
        )
        answer.fed_to_study_at = stamp
    return True
