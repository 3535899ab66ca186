"""Writes to classes: creating and renaming them, join codes, members, assigned sets."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from flashcards.models import Classroom, Membership, QuestionSet, User
from flashcards.models.content import new_join_code
from flashcards.selectors.content import can_edit_set
from flashcards.services.content import require_instructor
from flashcards.services.study.cards import ensure_cards
from flashcards.validation import is_blank


def normalize_join_code(code: str) -> str:
    """Codes are read aloud and typed by hand: ignore case, spaces and dashes."""
    return "".join(char for char in str(code).upper() if char.isalnum())


@transaction.atomic
def create_classroom(*, owner: User, name: str) -> Classroom:
    require_instructor(owner, _("create classes"))
    if is_blank(name):
        raise ValidationError({"name": _("Give the class a name.")})
    return Classroom.objects.create(owner=owner, name=name.strip())


@transaction.atomic
def update_classroom(*, classroom: Classroom, name: str) -> Classroom:
    if is_blank(name):
        raise ValidationError({"name": _("Give the class a name.")})
    classroom.name = name.strip()
    classroom.save(update_fields=["name"])
    return classroom


@transaction.atomic
def regenerate_join_code(*, classroom: Classroom) -> Classroom:
    """A new code, for when the old one leaked; members stay members."""
    for _attempt in range(10):
        code = new_join_code()
        if not Classroom.objects.filter(join_code=code).exists():
            classroom.join_code = code
            classroom.save(update_fields=["join_code"])
            return classroom
    raise RuntimeError("could not find a free join code")  # 32**8 codes: practically never


@transaction.atomic
def join_classroom(*, user: User, join_code: str) -> tuple[Classroom, bool]:
    """Join the class with this code; joining twice is harmless.  Returns (class, joined now)."""
    classroom = Classroom.objects.filter(join_code=normalize_join_code(join_code)).first()
    if classroom is None:
        raise ValidationError({"join_code": _("No class has this join code.")})
    if classroom.owner_id == user.pk:
        raise ValidationError({"join_code": _("You run this class; you do not need to join it.")})
    try:
        with transaction.atomic():
            _membership, created = Membership.objects.get_or_create(classroom=classroom, user=user)
    except IntegrityError:  # a concurrent join of the same user won the race
        created = False
    # The class's cards exist before the new member's dashboard counts them.
    ensure_cards(set_ids=list(classroom.question_sets.values_list("pk", flat=True)))
    return classroom, created


@transaction.atomic
def leave_classroom(*, user: User, classroom: Classroom) -> None:
    if classroom.owner_id == user.pk:
        raise ValidationError({"user": _("You run this class; delete it instead of leaving.")})
    Membership.objects.filter(classroom=classroom, user=user).delete()


@transaction.atomic
def remove_member(*, classroom: Classroom, user: User) -> None:
    deleted, _rows = Membership.objects.filter(classroom=classroom, user=user).delete()
    if not deleted:
        raise ValidationError({"user": _("This person is not a member of the class.")})


@transaction.atomic
def assign_set(*, classroom: Classroom, question_set: QuestionSet, actor: User) -> QuestionSet:
    """Give a class a set to study.

    Only sets the instructor edits, or public ones, may be assigned: otherwise a set shared
    with one class could be passed on to another behind its owner's back.  A private set
    becomes visible to assigned classes, since assigning it is how an owner shares it.
    """
    if actor.pk != classroom.owner_id:
        raise PermissionDenied(_("Only the instructor of the class can assign sets."))
    public = question_set.visibility == QuestionSet.Visibility.PUBLIC
    if not (public or can_edit_set(actor, question_set)):
        raise PermissionDenied(_("You can assign only your own sets or public ones."))
    if question_set.visibility == QuestionSet.Visibility.QUIZ_ONLY:
        raise ValidationError(
            {
                "question_set": _(
                    "This set is for quizzes only, so it is not given to classes to study; "
                    "make a quiz from it instead."
                )
            }
        )
    if question_set.visibility == QuestionSet.Visibility.PRIVATE:
        question_set.visibility = QuestionSet.Visibility.CLASSES
        question_set.save(update_fields=["visibility", "updated_at"])
    classroom.question_sets.add(question_set)
    # Every member's dashboard counts the set's cards from this commit on.
    ensure_cards(set_ids=[question_set.pk])
    return question_set


@transaction.atomic
def unassign_set(*, classroom: Classroom, question_set: QuestionSet) -> None:
    classroom.question_sets.remove(question_set)


@transaction.atomic
def set_class_assignments(
    *, question_set: QuestionSet, actor: User, classrooms: Iterable[Classroom]
) -> tuple[list[Classroom], list[Classroom]]:
    """Make `classrooms` exactly the actor's classes that study this set.

    The set editor shows the instructor's own classes as check boxes; classes other
    instructors run are neither shown nor touched.  Each change goes through `assign_set` /
    `unassign_set`, so the permission rules are those of the API.  Returns (added, removed).
    """
    owned = {c.pk: c for c in Classroom.objects.filter(owner=actor)}
    wanted = {c.pk for c in classrooms}
    if wanted - owned.keys():
        raise PermissionDenied(_("Only the instructor of the class can assign sets."))
    current = set(question_set.classrooms.filter(owner=actor).values_list("pk", flat=True))
    added = [owned[pk] for pk in sorted(wanted - current)]
    removed = [owned[pk] for pk in sorted(current - wanted)]
    for classroom in added:
        assign_set(classroom=classroom, question_set=question_set, actor=actor)
    for classroom in removed:
        unassign_set(classroom=classroom, question_set=question_set)
    return added, removed
