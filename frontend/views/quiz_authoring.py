"""Quiz pages for authors: creating a quiz and changing its settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from flashcards.models import Classroom, Question, QuestionSet, Tag
from flashcards.selectors.content import can_view_set, sets_visible_to
from frontend.forms import add_service_errors
from frontend.forms_quizzes import QuizForm
from frontend.views.quizzes import require_instructor, visible_quiz
from quizzes.models import Quiz
from quizzes.selectors.access import can_manage_quiz
from quizzes.services import quizzes as quiz_services

QUESTION_CHOICES_LIMIT = 1000


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
    require_instructor(request.user)
    return _quiz_form_page(request, None)


@login_required
def quiz_settings(request, pk: int):
    quiz = visible_quiz(request.user, pk)
    if not can_manage_quiz(request.user, quiz):
        raise PermissionDenied
    return _quiz_form_page(request, quiz)
