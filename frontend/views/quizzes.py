"""Quiz pages: the list, taking a quiz (timer, autosave, resume), its review, and the
instructor's settings, analytics and free-text grading.

Who may do what is `quizzes.selectors.access`; what happens is `quizzes.services`; what a page
shows is `quizzes.selectors.review` / `statistics` / `listing`.  A quiz or attempt someone may
not see is a 404, as in the API, so ids cannot be probed; one they see but may not act on is
a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from flashcards.models import Classroom, Question, QuestionSet, Tag
from flashcards.scheduling.ratings import RATING_LABELS
from flashcards.selectors.content import can_view_set, sets_visible_to
from frontend import quiz_answers
from frontend.forms import add_service_errors
from frontend.forms_quizzes import GradeForm, QuizForm
from quizzes.grading.responses import ResponseError
from quizzes.grading.results import SELF_RATED_KINDS
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.access import (
    attempts_for_results,
    attempts_visible_to,
    can_grade_attempt,
    can_manage_quiz,
    can_take_quiz,
    can_view_results,
    quizzes_visible_to,
)
from quizzes.selectors.listing import open_quizzes_for, quizzes_assigned_to, quizzes_owned_by
from quizzes.selectors.review import attempt_page, review_data
from quizzes.selectors.statistics import grading_queue, quiz_statistics
from quizzes.services import quizzes as quiz_services
from quizzes.services.attempts.answer import check_answer, save_answer, submit_attempt
from quizzes.services.attempts.finish import refresh_attempt
from quizzes.services.attempts.rating import grade_by_instructor, rate_own_answer
from quizzes.services.attempts.start import start_attempt
from quizzes.services.errors import QuizActionError
from quizzes.services.regrade import regrade_quiz
from quizzes.snapshots import question_for_review, question_for_student

QUESTION_CHOICES_LIMIT = 1000

# The services explain refusals in English with a stable code; the pages say it in the
# reader's language (codes not listed keep the service's own sentence).
REFUSALS = {
    "not_assigned": gettext_lazy("This quiz is not assigned to any of your classes."),
    "not_open": gettext_lazy("This quiz has not opened yet."),
    "closed": gettext_lazy("This quiz has closed."),
    "no_attempts_left": gettext_lazy("You have used all your attempts at this quiz."),
    "no_questions": gettext_lazy("This quiz has no questions yet."),
    "deadline_passed": gettext_lazy(
        "Time is up: the attempt was closed at its deadline with the answers saved before it."
    ),
    "finished": gettext_lazy("This attempt has already been submitted."),
    "checked": gettext_lazy("This answer was checked and can no longer change."),
    "already_rated": gettext_lazy("You have already rated this answer."),
    "not_finished": gettext_lazy("Grade an attempt once it is finished."),
    "reference_hidden": gettext_lazy(
        "The reference answer is not shown yet, so there is nothing to rate against."
    ),
    "self_rating_not_allowed": gettext_lazy(
        "Your instructor grades the written answers of this quiz; they are not self-rated."
    ),
}


def refusal(error: QuizActionError) -> str:
    return str(REFUSALS.get(error.code, error.message))


def _quiz(user, pk: int) -> Quiz:
    quiz = quizzes_visible_to(user).select_related("owner", "question_set").filter(pk=pk).first()
    if quiz is None:
        raise Http404
    return quiz


def _attempt(user, pk: int) -> Attempt:
    attempt = attempts_visible_to(user).select_related("quiz", "student").filter(pk=pk).first()
    if attempt is None:
        raise Http404
    return attempt


def _own_attempt(user, pk: int) -> Attempt:
    attempt = _attempt(user, pk)
    if attempt.student_id != user.pk:
        raise PermissionDenied
    return attempt


def _require_instructor(user) -> None:
    if not user.is_instructor:
        raise PermissionDenied


# --- lists --------------------------------------------------------------------------------------


def dashboard_section(user) -> dict:
    if user.is_instructor:
        return {"open_quizzes": list(open_quizzes_for(user)), "owned_quizzes": _owned(user)[:8]}
    return {"open_quizzes": list(open_quizzes_for(user)), "owned_quizzes": None}


def _owned(user) -> list[Quiz]:
    return list(quizzes_owned_by(user))


def quiz_set_actions(user, question_set) -> list[dict]:
    if not user.is_instructor:
        return []
    url = f"{reverse('quiz-create')}?set={question_set.pk}"
    return [{"label": _("Make a quiz from this set"), "url": url}]


@login_required
def quiz_list(request):
    user = request.user
    context = {
        "assigned": list(quizzes_assigned_to(user).order_by("closes_at", "title", "pk")),
        "owned": _owned(user) if user.is_instructor else None,
        "now": timezone.now(),
        "nav": "quizzes",
    }
    return render(request, "frontend/quizzes/list.html", context)


@login_required
def quiz_page(request, pk: int):
    user = request.user
    quiz = _quiz(user, pk)
    attempts = list(
        Attempt.objects.filter(quiz=quiz, student=user).order_by("-number").select_related("quiz")
    )
    now = timezone.now()
    in_progress = next((a for a in attempts if not a.is_finished), None)
    attempts_left = max(0, quiz.attempts_allowed - len(attempts)) if quiz.attempts_allowed else None
    not_open_yet = quiz.opens_at is not None and now < quiz.opens_at
    closed = quiz.closes_at is not None and now >= quiz.closes_at
    context = {
        "quiz": quiz,
        "attempts": attempts,
        "in_progress": in_progress,
        "not_open_yet": not_open_yet,
        "closed": closed,
        # The service decides; the button is only hidden when it would surely be refused.
        "can_start": in_progress is not None
        or (not not_open_yet and not closed and attempts_left != 0),
        "can_take": can_take_quiz(user, quiz),
        "time_limit_minutes": (quiz.time_limit_seconds or 0) / 60,
        "can_manage": can_manage_quiz(user, quiz),
        "can_view_results": can_view_results(user, quiz),
        "attempts_left": attempts_left,
        "nav": "quizzes",
    }
    return render(request, "frontend/quizzes/detail.html", context)


# --- taking a quiz ----------------------------------------------------------------------------


@login_required
@require_POST
def quiz_start(request, pk: int):
    quiz = _quiz(request.user, pk)
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
    attempt = refresh_attempt(attempt=_attempt(request.user, pk))
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
    attempt = _own_attempt(request.user, pk)
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
    attempt = _own_attempt(request.user, pk)
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
    attempt = _own_attempt(request.user, pk)
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


# --- review -----------------------------------------------------------------------------------


@login_required
def attempt_review(request, pk: int):
    user = request.user
    attempt = refresh_attempt(attempt=_attempt(user, pk))
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
    attempt = _own_attempt(request.user, pk)
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


# --- instructor: settings, analytics, grading ------------------------------------------------


def _form_choices(user, quiz: Quiz | None) -> dict:
    sets = list(sets_visible_to(user).order_by("title").values_list("pk", "title"))
    questions: dict[str, list] = {}
    for pk, set_title, title, prompt in (
        Question.objects.filter(question_set__in=sets_visible_to(user))
        .order_by("question_set__title", "question_set_id", "position", "pk")
        .values_list("pk", "question_set__title", "title", "prompt")[:QUESTION_CHOICES_LIMIT]
    ):
        questions.setdefault(set_title, []).append((pk, title or prompt[:80]))
    return {
        "sets": sets,
        "tags": list(Tag.objects.order_by("name").values_list("pk", "name")),
        "questions": list(questions.items()),
        "classrooms": list(user.owned_classrooms.order_by("name").values_list("pk", "name")),
    }


# The services name fields as the API does; the form has its own names for two of them.
SERVICE_FIELD_NAMES = {
    "question_ids": "questions",
    "classroom_ids": "classrooms",
    "time_limit_seconds": "time_limit_minutes",
}


def _save_quiz(user, form: QuizForm, quiz: Quiz | None) -> Quiz:
    data = form.to_settings()
    question_ids = data.pop("questions")
    classroom_ids = data.pop("classrooms")
    data["question_set"] = QuestionSet.objects.filter(pk=data["question_set"]).first()
    data["tag"] = Tag.objects.filter(pk=data["tag"]).first()
    by_id = Question.objects.in_bulk(question_ids)
    questions = [by_id[pk] for pk in question_ids if pk in by_id]
    if data["selection"] != Quiz.Selection.FIXED:
        questions = []
    classrooms = list(Classroom.objects.filter(pk__in=classroom_ids))
    if quiz is None:
        return quiz_services.create_quiz(
            owner=user, questions=questions, classrooms=classrooms, **data
        )
    return quiz_services.update_quiz(quiz=quiz, questions=questions, classrooms=classrooms, **data)


def _quiz_form_page(request, quiz: Quiz | None):
    user = request.user
    if quiz is None:
        initial = {"attempts_allowed": 0, "answers_shown": Quiz.AnswersShown.AFTER_SUBMIT}
        set_id = request.GET.get("set", "")
        if set_id.isdigit():
            question_set = QuestionSet.objects.filter(pk=int(set_id)).first()
            if question_set is not None and can_view_set(user, question_set):
                initial.update(question_set=question_set.pk, title=question_set.title)
    else:
        initial = QuizForm.initial_for(quiz)
    form = QuizForm(request.POST or None, initial=initial, **_form_choices(user, quiz))
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_quiz(user, form, quiz)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                error = ValidationError(
                    {SERVICE_FIELD_NAMES.get(k, k): v for k, v in error.error_dict.items()}
                )
            add_service_errors(form, error)
        else:
            messages.success(request, _("Quiz saved."))
            return redirect("quiz-page", pk=saved.pk)
    context = {"form": form, "quiz": quiz, "nav": "quizzes"}
    status = 400 if form.errors else 200
    return render(request, "frontend/quizzes/form.html", context, status=status)


@login_required
def quiz_create(request):
    _require_instructor(request.user)
    return _quiz_form_page(request, None)


@login_required
def quiz_settings(request, pk: int):
    quiz = _quiz(request.user, pk)
    if not can_manage_quiz(request.user, quiz):
        raise PermissionDenied
    return _quiz_form_page(request, quiz)


def _results_quiz(user, pk: int) -> Quiz:
    quiz = _quiz(user, pk)
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
    attempt = _attempt(user, pk)
    if not can_grade_attempt(user, attempt):
        raise PermissionDenied
    answer = AttemptAnswer.objects.filter(attempt=attempt, slot=slot).first()
    if answer is None or answer.kind != "free_text":
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
    quiz = _quiz(request.user, pk)
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
