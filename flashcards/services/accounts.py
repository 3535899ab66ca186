"""Writes about people: signing up and their preferences.

The sign-up and settings pages are thin adapters over these, so the rules (a new account is
a student, which languages and time zones exist) hold for any other entry point too.  The
instructor role is granted only by `flashcards.services.invitations` or an administrator.
Classes and joining them live in `flashcards.services.classes`.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flashcards.models import User

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


@transaction.atomic
def sign_up(
    *,
    username: str,
    email: str,
    password: str,
    language: str = "",
) -> User:
    if language and language not in SUPPORTED_LANGUAGES:
        raise ValidationError({"language": _("This language is not available.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with that username already exists.")})
    user = User(username=username, email=email, role=User.Role.STUDENT, language=language)
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
