"""The instructor's editor: question sets, questions of every kind, and a live preview.

Every write goes through `flashcards.services.content`; these views only turn forms into the
mappings those services take and put the services' errors back next to the right inputs.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flashcards.models import Question, QuestionSet
from flashcards.richtext import render_rich_text
from flashcards.selectors.content import can_edit_set, question_data, with_answers
from flashcards.services import classes as class_services
from flashcards.services import content
from frontend.forms import add_service_errors
from frontend.forms_editor import (
    KIND_ROWS,
    RICH_FIELDS,
    QuestionForm,
    QuestionSetForm,
    row_formset,
    rows_data,
)
from frontend.sections import QUESTION_EDITOR_PANELS, SET_EDITOR_TOOLS

PREVIEW_LIMIT = 100_000


def _editable_set(user, pk: int) -> QuestionSet:
    question_set = get_object_or_404(QuestionSet, pk=pk)
    if not can_edit_set(user, question_set):
        raise PermissionDenied
    return question_set


def _require_instructor(user) -> None:
    if not user.is_instructor:
        raise PermissionDenied


def _own_classes(user):
    return user.owned_classrooms.order_by("name", "id")


@transaction.atomic
def _save_set(user, form, question_set=None) -> QuestionSet:
    """The set's fields and the classes that study it: both are saved or neither."""
    changes = form.to_data()
    if question_set is None:
        question_set = content.create_question_set(owner=user, **changes)
    else:
        if user.pk != question_set.owner_id:
            changes.pop("visibility")  # sharing is the owner's decision
        content.update_question_set(question_set=question_set, actor=user, **changes)
    if "classes" in form.cleaned_data:
        class_services.set_class_assignments(
            question_set=question_set, actor=user, classrooms=form.cleaned_data["classes"]
        )
    return question_set


@login_required
def set_create(request):
    _require_instructor(request.user)
    form = QuestionSetForm(
        request.POST or None, initial={"language": "en"}, classrooms=_own_classes(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            question_set = _save_set(request.user, form)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Set created. Now add its questions."))
            return redirect("set-edit", pk=question_set.pk)
    context = {"form": form, "nav": "sets", "creating": True}
    return render(request, "frontend/editor/set_form.html", context, status=_status(form))


@login_required
def set_edit(request, pk: int):
    question_set = _editable_set(request.user, pk)
    form = QuestionSetForm(
        request.POST or None,
        initial=QuestionSetForm.initial_for(question_set),
        classrooms=_own_classes(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save_set(request.user, form, question_set)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("set-edit", pk=question_set.pk)
    questions = question_set.questions.order_by("position", "id")
    context = {
        "form": form,
        "set": question_set,
        "questions": questions,
        "kinds": Question.Kind.choices,
        "nav": "sets",
        "editor_extras": editor_extras(question_set),
    }
    return render(request, "frontend/editor/set_edit.html", context, status=_status(form))


def editor_extras(question_set) -> list[dict]:
    return [item for provider in SET_EDITOR_TOOLS for item in provider(question_set)]


@login_required
def question_create(request, set_pk: int):
    question_set = _editable_set(request.user, set_pk)
    kind = request.GET.get("kind") or request.POST.get("kind")
    if kind not in Question.Kind.values:
        raise Http404
    return _question_editor(request, question_set, kind, question=None)


@login_required
def question_edit(request, pk: int):
    question = get_object_or_404(
        with_answers(Question.objects.select_related("question_set")), pk=pk
    )
    if not can_edit_set(request.user, question.question_set):
        raise PermissionDenied
    return _question_editor(request, question.question_set, question.kind, question=question)


def _question_editor(request, question_set, kind, *, question):
    initial, row_initial = {}, {}
    if question is not None:
        data = question_data(question)
        initial = {**data, "tags": ", ".join(data["tags"])}
        if data["correct_boolean"] is not None:
            initial["correct_boolean"] = "true" if data["correct_boolean"] else "false"
        row_initial = {name: data.get(name) or [] for name in KIND_ROWS.get(kind, [])}
    post = request.POST if request.method == "POST" else None
    form = QuestionForm(post, kind=kind, initial=initial)
    formsets = {
        # Bound formsets get no initial: Django would skip rows equal to it as "unchanged".
        name: row_formset(name, data=post, initial=None if post else row_initial.get(name))
        for name in KIND_ROWS.get(kind, [])
    }
    if post is not None and form.is_valid() and all(f.is_valid() for f in formsets.values()):
        data = form.to_data()
        positions = {}
        for name, formset in formsets.items():
            data[name], positions[name] = rows_data(name, formset)
        try:
            if question is None:
                question = content.create_question(question_set=question_set, data=data)
            else:
                question = content.update_question(question=question, changes=data)
        except ValidationError as error:
            _show_errors(form, formsets, positions, error)
        else:
            messages.success(request, _("Question saved."))
            if "save_add" in request.POST:
                return redirect(f"{reverse('question-create', args=[question_set.pk])}?kind={kind}")
            return redirect("question-edit", pk=question.pk)
    context = {
        "form": form,
        "formsets": formsets,
        "set": question_set,
        "question": question,
        "kind": kind,
        "kind_label": Question.Kind(kind).label,
        "rich_fields": RICH_FIELDS,
        "nav": "sets",
        "question_extras": question_extras(question) if question else [],
    }
    invalid = post is not None and (
        form.errors or any(f.total_error_count() for f in formsets.values())
    )
    return render(
        request, "frontend/editor/question_form.html", context, status=400 if invalid else 200
    )


def question_extras(question) -> list[dict]:
    return [item for provider in QUESTION_EDITOR_PANELS for item in provider(question)]


def _show_errors(form, formsets, positions, error: ValidationError) -> None:
    """Put `choices.2.text`-style service errors on the row and input they are about."""
    for key, messages_ in error.message_dict.items():
        name, _dot, rest = key.partition(".")
        if name in formsets:
            formset = formsets[name]
            index, _dot, field = rest.partition(".")
            if not index:
                formset._non_form_errors = formset.error_class(
                    [*formset.non_form_errors(), *messages_], error_class="nonform"
                )
                continue
            row = formset.forms[positions[name][int(index)]]
            target = field if field in row.fields else None
            for message in messages_:
                row.add_error(target, message)
        else:
            target = name if name in form.fields else None
            for message in messages_:
                form.add_error(target, message)


@login_required
@require_POST
def preview(request):
    """Render one rich-text field exactly as saving it would (the editor's live preview)."""
    _require_instructor(request.user)
    field = request.GET.get("field", "")
    if field not in RICH_FIELDS:
        return HttpResponseBadRequest("unknown field")
    source = request.POST.get(field, "")
    if len(source) > PREVIEW_LIMIT:
        return HttpResponseBadRequest("too long to preview")
    return HttpResponse(render_rich_text(source) or "")


def _status(form) -> int:
    return 400 if form.errors else 200
