"""The study payload: what the API and the browser page both show of a study queue.

One function, `study_payload`, builds it — scope counts, the next cards with their faces and
state, each rating's next interval — and every study answer goes through it: the API's next
cards, the page's queue, the next cards a rating answer carries, the card an undo restores.
The page adds only its rendered demo results (frontend/views/study.py); nothing here renders
templates, since flashcards sits below training and frontend.

The answers are built as the JSON they become, not through their DRF response serializers:
on the hot path those serializers cost ~0.5 ms a request (DRF deep-copies every nested field)
to copy values that are already the right types.  The serializers stay the documented
contract (OpenAPI), and tests/flashcards/test_study_api.py checks each answer is a fixed point
of its serializer.  Datetimes are the one value that needs rendering; DRF's own field does it, in
the time zone the request activated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone
from rest_framework import serializers

from flashcards.models import Card, CardState, StudySettings, User
from flashcards.scheduling import StudyScheduler
from flashcards.selectors import study as selectors
from flashcards.selectors.content import sets_studied_by
from flashcards.services.study.schedulers import memory_state, scheduler_for
from flashcards.study_faces import card_faces

STATE_NAMES = {
    CardState.State.NEW: "new",
    CardState.State.LEARNING: "learning",
    CardState.State.REVIEW: "review",
    CardState.State.RELEARNING: "relearning",
}
QUEUE_OF_STATE = {
    CardState.State.NEW: "new",
    CardState.State.LEARNING: "learning",
    CardState.State.REVIEW: "review",
    CardState.State.RELEARNING: "learning",
}
_DATETIME = serializers.DateTimeField()


def api_datetime(value: datetime | None) -> str | None:
    """A datetime as the API writes it: ISO 8601 in the user's time zone, as DRF renders it."""
    return None if value is None else _DATETIME.to_representation(value)


NEW_STATE_PAYLOAD = {
    "state": "new",
    "due": None,
    "stability": None,
    "difficulty": None,
    "reps": 0,
    "lapses": 0,
    "flagged": False,
    "suspended": False,
    "buried_until": None,
    "is_leech": False,
    "version": 0,
}


def state_payload(row: CardState | None) -> dict:
    if row is None:
        return dict(NEW_STATE_PAYLOAD)
    return {
        "state": STATE_NAMES[CardState.State(row.state)],
        "due": api_datetime(row.due),
        "stability": row.stability,
        "difficulty": row.difficulty,
        "reps": row.reps,
        "lapses": row.lapses,
        "flagged": row.flagged,
        "suspended": row.suspended,
        "buried_until": api_datetime(row.buried_until),
        "is_leech": row.is_leech,
        "version": row.version,
    }


def entry_payload(entry: selectors.QueueEntry, scheduler: StudyScheduler, now: datetime) -> dict:
    card = entry.card
    question = card.question
    front, back = card_faces(card)
    memory = memory_state(entry.state)
    return {
        "queue": entry.queue,
        "card": {
            "id": card.pk,
            "side": card.side,
            "ordinal": card.ordinal,
            "question_set": card.question_set_id,
            "question": {
                "id": question.pk,
                "kind": question.kind,
                "title": question.title,
                "choices": [
                    {"id": c.pk, "text_html": c.text_html, "is_correct": c.is_correct}
                    for c in question.prefetched_choices
                ],
            },
            "front_html": front,
            "back_html": back,
        },
        "state": state_payload(entry.state),
        "retrievability": round(scheduler.retrievability(memory, now), 4),
        "intervals": {str(k): int(v) for k, v in scheduler.preview(memory, now).items()},
    }


def study_payload(
    student: User,
    scope: selectors.StudyScope,
    *,
    mode: str = "study",
    limit: int = 1,
    now: datetime | None = None,
    held: Sequence[int] = (),
) -> dict:
    """The next `limit` cards of `scope` and its counts, as the API and the page show them.

    `held`: the cards the client already holds (on screen or queued ahead), not handed out
    again.  `limit=0` gives the counts alone.  The scheduler is the cached one of the
    student's settings (`scheduler_for`): built once per process and distinct settings.
    """
    now = now or timezone.now()
    if mode == "cram":
        queue = selectors.cram_queue(student, scope.set_ids, limit=limit, now=now)
        settings_row = StudySettings.objects.filter(student=student).first() if limit else None
    else:
        queue = selectors.study_queue(student, scope.set_ids, limit=limit, now=now, held=held)
        settings_row = queue.settings
    scheduler = scheduler_for(settings_row)
    return {
        "mode": mode,
        "cards": [entry_payload(e, scheduler, now) for e in queue.entries],
        "counts": queue.counts,
        "new_today": queue.new_today,
        "new_limit": queue.new_limit,
        "day_ends_at": api_datetime(queue.day_end),
    }


def restored_entry_payload(
    student: User,
    row: CardState,
    *,
    settings_row: StudySettings | None = None,
    now: datetime | None = None,
) -> dict | None:
    """The card an undo put back, as a queue entry: the page shows it again at once.

    None when study may not show that card now (`sets_studied_by`: its set became quiz-only,
    or a quiz the student has since started holds its question): the state is still put back,
    but the card's faces, which carry its answer, stay out of the answer.
    """
    if not sets_studied_by(student, [row.question_set_id]):
        return None
    now = now or timezone.now()
    card = Card.objects.select_related("question").get(pk=row.card_id)
    entry = selectors.QueueEntry(card, row, QUEUE_OF_STATE[CardState.State(row.state)])
    selectors.attach_cards(student, [entry])
    return entry_payload(entry, scheduler_for(settings_row), now)
