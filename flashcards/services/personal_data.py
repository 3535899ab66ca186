"""Everything the site holds about a person, as JSON, and deleting their account.

The tables come from the registry (flashcards.personal_data), which every app fills with
its own; this module never imports a higher app.  Deleting an account:

- moves the rows the registry keeps (ANONYMISE: quiz attempts and answers, reviews, class
  memberships, content others use) to a fresh placeholder account with a random name, no
  email, no password and no sign-in, so item statistics and classes stay right and nothing
  left names the person;
- then deletes the user row, which deletes (CASCADE) or detaches (SET_NULL) the rest.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from flashcards.models import User
from flashcards.personal_data import Policy, sections

PROFILE_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "verified_email",
    "role",
    "time_zone",
    "language",
    "date_joined",
    "last_login",
    "is_active",
    "is_staff",
    "is_superuser",
)


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def export(user: User) -> dict[str, Any]:
    """A JSON-able dict: the profile, then one list of rows per registered section."""
    data: dict[str, Any] = {
        "exported_at": timezone.now(),
        "profile": {name: getattr(user, name) for name in PROFILE_FIELDS},
        "co_edited_sets": list(user.edited_sets.values_list("id", flat=True)),
    }
    for section in sections():
        model = apps.get_model(section.model)
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in section.exclude and not isinstance(f, models.BinaryField)
        ]
        rows = model._default_manager.filter(**{section.user_field: user}).order_by("pk")
        data[section.name] = list(rows.values(*names))
    return _plain(data)


def kept_explanations() -> list[str]:
    """What deleting an account keeps, and why: one sentence per reason (the page lists them)."""
    seen: list[str] = []
    for section in sections():
        if section.policy is Policy.ANONYMISE and section.kept_because:
            text = str(section.kept_because)
            if text not in seen:
                seen.append(text)
    return seen


@transaction.atomic
def delete_account(*, user: User) -> User:
    """Delete `user`; returns the placeholder account that now holds what is kept."""
    placeholder = User(username=f"deleted-{secrets.token_hex(6)}", is_active=False)
    placeholder.set_unusable_password()
    placeholder.save()
    for section in sections():
        if section.policy is Policy.ANONYMISE:
            model = apps.get_model(section.model)
            rows = model._default_manager.filter(**{section.user_field: user})
            rows.update(**{section.user_field: placeholder})
    User.objects.filter(pk=user.pk).delete()
    return placeholder
