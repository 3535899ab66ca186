"""Who grades a free-text answer in a given quiz, and who did grade each answer.

One rule, read by grading, self-rating, the review and the gradebook alike: in a quiz graded
by the instructor a student's own rating never earns marks (in a practice quiz it is still
allowed, for the study schedule); in a self-assessed quiz it earns at most the quiz's cap.
"""

from __future__ import annotations

from decimal import Decimal

from quizzes.grading.graders import grade
from quizzes.grading.results import SELF_RATED_KINDS, Grade, SelfRatingPolicy, Status
from quizzes.models import AttemptAnswer, Quiz

HUNDRED = Decimal(100)


class GradedBy:
    AUTOMATIC = "automatic"
    SELF_ASSESSED = "self_assessed"
    INSTRUCTOR = "instructor"
    AWAITING_INSTRUCTOR = "awaiting_instructor"
    AWAITING_SELF_RATING = "awaiting_self_rating"
    NOBODY = "nobody"  # unanswered, or a description that carries no points


def self_rating_policy(quiz: Quiz) -> SelfRatingPolicy:
    if quiz.free_text_grading == Quiz.FreeTextGrading.SELF_ASSESSED:
        cap = Decimal(quiz.self_assessment_cap) / HUNDRED
        return SelfRatingPolicy(scores=True, cap=cap, allowed=True)
    return SelfRatingPolicy(scores=False, allowed=quiz.is_practice)


def grade_of(answer: AttemptAnswer, quiz: Quiz) -> Grade:
    return grade(
        answer.snapshot,
        answer.response,
        self_rating=answer.self_rating,
        policy=self_rating_policy(quiz),
    )


def counts_self_assessment(answer: AttemptAnswer, quiz: Quiz) -> bool:
    """Whether this answer's mark is the student's own (capped) rating."""
    return (
        answer.kind in SELF_RATED_KINDS
        and answer.override_mark is None
        and answer.self_rating is not None
        and self_rating_policy(quiz).scores
    )


def graded_by(answer: AttemptAnswer, quiz: Quiz, status: str) -> dict:
    """Who gave this answer its mark, as the review shows it."""
    if answer.override_mark is not None:
        grader = answer.graded_by
        return {
            "method": GradedBy.INSTRUCTOR,
            "grader": grader.get_full_name() or grader.username if grader else None,
            "graded_at": answer.graded_at,
        }
    if counts_self_assessment(answer, quiz):
        return {
            "method": GradedBy.SELF_ASSESSED,
            "cap_percentage": str(Decimal(quiz.self_assessment_cap).quantize(Decimal("0.01"))),
        }
    if status == Status.AWAITING_INSTRUCTOR:
        return {"method": GradedBy.AWAITING_INSTRUCTOR}
    if status == Status.AWAITING_SELF_RATING:
        return {"method": GradedBy.AWAITING_SELF_RATING}
    if status in {Status.UNANSWERED, Status.UNGRADED}:
        return {"method": GradedBy.NOBODY}
    return {"method": GradedBy.AUTOMATIC}
