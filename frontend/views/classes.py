"""Joining a class (students) and running classes with join codes (instructors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from flashcards.models import Classroom
from flashcards.selectors.content import sets_assignable_by
from flashcards.services import classes as class_services
from frontend.forms import AssignSetForm, ClassroomForm, JoinClassForm, add_service_errors


@login_required
def join_class(request):
    form = JoinClassForm(request.POST or None, initial={"join_code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            classroom, created = class_services.join_classroom(
                user=request.user, join_code=form.cleaned_data["join_code"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if created:
                messages.success(request, _("You joined %(name)s.") % {"name": classroom.name})
            else:
                messages.info(request, _("You are already in %(name)s.") % {"name": classroom.name})
            return redirect("dashboard")
    status = 400 if form.errors else 200
    return render(request, "frontend/join_class.html", {"form": form, "nav": "join"}, status=status)


def _require_instructor(user) -> None:
    if not user.is_instructor:
        raise PermissionDenied


@login_required
def class_list(request):
    _require_instructor(request.user)
    assignable = sets_assignable_by(request.user).order_by("title")
    form = ClassroomForm(request.POST or None, set_choices=assignable.values_list("pk", "title"))
    if request.method == "POST" and form.is_valid():
        try:
            classroom = _create_class(request.user, form.cleaned_data, assignable)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Class %(name)s created. Its join code is %(code)s.")
                % {"name": classroom.name, "code": classroom.join_code},
            )
            return redirect("class-detail", pk=classroom.pk)
    classes = request.user.owned_classrooms.prefetch_related("question_sets").order_by("name")
    context = {"form": form, "classes": classes, "nav": "classes"}
    return render(
        request, "frontend/classes/list.html", context, status=400 if form.errors else 200
    )


@transaction.atomic
def _create_class(user, data, assignable) -> Classroom:
    """One form, two service calls: all of it happens or none (the services nest)."""
    classroom = class_services.create_classroom(owner=user, name=data["name"])
    for question_set in assignable.filter(pk__in=data["question_sets"]):
        class_services.assign_set(classroom=classroom, question_set=question_set, actor=user)
    return classroom


@login_required
def class_detail(request, pk: int):
    _require_instructor(request.user)
    classroom = get_object_or_404(request.user.owned_classrooms, pk=pk)
    assigned = classroom.question_sets.order_by("title")
    offered = sets_assignable_by(request.user).exclude(pk__in=assigned.values("pk"))
    form = AssignSetForm(
        request.POST if request.POST.get("action") == "assign" else None,
        set_choices=offered.order_by("title").values_list("pk", "title"),
    )
    if request.method == "POST" and _change_assignment(request, classroom, form, offered):
        return redirect("class-detail", pk=classroom.pk)
    context = {
        "classroom": classroom,
        "members": classroom.members.order_by("username"),
        "sets": assigned,
        "assign_form": form,
        "nav": "classes",
    }
    status = 400 if form.errors else 200
    return render(request, "frontend/classes/detail.html", context, status=status)


def _change_assignment(request, classroom, form, offered) -> bool:
    """Assign (the form) or unassign (a button per set) through the services; True when done."""
    if request.POST.get("action") == "unassign":
        question_set = get_object_or_404(classroom.question_sets, pk=request.POST.get("set"))
        class_services.unassign_set(classroom=classroom, question_set=question_set)
        messages.success(
            request,
            _("%(set)s is no longer assigned to %(name)s.")
            % {"set": question_set.title, "name": classroom.name},
        )
        return True
    if not form.is_bound or not form.is_valid():
        return False
    question_set = offered.get(pk=form.cleaned_data["question_set"])
    try:
        class_services.assign_set(
            classroom=classroom, question_set=question_set, actor=request.user
        )
    except PermissionDenied as error:
        form.add_error("question_set", str(error))
        return False
    messages.success(
        request,
        _("%(set)s is assigned to %(name)s; its students can study it now.")
        % {"set": question_set.title, "name": classroom.name},
    )
    return True
