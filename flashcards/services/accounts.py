"""Writes about people: signing up, their preferences, joining a class with its code.

The sign-up page, the settings page and the join form are thin adapters over these, so the
rules (which roles a person may pick, which languages exist, how a join code is compared)
hold for any other entry point too.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flashcards.models import Classroom, Membership, User

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def normalize_join_code(code: str) -> str:
    """Codes are read aloud and typed on phones: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


@transaction.atomic
def sign_up(
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    language: str = "",
) -> User:
    if role not in User.Role.values:
        raise ValidationError({"role": _("Choose student or instructor.")})
    if language and language not in SUPPORTED_LANGUAGES:
        raise ValidationError({"language": _("This language is not available.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with that username already exists.")})
    user = User(username=username, email=email, role=role, language=language)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def update_preferences(*, user: User, language: str, time_zone: str) -> User:
    errors = {}
    if language and language not in SUPPORTED_LANGUAGES:
        errors["language"] = _("This language is not available.")
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = _("Unknown time zone.")
    if errors:
        raise ValidationError(errors)
    user.language = language
    user.time_zone = time_zone
    user.save(update_fields=["language", "time_zone"])
    return user


@transaction.atomic
def join_classroom(*, user: User, join_code: str) -> tuple[Classroom, bool]:
    """Add `user` to the class with this code; returns (class, whether they were new to it)."""
    code = normalize_join_code(join_code)
    classroom = Classroom.objects.filter(join_code=code).first() if code else None
    if classroom is None:
        raise ValidationError({"join_code": _("No class has this join code.")})
    if classroom.owner_id == user.pk:
        raise ValidationError({"join_code": _("You run this class; you cannot join it.")})
    _membership, created = Membership.objects.get_or_create(classroom=classroom, user=user)
    return classroom, created


@transaction.atomic
def create_classroom(
    *, owner: User, name: str, question_set_ids: list[int] | None = None
) -> Classroom:
    """Instructors run classes; the sets they assign must be ones they may edit."""
    from flashcards.selectors.content import sets_editable_by

    if not owner.is_instructor:
        raise ValidationError(_("Only instructors can create classes."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the class a name.")})
    classroom = Classroom.objects.create(owner=owner, name=name)
    if question_set_ids:
        allowed = sets_editable_by(owner).filter(pk__in=question_set_ids)
        if allowed.count() != len(set(question_set_ids)):
            raise ValidationError({"question_sets": _("You can only assign sets you edit.")})
        classroom.question_sets.set(allowed)
    return classroom
