"""What an attempt page and its review show: each question with the student's answer and,
once answers may be shown, the grade, the right answer, feedback, explanation and demos.

Students see the right answers according to the quiz's "when answers show" setting;
instructors who may see an attempt always see everything.  Everything is assembled from the
attempt's snapshots, in a fixed small number of queries whatever the number of questions.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from flashcards.models import Question, User
from quizzes.grading.graders import correct_response
from quizzes.grading.results import SELF_RATED_KINDS, Grade, Status, mark_for
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.grading_policy import grade_of, graded_by, self_rating_policy
from quizzes.selectors.secrecy import questions_of_open_attempts
from quizzes.snapshots import question_for_review, question_for_student
from training.selectors.results import demo_results_for_questions

TWO_PLACES = Decimal("0.01")


def decimal_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(TWO_PLACES))


def answers_visible(
    attempt: Attempt, answer: AttemptAnswer, *, now: datetime | None = None
) -> bool:
    """Whether the student may now see this answer's grade, key, feedback and reference."""
    shown = attempt.quiz.answers_shown
    if not attempt.is_finished:
        return shown == Quiz.AnswersShown.AFTER_EACH and answer.checked_at is not None
    if shown == Quiz.AnswersShown.AFTER_CLOSE:
        closes_at = attempt.quiz.closes_at
        return closes_at is not None and (now or timezone.now()) >= closes_at
    return True


def review_opens_at(attempt: Attempt) -> datetime | None:
    if attempt.quiz.answers_shown == Quiz.AnswersShown.AFTER_CLOSE:
        return attempt.quiz.closes_at
    return None


def attempt_summary(attempt: Attempt) -> dict:
    quiz = attempt.quiz
    summary = {
        "id": attempt.pk,
        "quiz": {"id": quiz.pk, "title": quiz.title},
        "student": {"id": attempt.student_id, "username": attempt.student.username},
        "number": attempt.number,
        "state": attempt.state,
        "finished_by": attempt.finished_by or None,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "finished_at": attempt.finished_at,
        "last_saved_at": attempt.last_saved_at,
    }
    if attempt.is_finished:
        score, max_score = decimal_text(attempt.score), decimal_text(attempt.max_score)
        summary.update(
            score=score,
            max_score=max_score,
            score_display=f"{score} / {max_score} points",
            percentage=decimal_text(attempt.percentage),
            passed=attempt.passed,
            needs_grading=attempt.needs_grading,
        )
    return summary


def _status(answer: AttemptAnswer, result: Grade) -> str:
    """An instructor's grade decides the status too, not only the mark."""
    if answer.override_mark is None or not answer.max_mark:
        return result.status
    if answer.override_mark >= answer.max_mark:
        return Status.CORRECT
    return Status.PARTIAL if answer.override_mark > 0 else Status.INCORRECT


def _review_part(answer: AttemptAnswer, quiz: Quiz, live_versions: dict[int, int]) -> dict:
    result = grade_of(answer, quiz)
    live = live_versions.get(answer.snapshot["question_id"])
    status = _status(answer, result)
    return {
        "question": question_for_review(answer.snapshot),
        "status": status,
        "graded_by": graded_by(answer, quiz, status),
        "mark": decimal_text(
            answer.final_mark
            if answer.final_mark is not None
            else mark_for(answer.snapshot, result)
        ),
        "max_mark": decimal_text(answer.max_mark),
        "feedback_html": result.feedback,
        "correct_response": correct_response(answer.snapshot),
        "explanation_html": answer.snapshot.get("answer_html", ""),
        "general_feedback_html": answer.snapshot.get("general_feedback_html", ""),
        "instructor_grade": None
        if answer.override_mark is None
        else {
            "points": decimal_text(answer.override_mark),
            "rubric_scores": answer.rubric_scores,
            "comment": answer.grader_comment,
            "graded_at": answer.graded_at,
        },
        # The question was edited after this attempt was given; the grade above is from the
        # version the student saw.
        "question_changed": live is not None and live != answer.question_version,
        "question_deleted": live is None,
    }


def attempt_items(
    attempt: Attempt,
    *,
    viewer: User,
    now: datetime | None = None,
    with_demos: bool = False,
) -> list[dict]:
    now = now or timezone.now()
    answers = list(attempt.answers.select_related("graded_by"))
    may_self_rate = self_rating_policy(attempt.quiz).allowed
    is_student = viewer.pk == attempt.student_id
    # A question this student is answering in another open attempt keeps its key hidden here
    # too (an earlier attempt's review, a practice quiz that checks each answer).
    locked = (
        set(
            questions_of_open_attempts(viewer, except_attempt=attempt.pk).values_list(
                "question_id", flat=True
            )
        )
        if is_student
        else set()
    )
    revealed = {
        a.pk: (not is_student)
        or (answers_visible(attempt, a, now=now) and a.question_id not in locked)
        for a in answers
    }
    live_versions: dict[int, int] = {}
    if any(revealed.values()):
        ids = [a.snapshot["question_id"] for a in answers]
        live_versions = dict(Question.objects.filter(pk__in=ids).values_list("pk", "version"))
    demos = {}
    if with_demos and any(revealed.values()):
        demos = demo_results_for_questions([a.snapshot["question_id"] for a in answers])
    items = []
    for answer in answers:
        item = {
            "slot": answer.slot,
            "question": question_for_student(answer.snapshot),
            "response": answer.response,
            "saved_at": answer.saved_at,
            "checked": answer.checked_at is not None,
            "self_rating": answer.self_rating,
            # Whether the student may rate this answer themselves in this quiz.
            "self_rated": answer.kind in SELF_RATED_KINDS and may_self_rate,
            "review": None,
        }
        if revealed[answer.pk]:
            item["review"] = _review_part(answer, attempt.quiz, live_versions)
            if with_demos:
                item["review"]["demos"] = demos.get(answer.snapshot["question_id"], [])
        items.append(item)
    return items


def attempt_page(attempt: Attempt, *, viewer: User, now: datetime | None = None) -> dict:
    """The attempt as the quiz page shows it while answering (and after, without demos)."""
    return {**attempt_summary(attempt), "items": attempt_items(attempt, viewer=viewer, now=now)}


def review_data(attempt: Attempt, *, viewer: User, now: datetime | None = None) -> dict:
    """The review of a finished attempt, with demo results for each revealed answer."""
    now = now or timezone.now()
    items = attempt_items(attempt, viewer=viewer, now=now, with_demos=True)
    available = all(item["review"] is not None for item in items)
    return {
        **attempt_summary(attempt),
        "review_available": available,
        "review_opens_at": None if available else review_opens_at(attempt),
        "items": items,
    }
