"""What a grade is: its status, its fraction and mark, and the rule for self-ratings.

Fractions are `Decimal` in [0, 1]; the mark is fraction x points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flashcards.models import Question

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
MARK_QUANTUM = Decimal("0.0001")

SELF_RATED_KINDS = frozenset({Question.Kind.FREE_TEXT, Question.Kind.FLASHCARD})
UNGRADED_KINDS = frozenset({Question.Kind.DESCRIPTION})


class Status:
    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    UNANSWERED = "unanswered"
    AWAITING_SELF_RATING = "awaiting_self_rating"
    AWAITING_INSTRUCTOR = "awaiting_instructor"
    UNGRADED = "ungraded"


@dataclass(frozen=True)
class SelfRatingPolicy:
    """What a student's own 1–5 rating of a free-text (or flashcard) answer may do.

    `scores`: whether it earns marks at all (otherwise the instructor grades the answer);
    `cap`: the largest fraction of the question's points it can earn; `allowed`: whether the
    student may rate at all (practice quizzes let them rate for study's sake only).
    """

    scores: bool
    cap: Decimal = Decimal(1)
    allowed: bool = True


# The pure default, for grading a snapshot outside any quiz: the rating is the grade.
SELF_RATING_SCORES = SelfRatingPolicy(scores=True)


@dataclass(frozen=True)
class Grade:
    status: str
    # None while a mark cannot be given yet (free text awaiting its self-rating, descriptions).
    fraction: Decimal | None
    feedback: list[str] = field(default_factory=list)


def max_mark(snapshot: dict) -> Decimal:
    if snapshot["kind"] in UNGRADED_KINDS:
        return ZERO
    return Decimal(snapshot["points"])


def mark_for(snapshot: dict, grade: Grade) -> Decimal:
    """The points a grade is worth; a grade still waiting for a rating is worth nothing yet."""
    fraction = grade.fraction if grade.fraction is not None else ZERO
    return (fraction * max_mark(snapshot)).quantize(MARK_QUANTUM)


def status_for(fraction: Decimal) -> str:
    if fraction >= ONE:
        return Status.CORRECT
    if fraction <= ZERO:
        return Status.INCORRECT
    return Status.PARTIAL


FRACTION_QUANTUM = Decimal("0.0000001")


def clamp(fraction: Decimal) -> Decimal:
    # Seven places, as Moodle keeps fractions: thirds that sum back to a whole must give 1 or 0
    # exactly, not 1E-28.
    return min(ONE, max(ZERO, fraction.quantize(FRACTION_QUANTUM)))
