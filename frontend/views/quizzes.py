"""Quiz pages: the lists and a quiz's own page, and what the other quiz pages share (finding
a quiz or attempt the user may see, and refusals said in the reader's language).

The other quiz pages: authoring in `quiz_authoring`, taking in `quiz_taking`, review and
grading in `quiz_grading`.  Who may do what is `quizzes.selectors.access`; what happens is
`quizzes.services`; what a page shows is `quizzes.selectors.review` / `statistics` /
`listing`.  A quiz or attempt someone may not see is a 404, as in the API, so ids cannot be
probed; one they see but may not act on is a 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quizzes.models import Attempt, Quiz
from quizzes.selectors.access import (
    attempts_visible_to,
    can_manage_quiz,
    can_take_quiz,
    can_view_results,
    quizzes_visible_to,
)
from quizzes.selectors.listing import open_quizzes_for, quizzes_assigned_to, quizzes_owned_by
from quizzes.services.errors import QuizActionError

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


def visible_quiz(user, pk: int) -> Quiz:
    quiz = quizzes_visible_to(user).select_related("owner", "question_set").filter(pk=pk).first()
    if quiz is None:
        raise Http404
    return quiz


def visible_attempt(user, pk: int) -> Attempt:
    attempt = attempts_visible_to(user).select_related("quiz", "student").filter(pk=pk).first()
    if attempt is None:
        raise Http404
    return attempt


def own_attempt(user, pk: int) -> Attempt:
    attempt = visible_attempt(user, pk)
    if attempt.student_id != user.pk:
        raise PermissionDenied
    return attempt


def require_instructor(user) -> None:
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
    quiz = visible_quiz(user, pk)
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
