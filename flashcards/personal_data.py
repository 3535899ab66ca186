"""The registry of what the site holds about a person: one `Section` per (model, user field).

Each app says, for every table of its own that points at a user, what a data export shows
and what deleting the account does with the rows (`Policy`).  Apps register their sections
in `AppConfig.ready` (flashcards.personal_sections, quizzes.personal_sections,
training.personal_sections), so the registry is full before the first request; the export
and deletion are in flashcards.services.personal_data.  tests/flashcards/test_personal_data.py
walks every model and fails when a foreign key to the user has no section here.

This module holds the types and `register` only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.utils.functional import Promise


class Policy(enum.Enum):
    DELETE = "delete"  # removed with the account
    ANONYMISE = "anonymise"  # kept, moved to an anonymous placeholder account
    DETACH = "detach"  # kept, the reference set to NULL (on_delete=SET_NULL)
    WITH_PARENT = "with_parent"  # reached through another section's rows (`a__user`)


@dataclass(frozen=True)
class Section:
    name: str  # the key in the export
    model: str  # "app_label.ModelName"
    user_field: str
    policy: Policy
    exclude: frozenset[str] = field(default_factory=frozenset)  # secrets, blobs
    kept_because: str | Promise = ""  # shown on the "your data" page when kept


_SECTIONS: dict[tuple[str, str], Section] = {}


def register(section: Section) -> Section:
    key = (section.model.lower(), section.user_field)
    if key in _SECTIONS and _SECTIONS[key] != section:
        raise ValueError(f"{section.model}.{section.user_field} is registered twice")
    _SECTIONS[key] = section
    return section


def sections() -> tuple[Section, ...]:
    return tuple(_SECTIONS.values())


def covers(model_label: str, user_field: str) -> bool:
    return (model_label.lower(), user_field) in _SECTIONS
