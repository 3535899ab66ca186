"""Grading a stored response per question kind, and what the review shows as right.

Nothing here touches the database: a snapshot (see `quizzes.snapshots`) is a plain dict and a
response is already in the form `quizzes.grading.responses.validate_response` returns.  That
keeps grading deterministic, cheap to test exhaustively, and reusable for regrading.
"""

from __future__ import annotations

from decimal import Decimal

from flashcards.models import Question
from quizzes.grading.matching import (
    choice_weights,
    is_any_other_number,
    matching_options,
    normalise_text,
    numerical_answer_accepts,
    parse_number,
    pattern_matches,
)
from quizzes.grading.results import (
    HUNDRED,
    ONE,
    SELF_RATED_KINDS,
    SELF_RATING_SCORES,
    UNGRADED_KINDS,
    ZERO,
    Grade,
    SelfRatingPolicy,
    Status,
    clamp,
    status_for,
)


def _grade_multiple_choice(snapshot: dict, response: dict) -> Grade:
    weights = choice_weights(snapshot)
    selected = set(response["choices"])
    total = sum((weights[cid] for cid in selected), ZERO)
    fraction = clamp(total / HUNDRED)
    feedback = [
        c["feedback_html"]
        for c in snapshot["choices"]
        if c["id"] in selected and c.get("feedback_html")
    ]
    return Grade(status_for(fraction), fraction, feedback)


def _grade_true_false(snapshot: dict, response: dict) -> Grade:
    correct = snapshot.get("correct_boolean")
    fraction = ONE if correct is not None and response["value"] is correct else ZERO
    # Snapshots taken before per-answer feedback existed have neither key.
    shown = snapshot.get("true_feedback_html" if response["value"] else "false_feedback_html")
    return Grade(status_for(fraction), fraction, [shown] if shown else [])


def _grade_numerical(snapshot: dict, response: dict) -> Grade:
    number = parse_number(response["value"])
    answers = snapshot["numerical_answers"]
    accepting = [a for a in answers if numerical_answer_accepts(a, number)]
    if not accepting:
        # Wherever the author put it, "any other number" speaks only when nothing else does.
        accepting = [a for a in answers if is_any_other_number(a)]
    if not accepting:
        return Grade(Status.INCORRECT, ZERO)
    best = max(accepting, key=lambda a: Decimal(a["weight"]))
    fraction = clamp(Decimal(best["weight"]) / HUNDRED)
    feedback = [best["feedback_html"]] if best.get("feedback_html") else []
    return Grade(status_for(fraction), fraction, feedback)


def _grade_short_answer(snapshot: dict, response: dict) -> Grade:
    options = matching_options(snapshot)
    answer = normalise_text(response["text"], **options)
    weights = choice_weights({**snapshot, "allow_multiple": False})
    # As in Moodle, the first accepted answer that matches decides, so a catch-all `*` with
    # feedback for everything else goes last.
    for choice in snapshot["choices"]:
        if pattern_matches(choice["text"], answer, options):
            fraction = clamp(weights[choice["id"]] / HUNDRED)
            feedback = [choice["feedback_html"]] if choice.get("feedback_html") else []
            return Grade(status_for(fraction), fraction, feedback)
    return Grade(Status.INCORRECT, ZERO)


def _grade_matching(snapshot: dict, response: dict) -> Grade:
    stems = snapshot["stems"]
    if not stems:
        return Grade(Status.INCORRECT, ZERO)
    matches = response["matches"]
    right = sum(1 for stem in stems if matches.get(str(stem["id"])) == stem["match_text"])
    fraction = clamp(Decimal(right) / Decimal(len(stems)))
    return Grade(status_for(fraction), fraction)


def _grade_cloze(snapshot: dict, response: dict) -> Grade:
    options = matching_options(snapshot)
    blanks = snapshot["cloze"]["blanks"]
    if not blanks:
        return Grade(Status.INCORRECT, ZERO)
    given = response["blanks"]
    right = sum(
        1
        for blank, typed in zip(blanks, given, strict=False)
        if normalise_text(typed, **options) == normalise_text(blank["answer"], **options)
    )
    fraction = clamp(Decimal(right) / Decimal(len(blanks)))
    return Grade(status_for(fraction), fraction)


def self_rating_fraction(rating: int) -> Decimal:
    """1 "not at all" is worth nothing, 5 "perfectly" everything, evenly in between."""
    return (Decimal(rating) - 1) / 4


def grade(
    snapshot: dict,
    response: dict | None,
    *,
    self_rating: int | None = None,
    policy: SelfRatingPolicy = SELF_RATING_SCORES,
) -> Grade:
    """Grade a stored response (None: not answered) against the question as it was given.

    Under a policy where self-ratings do not score, a written free-text answer waits for the
    instructor whatever the student rated it; under a capped one, a rating of 5 earns `cap`.
    """
    kind = snapshot["kind"]
    if kind in UNGRADED_KINDS:
        return Grade(Status.UNGRADED, None)
    if kind in SELF_RATED_KINDS:
        # A flashcard is answered in the head, so it needs only the rating; a blank free-text
        # answer is simply unanswered.
        if kind == Question.Kind.FREE_TEXT and response is None:
            return Grade(Status.UNANSWERED, ZERO)
        if not policy.scores:
            if response is None:
                return Grade(Status.UNANSWERED, ZERO)
            return Grade(Status.AWAITING_INSTRUCTOR, None)
        if self_rating is None:
            return Grade(Status.AWAITING_SELF_RATING, None)
        fraction = self_rating_fraction(self_rating)
        return Grade(status_for(fraction), clamp(fraction * policy.cap))
    if response is None:
        return Grade(Status.UNANSWERED, ZERO)
    graders = {
        Question.Kind.MULTIPLE_CHOICE: _grade_multiple_choice,
        Question.Kind.TRUE_FALSE: _grade_true_false,
        Question.Kind.NUMERICAL: _grade_numerical,
        Question.Kind.SHORT_ANSWER: _grade_short_answer,
        Question.Kind.MATCHING: _grade_matching,
        Question.Kind.CLOZE: _grade_cloze,
    }
    return graders[kind](snapshot, response)


def correct_response(snapshot: dict) -> dict:
    kind = snapshot["kind"]
    if kind == Question.Kind.MULTIPLE_CHOICE:
        weights = choice_weights(snapshot)
        return {"choices": [c["id"] for c in snapshot["choices"] if weights[c["id"]] > 0]}
    if kind == Question.Kind.TRUE_FALSE:
        return {"value": snapshot.get("correct_boolean")}
    if kind == Question.Kind.NUMERICAL:
        accepted = []
        for answer in snapshot["numerical_answers"]:
            if Decimal(answer["weight"]) < HUNDRED:
                continue
            if answer.get("minimum") is not None and answer.get("maximum") is not None:
                accepted.append(f"{answer['minimum']} to {answer['maximum']}")
            elif answer.get("tolerance"):
                accepted.append(f"{answer['value']} ± {answer['tolerance']}")
            else:
                accepted.append(f"{answer['value']}")
        return {"accepted": accepted}
    if kind == Question.Kind.SHORT_ANSWER:
        weights = choice_weights({**snapshot, "allow_multiple": False})
        return {"accepted": [c["text"] for c in snapshot["choices"] if weights[c["id"]] >= 100]}
    if kind == Question.Kind.MATCHING:
        return {"matches": {str(s["id"]): s["match_text"] for s in snapshot["stems"]}}
    if kind == Question.Kind.CLOZE:
        return {"blanks": [blank["answer"] for blank in snapshot["cloze"]["blanks"]]}
    if kind in SELF_RATED_KINDS:
        return {"reference_html": snapshot.get("answer_html", "")}
    return {}


def study_rating(snapshot: dict, grade: Grade, *, self_rating: int | None) -> int | None:
    """The 1–5 rating an answer feeds to spaced repetition; None when there is nothing to say.

    Self-rated kinds pass the student's own rating (1–2 are lapses).  Automatically graded
    answers pass 4 ("knew it") only when fully right and 1 otherwise: a partly right or blank
    answer means the card was not known, which is what a lapse records.
    """
    if snapshot["kind"] in SELF_RATED_KINDS:
        return self_rating
    if grade.status == Status.UNGRADED:
        return None
    return 4 if grade.status == Status.CORRECT else 1
