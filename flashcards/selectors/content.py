"""Who may read and who may edit which question sets.

Every API view, page and task that shows or changes a set asks these functions, so the rules
live in one place: owners and co-editors edit; everyone signed in reads public sets; students
read sets assigned to a class they belong to; instructors read the sets assigned to classes
they own.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from flashcards.models import QuestionSet, User


def sets_visible_to(user: User) -> QuerySet[QuestionSet]:
    if not user.is_authenticated:
        return QuestionSet.objects.filter(visibility=QuestionSet.Visibility.PUBLIC)
    assigned = Q(visibility=QuestionSet.Visibility.CLASSES) & (
        Q(classrooms__members=user) | Q(classrooms__owner=user)
    )
    rule = (
        Q(visibility=QuestionSet.Visibility.PUBLIC) | Q(owner=user) | Q(co_editors=user) | assigned
    )
    # The joins above can repeat a set; filter by id so callers get a clean, countable queryset.
    return QuestionSet.objects.filter(pk__in=QuestionSet.objects.filter(rule).values("pk"))


def sets_editable_by(user: User) -> QuerySet[QuestionSet]:
    if not user.is_authenticated:
        return QuestionSet.objects.none()
    editable = QuestionSet.objects.filter(Q(owner=user) | Q(co_editors=user)).values("pk")
    return QuestionSet.objects.filter(pk__in=editable)


def can_view_set(user: User, question_set: QuestionSet) -> bool:
    return sets_visible_to(user).filter(pk=question_set.pk).exists()


def can_edit_set(user: User, question_set: QuestionSet) -> bool:
    if not user.is_authenticated:
        return False
    if question_set.owner_id == user.pk:
        return True
    return question_set.co_editors.filter(pk=user.pk).exists()
