"""A student's study settings, and the lock on their row every schedule change takes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from flashcards.models import (
    StudySettings,
    User,
)


def _lock_settings(student: User) -> StudySettings:
    """The student's settings row, locked: the per-student mutex of every schedule change."""
    row = StudySettings.objects.select_for_update().filter(student=student).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return StudySettings.objects.create(student=student)
    except IntegrityError:  # created concurrently by another request of the same student
        return StudySettings.objects.select_for_update().get(student=student)


SETTINGS_FIELDS = {
    "desired_retention",
    "learning_steps",
    "relearning_steps",
    "maximum_interval",
    "new_cards_per_day",
    "enable_fuzz",
}
MAX_STEP_SECONDS = 24 * 3600  # longer than a day is an interval, not a step


def _validate_steps(name: str, steps: object) -> list[int]:
    if not isinstance(steps, list) or len(steps) > 10:
        raise ValidationError({name: "A list of at most 10 steps in seconds."})
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int):
            raise ValidationError({name: "Each step is a whole number of seconds."})
        if not 1 <= step <= MAX_STEP_SECONDS:
            raise ValidationError({name: "Each step is between 1 second and 1 day."})
    return steps


def get_study_settings(*, student: User) -> StudySettings:
    row, _ = StudySettings.objects.get_or_create(student=student)
    return row


@transaction.atomic
def update_study_settings(*, student: User, **changes: Any) -> StudySettings:
    unknown = set(changes) - SETTINGS_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a study setting."))
    row = _lock_settings(student)
    for name in ("learning_steps", "relearning_steps"):
        if name in changes:
            changes[name] = _validate_steps(name, changes[name])
    for name, value in changes.items():
        setattr(row, name, value)
    row.full_clean(exclude=["student"])
    row.save()
    return row
