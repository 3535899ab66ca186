"""Quiz pages after the answers: an attempt's review and the student's self-rating, and the
instructor's analytics, free-text grading and regrade."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flashcards.models import Question
from flashcards.scheduling.ratings import RATING_LABELS
from frontend import quiz_answers
from frontend.forms_quizzes import GradeForm
from frontend.views.quizzes import own_attempt, refusal, visible_attempt, visible_quiz
from quizzes.grading.responses import ResponseError
from quizzes.grading.results import SELF_RATED_KINDS
from quizzes.models import AttemptAnswer, Quiz
from quizzes.selectors.access import (
    attempts_for_results,
    can_grade_attempt,
    can_manage_quiz,
    can_view_results,
)
from quizzes.selectors.review import review_data
from quizzes.selectors.statistics import grading_queue, quiz_statistics
from quizzes.services.attempts.finish import refresh_attempt
from quizzes.services.attempts.rating import grade_by_instructor, rate_own_answer
from quizzes.services.errors import QuizActionError
from quizzes.services.regrade import regrade_quiz
from quizzes.snapshots import question_for_review


@login_required
def attempt_review(request, pk: int):
    user = request.user
    attempt = refresh_attempt(attempt=visible_attempt(user, pk))
    if not attempt.is_finished and attempt.student_id == user.pk:
        return redirect("attempt-page", pk=attempt.pk)
    review = review_data(attempt, viewer=user)
    can_grade = can_grade_attempt(user, attempt)
    for item in review["items"]:
        item["fields"] = quiz_answers.answer_fields(item["question"], item["response"])
        if item["review"] is not None:
            item["shown"] = quiz_answers.review_fields(item)
            if can_grade and item["question"]["kind"] in SELF_RATED_KINDS and attempt.is_finished:
                item["grade_form"] = _grade_form(item)
        item["can_rate"] = (
            user.pk == attempt.student_id
            and item["review"] is not None
            and item["self_rated"]
            and item["self_rating"] is None
        )
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "review": review,
        "rating_choices": rating_choices(),
        "nav": "quizzes",
    }
    return render(request, "frontend/quizzes/review.html", context)


def rating_choices() -> list[tuple[int, str]]:
    return list(RATING_LABELS.items())


def _grade_form(item: dict, data=None) -> GradeForm:
    rubric = item["review"]["question"].get("rubric") or []
    grade = item["review"].get("instructor_grade")
    initial = {}
    if grade:
        initial = {"points": grade["points"], "comment": grade["comment"]}
        for index, score in enumerate(grade.get("rubric_scores") or []):
            initial[f"rubric_{index}"] = score
    return GradeForm(data, rubric=rubric, initial=initial, prefix=f"grade-{item['slot']}")


@login_required
@require_POST
def attempt_rate(request, pk: int, slot: int):
    """The student rates a free-text or flashcard answer 1–5 against the reference."""
    attempt = own_attempt(request.user, pk)
    rating = request.POST.get("rating", "")
    try:
        rate_own_answer(
            attempt=attempt,
            student=request.user,
            slot=slot,
            rating=int(rating) if rating.isdigit() else rating,
        )
    except ResponseError as error:
        messages.error(request, " ".join(quiz_answers.error_messages(error.errors)))
    except QuizActionError as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("Your rating is saved."))
    target = "attempt-review-page" if attempt.is_finished else "attempt-page"
    return redirect(f"{reverse(target, args=[attempt.pk])}#q{slot}")


# --- instructor: analytics, grading, regrade ------------------------------------------------


def _results_quiz(user, pk: int) -> Quiz:
    quiz = visible_quiz(user, pk)
    if not can_view_results(user, quiz):
        raise PermissionDenied
    return quiz


@login_required
def quiz_analytics(request, pk: int):
    quiz = _results_quiz(request.user, pk)
    stats = quiz_statistics(quiz, attempts_for_results(request.user, quiz))
    tallest = max((band["count"] for band in stats["score_distribution"]), default=0) or 1
    for band in stats["score_distribution"]:
        band["height"] = round(100 * band["count"] / tallest)
    kinds = dict(Question.Kind.choices)
    for question in stats["questions"]:
        question["kind_label"] = kinds.get(question["kind"], question["kind"])
        distribution = question["distribution"]
        rows = distribution.get("choices") or distribution.get("responses") or []
        total = sum(row["count"] for row in rows) or 1
        for row in rows:
            row["share"] = round(100 * row["count"] / total)
        question["rows"] = rows
    context = {"quiz": quiz, "stats": stats, "nav": "quizzes"}
    return render(request, "frontend/quizzes/analytics.html", context)


def _queue_items(user, quiz: Quiz, *, bound: dict | None = None) -> list[dict]:
    """The grading queue: each waiting free-text answer with its question and a grade form."""

    items = []
    for answer in grading_queue(attempts_for_results(user, quiz)):
        question = question_for_review(answer.snapshot)
        item = {
            "answer": answer,
            "slot": answer.slot,
            "question": question,
            "response": answer.response,
            "review": {"question": question, "instructor_grade": None},
        }
        data = (bound or {}).get(answer.pk)
        item["grade_form"] = _grade_form(item, data)
        if data is not None:
            item["grade_form"].is_valid()
        items.append(item)
    return items


@login_required
def quiz_grading(request, pk: int):
    quiz = _results_quiz(request.user, pk)
    context = {"quiz": quiz, "items": _queue_items(request.user, quiz), "nav": "quizzes"}
    return render(request, "frontend/quizzes/grading.html", context)


@login_required
@require_POST
def answer_grade(request, pk: int, slot: int):
    """An instructor's grade for one free-text answer: rubric scores or points, and a comment."""
    user = request.user
    attempt = visible_attempt(user, pk)
    if not can_grade_attempt(user, attempt):
        raise PermissionDenied
    answer = AttemptAnswer.objects.filter(attempt=attempt, slot=slot).first()
    if answer is None or answer.kind != Question.Kind.FREE_TEXT:
        raise Http404
    answer.attempt = attempt
    back = request.POST.get("next") == "review"
    rubric = answer.snapshot.get("rubric") or []
    form = GradeForm(request.POST, rubric=rubric, prefix=f"grade-{slot}")
    if form.is_valid():
        try:
            grade_by_instructor(
                answer=answer,
                grader=user,
                points=None if form.cleaned_data["rubric_scores"] else form.cleaned_data["points"],
                rubric_scores=form.cleaned_data["rubric_scores"],
                comment=form.cleaned_data["comment"],
            )
        except ResponseError as error:
            for message in quiz_answers.error_messages(error.errors):
                form.add_error(None, message)
        except QuizActionError as error:
            form.add_error(None, refusal(error))
    if form.errors:
        if back:
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
            return redirect(f"{reverse('attempt-review-page', args=[attempt.pk])}#q{slot}")
        items = _queue_items(user, attempt.quiz)
        for item in items:
            if item["answer"].pk == answer.pk:
                item["grade_form"] = form
        context = {"quiz": attempt.quiz, "items": items, "nav": "quizzes"}
        return render(request, "frontend/quizzes/grading.html", context, status=400)
    messages.success(
        request, _("Grade saved for %(name)s.") % {"name": attempt.student.get_username()}
    )
    if back:
        return redirect(f"{reverse('attempt-review-page', args=[attempt.pk])}#q{slot}")
    return redirect("quiz-grading", pk=attempt.quiz_id)


@login_required
def quiz_regrade(request, pk: int):
    """GET: the dry run (which attempts would change, old → new); POST: apply the regrade."""
    quiz = visible_quiz(request.user, pk)
    if not can_manage_quiz(request.user, quiz):
        raise PermissionDenied
    if request.method == "POST":
        report = regrade_quiz(quiz=quiz, apply=True).as_dict()
        messages.success(
            request,
            _("Regraded: %(n)s attempts changed.") % {"n": report["attempts_changed"]},
        )
        return redirect("quiz-regrade", pk=quiz.pk)
    report = regrade_quiz(quiz=quiz, apply=False).as_dict()
    context = {"quiz": quiz, "report": report, "nav": "quizzes"}
    return render(request, "frontend/quizzes/regrade.html", context)
