"""Bury, suspend and flag: marks a student puts on a card, outside the schedule."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from flashcards import scheduling
from flashcards.models import (
    Card,
    CardState,
    User,
)
from flashcards.services.study.errors import (
    CardNotAvailable,
)


def _studyable_card(student: User, card_id: int) -> Card:
    from flashcards.selectors.content import sets_visible_to

    card = Card.objects.filter(pk=card_id, question_set__in=sets_visible_to(student)).first()
    if card is None:
        raise CardNotAvailable("This card does not exist or is not in a set you can study.")
    return card


def _state_for_mark(student: User, card_id: int) -> CardState:
    card = _studyable_card(student, card_id)
    row, _ = CardState.objects.select_for_update().get_or_create(
        student=student, card=card, defaults={"question_set_id": card.question_set_id}
    )
    return row


@transaction.atomic
def bury_card(*, student: User, card_id: int, now: datetime | None = None) -> CardState:
    """Hide the card until the student's next study day begins (4 a.m. local)."""
    row = _state_for_mark(student, card_id)
    zone = scheduling.student_zone(student.time_zone)
    _, next_day = scheduling.study_day_bounds(now or timezone.now(), zone)
    row.buried_until = next_day
    row.save(update_fields=["buried_until", "updated_at"])
    return row


@transaction.atomic
def set_suspended(*, student: User, card_id: int, suspended: bool) -> CardState:
    row = _state_for_mark(student, card_id)
    row.suspended = suspended
    row.save(update_fields=["suspended", "updated_at"])
    return row


@transaction.atomic
def set_flagged(*, student: User, card_id: int, flagged: bool) -> CardState:
    row = _state_for_mark(student, card_id)
    row.flagged = flagged
    row.save(update_fields=["flagged", "updated_at"])
    return row
