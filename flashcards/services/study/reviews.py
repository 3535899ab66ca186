"""Ratings: submitting one (from study, cram or a quiz) and undoing the latest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from flashcards import scheduling
from flashcards.models import (
    Card,
    CardState,
    Question,
    ReviewLog,
    StudySettings,
    User,
)
from flashcards.scheduling import MemoryState, StudyScheduler
from flashcards.selectors import sql
from flashcards.selectors.content import visible_set_condition, withheld_set_condition
from flashcards.selectors.sql.reviews import CARD_STATE_READ_FIELDS, CARD_WITH_STATE_SQL
from flashcards.services.study.cards import card_specs, sync_cards
from flashcards.services.study.errors import (
    CardNotAvailable,
    NothingToUndo,
    StaleCardState,
    StudyError,
)
from flashcards.services.study.fitting import (
    count_reviews,
    lock_settings_counting_review,
    queue_fit_if_due,
)
from flashcards.services.study.schedulers import (
    _apply,
    _snapshot,
    memory_state,
    scheduler_for,
)
from flashcards.services.study.settings import (
    _lock_settings,
)


@dataclass
class ReviewOutcome:
    review: ReviewLog
    state: CardState
    created: bool  # False: the same client_review_id had already been stored


def _validate_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise StudyError("The rating must be a whole number from 1 to 5.", code="invalid_rating")
    if not scheduling.MIN_RATING <= rating <= scheduling.MAX_RATING:
        raise StudyError("The rating must be a whole number from 1 to 5.", code="invalid_rating")
    return rating


def _review_locked(
    *,
    student: User,
    settings_row: StudySettings,
    card: Card,
    rating: int,
    client_review_id: str,
    when: datetime,
    source: str,
    duration_ms: int | None = None,
    expected_version: int | None = None,
    row: CardState | None = None,
    scheduler: StudyScheduler | None = None,
) -> ReviewOutcome:
    """Apply one review; the caller holds the student's lock."""
    if row is None:
        row = CardState.objects.filter(student=student, card=card).first()
    current_version = row.version if row else 0
    if expected_version is not None and expected_version != current_version:
        raise StaleCardState(
            "This card was rated or changed elsewhere since it was shown; "
            "fetch the next card again.",
        )
    if row is None:
        row = CardState(student=student, card=card, question_set_id=card.question_set_id)
    before = memory_state(row if row.pk else None)
    snapshot_before = _snapshot(row if row.pk else None)
    grade = scheduling.to_fsrs_rating(rating)
    if before.last_review is not None and when < before.last_review:
        when = before.last_review  # a late-reported answer cannot precede the last review
    if source == ReviewLog.Source.CRAM:
        after = before
    else:
        scheduler = scheduler or scheduler_for(settings_row)
        after = scheduler.review(before, grade, when)
        _apply(row, after)
        if before.is_new and source == ReviewLog.Source.STUDY and row.introduced_at is None:
            row.introduced_at = when
        if row.lapses >= scheduling.LEECH_LAPSES:
            row.is_leech = True
        row.buried_until = None  # answering a buried card (e.g. in a quiz) brings it back
        row.version = current_version + 1
        row.save()
    if not row.pk:  # a cram review of a card never studied: the schedule stays untouched
        row.save()
    review = ReviewLog.objects.create(
        student=student,
        card=card,
        question_set_id=card.question_set_id,
        rating=rating,
        fsrs_rating=int(grade),
        source=source,
        reviewed_at=when,
        duration_ms=duration_ms,
        client_review_id=client_review_id,
        state_before=snapshot_before,
        state_after=_snapshot(row),
        previous_state=before.state,
        scheduled_days=before.scheduled_days(),
        elapsed_days=(
            (when - before.last_review).total_seconds() / 86400 if before.last_review else None
        ),
        version_after=row.version,
    )
    return ReviewOutcome(review=review, state=row, created=True)


def _card_with_state(
    student: User, card_id: int, client_review_id: str
) -> tuple[Card | None, CardState | None, int | None]:
    """The card (if the student may study it), their state of it, and the card of an earlier
    review with this client_review_id: one query.  Runs under the student's lock, so a
    concurrent submit of the same id has committed by then and is seen.

    Written out in SQL (with the read rule from `visible_set_condition` and the study rule
    from `withheld_set_condition`) because composing it
    with the ORM cost more Python time than the database spent answering it; see
    flashcards/selectors/sql/__init__.py.
    """
    visible, visible_params = visible_set_condition(student, "qs")
    withheld, withheld_params = withheld_set_condition(student, "qs")
    with connection.cursor() as cursor:
        cursor.execute(
            CARD_WITH_STATE_SQL.format(visible=visible, withheld=withheld),
            [
                *(student.pk, client_review_id),
                *withheld_params,
                *(student.pk, card_id),
                *visible_params,
            ],
        )
        found = cursor.fetchone()
    if found is None:
        stored = ReviewLog.objects.filter(student=student, client_review_id=client_review_id)
        return None, None, stored.values_list("card_id", flat=True).first()
    card_pk, set_id, stored_card, withheld_now, *state_values = found
    if withheld_now:
        # The study rule (`sets_studied_by`: a quiz-only set, a quiz in progress holding the
        # question), checked in the same statement as the read rule.
        return None, None, stored_card
    card = Card(pk=card_pk, question_set_id=set_id)
    card._state.adding, card._state.db = False, "default"
    row = None
    if state_values[0] is not None:  # the state's id: the student has studied this card
        row = sql.from_row(CardState, CARD_STATE_READ_FIELDS, state_values)
        row.student, row.card = student, card
    return card, row, stored_card


@transaction.atomic
def submit_review(
    *,
    student: User,
    card_id: int,
    rating: int,
    client_review_id: str,
    duration_ms: int | None = None,
    expected_version: int | None = None,
    cram: bool = False,
) -> ReviewOutcome:
    """Record a 1–5 rating of a card from the study queue (or from cram mode).

    Idempotent on `client_review_id`: a repeated submit returns the stored review and changes
    nothing.  `expected_version` is the card version the client was shown; if the card has
    changed since (a second tab, a double tap with a new id), `StaleCardState` is raised.

    The usual case is three statements inside the transaction: lock (counting the review),
    read card, state and earlier submit together, then write the state and the review.
    """
    rating = _validate_rating(rating)
    client_review_id = (client_review_id or "").strip()
    if not client_review_id or len(client_review_id) > 64:
        raise StudyError("client_review_id must be 1–64 characters.", code="invalid_client_id")
    settings_row = lock_settings_counting_review(student)
    card, row, stored_card = _card_with_state(student, card_id, client_review_id)
    if stored_card is not None or cram:
        count_reviews(settings_row, -1)
    if stored_card is not None:
        if stored_card != card_id:
            raise StudyError(
                "This client_review_id was already used for another card.",
                code="client_id_reused",
            )
        stored = ReviewLog.objects.get(student=student, client_review_id=client_review_id)
        state = CardState.objects.get(student=student, card_id=card_id)
        return ReviewOutcome(review=stored, state=state, created=False)
    if card is None:
        # The read rule and the study rule are both in `_card_with_state`'s statement.
        raise CardNotAvailable("This card does not exist or is not in a set you can study.")
    outcome = _review_locked(
        student=student,
        settings_row=settings_row,
        card=card,
        rating=rating,
        client_review_id=client_review_id,
        when=timezone.now(),
        source=ReviewLog.Source.CRAM if cram else ReviewLog.Source.STUDY,
        duration_ms=duration_ms,
        expected_version=expected_version,
        row=row or CardState(student=student, card=card, question_set_id=card.question_set_id),
        scheduler=scheduler_for(settings_row),
    )
    if not cram:
        queue_fit_if_due(settings_row)
    return outcome


@transaction.atomic
def record_quiz_answer(
    *, student: User, question: Question, rating: int, answered_at: datetime | None = None
) -> None:
    """Feed a quiz outcome into the student's schedule as a review on the 1–5 scale.

    Quizzes pass 1 for a wrong answer, 4 for a right one, or the student's own rating.  The
    quiz asked the question the way it is written, so every card of the question except a
    flashcard's reverse side gets the review (each cloze deletion of a cloze question).  Cards
    are created if the question was never studied; a question that yields no card (a
    description) is ignored.
    """
    rating = _validate_rating(rating)
    when = answered_at or timezone.now()
    if timezone.is_naive(when):
        raise ValueError("answered_at must be timezone-aware")
    cards = list(Card.objects.filter(question=question).exclude(side=Card.Side.REVERSE))
    if not cards and card_specs(question):
        sync_cards(questions=[question])
        cards = list(Card.objects.filter(question=question).exclude(side=Card.Side.REVERSE))
    if not cards:
        return
    settings_row = _lock_settings(student)
    scheduler = scheduler_for(settings_row)
    rows = {row.card_id: row for row in CardState.objects.filter(student=student, card__in=cards)}
    for card in cards:
        _review_locked(
            student=student,
            settings_row=settings_row,
            card=card,
            rating=rating,
            client_review_id=f"quiz-{uuid.uuid4().hex}",
            when=when,
            source=ReviewLog.Source.QUIZ,
            row=rows.get(card.pk),
            scheduler=scheduler,
        )
    count_reviews(settings_row, len(cards))


@transaction.atomic
def undo_last_review(*, student: User) -> CardState:
    """Undo the student's latest study rating: the card gets back exactly the state it had.

    Undo can be repeated, walking back one rating at a time.  It is refused when the card's
    state is no longer the one that rating produced (a quiz answer or a reschedule came
    since): putting the old state back would silently drop that newer change.
    """
    settings_row = _lock_settings(student)
    review = (
        ReviewLog.objects.filter(
            student=student,
            undone_at__isnull=True,
            source__in=[ReviewLog.Source.STUDY, ReviewLog.Source.CRAM],
        )
        .order_by("-reviewed_at", "-id")
        .first()
    )
    if review is None:
        raise NothingToUndo("There is no rating to undo.")
    row = CardState.objects.get(student=student, card_id=review.card_id)
    if review.source == ReviewLog.Source.STUDY:
        if memory_state(row) != MemoryState.from_dict(review.state_after):
            raise NothingToUndo(
                "This card has changed since that rating, so it can no longer be undone.",
                code="undo_conflict",
            )
        before = review.state_before
        _apply(row, MemoryState.from_dict(before))
        row.is_leech = bool(before.get("is_leech"))
        row.introduced_at = _parse(before.get("introduced_at"))
        row.buried_until = _parse(before.get("buried_until"))
        row.version += 1
        row.save()
        count_reviews(settings_row, -1)
    review.undone_at = timezone.now()
    review.save(update_fields=["undone_at"])
    return row


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
