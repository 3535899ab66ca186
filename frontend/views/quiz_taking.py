"""Quiz pages for taking a quiz: starting it, the attempt page (timer, autosave, resume),
checking one answer, and submitting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontend import quiz_answers
from frontend.views.quizzes import own_attempt, refusal, visible_attempt, visible_quiz
from quizzes.grading.responses import ResponseError
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.review import attempt_page
from quizzes.services.attempts.answer import check_answer, save_answer, submit_attempt
from quizzes.services.attempts.finish import refresh_attempt
from quizzes.services.attempts.start import start_attempt
from quizzes.services.errors import QuizActionError
from quizzes.snapshots import question_for_student


@login_required
@require_POST
def quiz_start(request, pk: int):
    quiz = visible_quiz(request.user, pk)
    try:
        attempt, _created = start_attempt(quiz=quiz, student=request.user)
    except QuizActionError as error:
        messages.error(request, refusal(error))
        return redirect("quiz-page", pk=quiz.pk)
    return redirect("attempt-page", pk=attempt.pk)


def clock(seconds: int) -> str:
    """12:05 or 1:02:05, as the timer shows it before its script takes over."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def _take_context(request, attempt: Attempt, *, typed=None, errors=None) -> dict:
    """The attempt page's items, inputs filled with `typed` (a refused form) or what is saved."""
    page = attempt_page(attempt, viewer=request.user)
    typed, errors = typed or {}, errors or {}
    for item in page["items"]:
        slot = item["slot"]
        response = typed.get(slot, item["response"])
        item["fields"] = quiz_answers.answer_fields(item["question"], response)
        item["errors"] = quiz_answers.error_messages(errors.get(str(slot), []))
        if item["review"] is not None:
            item["shown"] = quiz_answers.review_fields(item)
    remaining = None
    if attempt.deadline is not None:
        remaining = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    answered = sum(1 for item in page["items"] if item["response"] is not None)
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "page": page,
        "remaining": remaining,
        "remaining_display": clock(remaining) if remaining is not None else "",
        "answered": answered,
        "can_check": attempt.quiz.answers_shown == Quiz.AnswersShown.AFTER_EACH,
        "nav": "quizzes",
    }


@login_required
def attempt_take(request, pk: int):
    attempt = refresh_attempt(attempt=visible_attempt(request.user, pk))
    if attempt.is_finished or attempt.student_id != request.user.pk:
        return redirect("attempt-review-page", pk=attempt.pk)
    return render(request, "frontend/quizzes/take.html", _take_context(request, attempt))


def _slot_question(attempt: Attempt, slot: int) -> dict:
    answer = AttemptAnswer.objects.filter(attempt=attempt, slot=slot).only("snapshot").first()
    if answer is None:
        raise Http404
    return question_for_student(answer.snapshot)


@login_required
@require_POST
def attempt_autosave(request, pk: int, slot: int):
    """htmx: save one answer as it is typed; answers with a short status line."""
    attempt = own_attempt(request.user, pk)
    question = _slot_question(attempt, slot)
    response = quiz_answers.response_from_post(question, slot, request.POST)
    context = {"slot": slot}
    try:
        answer = save_answer(attempt=attempt, student=request.user, slot=slot, response=response)
    except ResponseError as error:
        context["errors"] = quiz_answers.error_messages(error.errors)
        # 422, not 400: the page swaps it in next to the question (base.html's htmx config);
        # a 400 is what django-htmx's debug handler replaces the whole page with.
        return render(request, "frontend/quizzes/_saved.html", context, status=422)
    except QuizActionError as error:
        context["errors"] = [refusal(error)]
        result = render(request, "frontend/quizzes/_saved.html", context, status=409)
        if error.code in {"deadline_passed", "finished"}:
            result["HX-Redirect"] = reverse("attempt-review-page", args=[attempt.pk])
        return result
    context["saved_at"] = time_format(timezone.localtime(answer.saved_at), "H:i:s")
    return render(request, "frontend/quizzes/_saved.html", context)


def _refused(request, attempt: Attempt, error: QuizActionError):
    messages.error(request, refusal(error))
    if error.code in {"deadline_passed", "finished"}:
        return redirect("attempt-review-page", pk=attempt.pk)
    return redirect("attempt-page", pk=attempt.pk)


@login_required
@require_POST
def attempt_check(request, pk: int, slot: int):
    """ "After each question" mode: save this answer as typed, then check (and lock) it."""
    attempt = own_attempt(request.user, pk)
    question = _slot_question(attempt, slot)
    response = quiz_answers.response_from_post(question, slot, request.POST)
    try:
        if response is not None:
            save_answer(attempt=attempt, student=request.user, slot=slot, response=response)
        check_answer(attempt=attempt, student=request.user, slot=slot)
    except ResponseError as error:
        context = _take_context(
            request, attempt, typed={slot: response}, errors={str(slot): error.errors}
        )
        return render(request, "frontend/quizzes/take.html", context, status=400)
    except QuizActionError as error:
        return _refused(request, attempt, error)
    return redirect(f"{reverse('attempt-page', args=[attempt.pk])}#q{slot}")


@login_required
@require_POST
def attempt_submit(request, pk: int):
    attempt = own_attempt(request.user, pk)
    page = attempt_page(attempt, viewer=request.user)
    typed = quiz_answers.responses_from_post(page["items"], request.POST)
    try:
        attempt, _now = submit_attempt(attempt=attempt, student=request.user, responses=typed)
    except ResponseError as error:
        context = _take_context(request, attempt, typed=typed, errors=error.errors)
        context["form_error"] = _("Some answers could not be saved; see the questions marked.")
        return render(request, "frontend/quizzes/take.html", context, status=400)
    except QuizActionError as error:
        return _refused(request, attempt, error)
    messages.success(request, _("Your answers are submitted."))
    return redirect("attempt-review-page", pk=attempt.pk)
