"""DRF permission classes for the content API, thin wrappers over the selectors' rules.

Views narrow their querysets with the selectors first, so an object someone may not even read
is a 404; these classes then turn "may read but not change" into a 403.
"""

from __future__ import annotations

from typing import cast

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from flashcards.models import Classroom, Question, QuestionSet, User
from flashcards.selectors.content import can_edit_set


def request_user(request: Request) -> User:
    """The user of a request behind IsAuthenticated (the API's default permission).

    DRF types `request.user` as user-or-anonymous; once IsAuthenticated has let the request
    through it is a `User`, which is what the selectors and services take.
    """
    return cast(User, request.user)


class IsInstructor(BasePermission):
    message = "Only instructors can do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_instructor)


class InstructorsCreate(BasePermission):
    """Anyone signed in may read; only instructors may create (sets, classes)."""

    message = "Only instructors can create this."

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) == "create":
            return IsInstructor().has_permission(request, view)
        return True


class EditorsWrite(BasePermission):
    """Readers of a set read it and its questions; owners and co-editors change them."""

    message = "Only the owner and co-editors of this question set can change it."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        question_set = obj.question_set if isinstance(obj, Question) else obj
        assert isinstance(question_set, QuestionSet)
        return can_edit_set(request.user, question_set)


class ClassOwnerWrites(BasePermission):
    """Members read their class; only its instructor changes it."""

    message = "Only the instructor of this class can do this."

    def has_object_permission(self, request, view, obj) -> bool:
        assert isinstance(obj, Classroom)
        return request.method in SAFE_METHODS or obj.owner_id == request.user.pk


class ClassOwnerOnly(BasePermission):
    """For what even members may not see, such as the roster."""

    message = "Only the instructor of this class can do this."

    def has_object_permission(self, request, view, obj) -> bool:
        assert isinstance(obj, Classroom)
        return obj.owner_id == request.user.pk
