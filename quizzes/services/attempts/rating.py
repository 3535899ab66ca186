"""Rating a free-text answer: the student's own 1–5 rating, and an instructor's grade."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from flashcards.models import User
from flashcards.scheduling.ratings import MAX_RATING, MIN_RATING
from quizzes.grading.responses import ResponseError
from quizzes.grading.results import MARK_QUANTUM, SELF_RATED_KINDS
from quizzes.models import Attempt, AttemptAnswer
from quizzes.selectors.grading_policy import self_rating_policy
from quizzes.selectors.review import answers_visible
from quizzes.services.attempts.answer import closing_overdue_first, locked_answer
from quizzes.services.attempts.finish import (
    GRADE_FIELDS,
    TOTAL_FIELDS,
    feed_spaced_repetition,
    lock_attempt,
    regrade_answer,
    total_attempt,
)
from quizzes.services.errors import ActionConflict, ActionNotAllowed, QuizActionError
from quizzes.signals import announce_score


@closing_overdue_first
def rate_own_answer(
    *, attempt: Attempt, student: User, slot: int, rating: int, now: datetime | None = None
) -> AttemptAnswer:
    """The student rates a free-text (or flashcard) answer 1–5 against the reference answer.

    Allowed once the reference is visible to them: after checking it ("after each question"
    mode; changeable until submitting) or in the review of a finished attempt (final then, and
    fed to spaced repetition at once).  Only where the quiz lets it (`self_rating_policy`): in
    a quiz the instructor grades, a rating is refused unless the quiz is for practice, and
    then it feeds study but never the score.
    """
    now = now or timezone.now()
    if attempt.student_id != student.pk:
        raise ActionNotAllowed(
            "Only the student who answered can rate the answer.", code="not_yours"
        )
    if (
        isinstance(rating, bool)
        or not isinstance(rating, int)
        or not MIN_RATING <= rating <= MAX_RATING
    ):
        raise ResponseError(
            {"rating": [f"A rating is a whole number from {MIN_RATING} to {MAX_RATING}."]}
        )
    attempt = lock_attempt(attempt)
    answer = locked_answer(attempt, slot)
    if answer.kind not in SELF_RATED_KINDS:
        raise QuizActionError(
            "Only free-text answers are rated by the student.", code="not_self_rated"
        )
    policy = self_rating_policy(attempt.quiz)
    if not policy.allowed:
        raise ActionConflict(
            "Your instructor grades the written answers of this quiz; they are not self-rated.",
            code="self_rating_not_allowed",
        )
    if not answers_visible(attempt, answer, now=now):
        raise ActionConflict(
            "The reference answer is not shown yet, so there is nothing to rate against.",
            code="reference_hidden",
        )
    if attempt.is_finished and answer.self_rating is not None:
        raise ActionConflict("You have already rated this answer.", code="already_rated")
    answer.self_rating = rating
    regrade_answer(answer, attempt.quiz)
    update = ["self_rating", *GRADE_FIELDS]
    if attempt.is_finished:
        answers = [*attempt.answers.exclude(pk=answer.pk), answer]
        total_attempt(attempt, answers)
        attempt.save(update_fields=TOTAL_FIELDS)
        if feed_spaced_repetition(attempt, [answer]):
            update.append("fed_to_study_at")
    answer.save(update_fields=update)
    if attempt.is_finished:
        announce_score(attempt)
    return answer


def rubric_points(rubric: list[dict], scores: list, max_mark: Decimal) -> Decimal:
    """Rubric scores, scaled so that full marks on every criterion give the question's points."""
    errors = []
    if not isinstance(scores, list) or len(scores) != len(rubric):
        raise ResponseError(
            {"rubric_scores": [f"Give one score per rubric criterion ({len(rubric)})."]}
        )
    total = available = Decimal(0)
    for index, (criterion, score) in enumerate(zip(rubric, scores, strict=True), start=1):
        limit = Decimal(str(criterion.get("points", 0)))
        try:
            value = Decimal(str(score))
        except ArithmeticError:
            errors.append(f"Criterion {index}: {score!r} is not a number.")
            continue
        if isinstance(score, bool) or not Decimal(0) <= value <= limit:
            errors.append(f"Criterion {index}: a score from 0 to {limit}.")
            continue
        total += value
        available += limit
    if errors:
        raise ResponseError({"rubric_scores": errors})
    if not available:
        return Decimal(0)
    return (total / available * max_mark).quantize(MARK_QUANTUM)


@transaction.atomic
def grade_by_instructor(
    *,
    answer: AttemptAnswer,
    grader: User,
    points: Decimal | None = None,
    rubric_scores: list | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> AttemptAnswer:
    """An instructor's mark replaces the automatic or self-assessed one; the comment is shown
    to the student in the review.  Permission is the caller's job (`can_grade_attempt`)."""
    now = now or timezone.now()
    attempt = lock_attempt(answer.attempt)
    answer = locked_answer(attempt, answer.slot)
    if not attempt.is_finished:
        raise ActionConflict("Grade an attempt once it is finished.", code="not_finished")
    if (points is None) == (rubric_scores is None):
        raise ResponseError({"points": ["Give either points or rubric scores."]})
    if rubric_scores is not None:
        rubric = answer.snapshot.get("rubric") or []
        if not rubric:
            raise ResponseError({"rubric_scores": ["This question has no rubric."]})
        mark = rubric_points(rubric, rubric_scores, answer.max_mark)
    else:
        try:
            mark = Decimal(str(points))
        except ArithmeticError:
            raise ResponseError({"points": ["Must be a number."]}) from None
        if not mark.is_finite() or not Decimal(0) <= mark <= answer.max_mark:
            raise ResponseError({"points": [f"Must be between 0 and {answer.max_mark}."]})
        mark = mark.quantize(MARK_QUANTUM)
    answer.override_mark = mark
    # Stored as text: JSON has no decimals, and floats would turn 0.1 into 0.1000000000000000055.
    answer.rubric_scores = [str(Decimal(str(score))) for score in rubric_scores or []]
    answer.grader_comment = comment
    answer.graded_by = grader
    answer.graded_at = now
    answer.save(
        update_fields=["override_mark", "rubric_scores", "grader_comment", "graded_by", "graded_at"]
    )
    answers = [*attempt.answers.exclude(pk=answer.pk), answer]
    total_attempt(attempt, answers)
    attempt.save(update_fields=TOTAL_FIELDS)
    announce_score(attempt)
    return answer
