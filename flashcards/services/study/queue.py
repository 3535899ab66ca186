"""The study queue as the services serve it."""

from __future__ import annotations

from datetime import datetime

from flashcards import scheduling
from flashcards.models import (
    User,
)
from flashcards.services.study.cards import ensure_cards


def next_in_queue(*, student: User, set_ids: list[int], limit: int, now: datetime):
    """The study queue, deriving the scope's cards first if its questions changed.

    The queue's own context query says whether the cards are current, so an unchanged scope
    (nearly every request) costs no query for that.
    """
    from flashcards.selectors import study as selectors

    zone = scheduling.student_zone(student.time_zone)
    day_start, day_end = scheduling.study_day_bounds(now, zone)
    bounds = {"now": now, "day_start": day_start, "day_end": day_end}
    context = selectors.queue_context(student, set_ids, **bounds)
    if not context.cards_current:
        ensure_cards(set_ids=set_ids)
        context = selectors.queue_context(student, set_ids, **bounds)
    return selectors.study_queue(student, set_ids, limit=limit, now=now, context=context)
