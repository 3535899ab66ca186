"""Study writes: deriving cards from questions, reviews, undo, bury/suspend/flag, settings,
quiz outcomes and the per-student parameter fit.

Concurrency: every write that changes a student's schedule first locks that student's
`StudySettings` row (`select_for_update`; on SQLite the IMMEDIATE transactions serialise all
writers anyway).  Under that lock a repeated `client_review_id` is found and answered with the
stored review, and a client that rated an older version of the card gets `StaleCardState`.
The unique constraints (one state per student and card, one review per student and client
review id) are the last line of defence behind the lock.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.utils import timezone

from flashcards import scheduling
from flashcards.models import (
    Card,
    CardState,
    ParameterFit,
    Question,
    QuestionSet,
    ReviewLog,
    StudySettings,
    User,
)
from flashcards.richtext import cloze_deletions
from flashcards.scheduling import MemoryState, SchedulerConfig, StudyScheduler
from flashcards.selectors import sql
from flashcards.selectors.content import visible_set_condition
from flashcards.selectors.study import SETTINGS_FIELDS as SETTINGS_COLUMNS
from flashcards.selectors.study import settings_from_row
from flashcards.study_faces import cloze_numbers
from quizsite import dispatch, queues

FIT_AFTER_REVIEWS = 1000  # a fit is queued after this many reviews since the last one


class StudyError(Exception):
    """A study action that cannot be done; `code` is machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class CardNotAvailable(StudyError):
    code = "card_not_available"


class StaleCardState(StudyError):
    code = "stale_card_state"


class NothingToUndo(StudyError):
    code = "nothing_to_undo"


# --- cards ------------------------------------------------------------------------------------


def card_specs(question: Question) -> set[tuple[str, int]]:
    """The (side, ordinal) cards a question yields: what a student can be asked."""
    if question.kind == Question.Kind.DESCRIPTION:
        return set()
    if question.kind == Question.Kind.CLOZE:
        # From the rendered HTML, so a card exists exactly for each gap the page can hide
        # (`{{c1::…}}` inside a code span, say, is text, not a deletion).
        if question.prompt_html or not question.prompt:
            numbers = cloze_numbers(question.prompt_html)
        else:  # not rendered yet (a bulk-created row): what the renderer will find
            numbers = {deletion.number for deletion in cloze_deletions(question.prompt)}
        if numbers:
            return {(Card.Side.CLOZE.value, n) for n in numbers}
    specs = {(Card.Side.FRONT.value, 0)}
    if question.kind == Question.Kind.FLASHCARD and question.has_reverse:
        specs.add((Card.Side.REVERSE.value, 0))
    return specs


@transaction.atomic
def sync_cards(*, questions: Iterable[Question]) -> int:
    """Make the cards of `questions` match their content; returns how many changed.

    A cloze number or a reverse side that is gone takes its card, and that card's history,
    with it: what was studied no longer exists.
    """
    questions = list(questions)
    if not questions:
        return 0
    existing: dict[int, dict[tuple[str, int], int]] = defaultdict(dict)
    for card_id, question_id, side, ordinal in Card.objects.filter(
        question__in=questions
    ).values_list("id", "question_id", "side", "ordinal"):
        existing[question_id][(side, ordinal)] = card_id
    to_create, to_delete = [], []
    for question in questions:
        wanted = card_specs(question)
        have = existing.get(question.pk, {})
        to_create += [
            Card(question=question, question_set_id=question.question_set_id, side=s, ordinal=o)
            for s, o in sorted(wanted - have.keys())
        ]
        to_delete += [card_id for spec, card_id in have.items() if spec not in wanted]
    if to_create:
        Card.objects.bulk_create(to_create, ignore_conflicts=True)
    if to_delete:
        Card.objects.filter(pk__in=to_delete).delete()
    touched = [q.pk for q in questions]
    Card.objects.filter(question_id__in=touched).update(synced_at=timezone.now())
    return len(to_create) + len(to_delete)


def stale_questions(set_ids: Sequence[int]):
    """Questions of these sets whose cards are missing or older than the question's last edit."""
    fresh = Card.objects.filter(question=OuterRef("pk"), synced_at__gte=OuterRef("updated_at"))
    any_card = Card.objects.filter(question=OuterRef("pk"))
    description = Q(kind=Question.Kind.DESCRIPTION)
    return Question.objects.filter(question_set_id__in=set_ids).filter(
        (~description & ~Exists(fresh)) | (description & Exists(any_card))
    )


def _cards_look_current(set_ids: Sequence[int]) -> bool:
    """Two plain aggregates instead of a per-question check: every question has cards, and
    no question was edited after the oldest card sync.  (Conservative: a False only means the
    exact check below has to run.)"""
    questions = (
        Question.objects.filter(question_set_id__in=set_ids)
        .exclude(kind=Question.Kind.DESCRIPTION)
        .aggregate(n=Count("id"), latest=Max("updated_at"))
    )
    cards = Card.objects.filter(question_set_id__in=set_ids).aggregate(
        n=Count("question_id", distinct=True), oldest=Min("synced_at")
    )
    if questions["n"] != cards["n"]:
        return False
    return questions["latest"] is None or questions["latest"] <= cards["oldest"]


def ensure_cards(*, set_ids: Sequence[int]) -> int:
    """Bring the cards of these sets up to date: two cheap aggregates when nothing changed.

    Cards are derived lazily, when a student studies, rather than from signals on Question:
    importers create questions with bulk_create, which sends no signals.
    """
    if not set_ids or _cards_look_current(set_ids):
        return 0
    with transaction.atomic():
        stale = list(stale_questions(set_ids))
        changed = sync_cards(questions=stale) if stale else 0
        # Everything else was just found current: stamp it so the quick check passes again.
        Card.objects.filter(question_set_id__in=set_ids).update(synced_at=timezone.now())
    return changed


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


# --- scheduler per student --------------------------------------------------------------------


def scheduler_config(settings_row: StudySettings | None) -> SchedulerConfig:
    if settings_row is None:
        return SchedulerConfig()
    return SchedulerConfig(
        parameters=tuple(settings_row.parameters or scheduling.DEFAULT_PARAMETERS),
        desired_retention=settings_row.desired_retention,
        learning_steps=tuple(settings_row.learning_steps or (60, 600)),
        relearning_steps=tuple(settings_row.relearning_steps or (600,)),
        maximum_interval=settings_row.maximum_interval,
        enable_fuzzing=settings_row.enable_fuzz,
    )


@lru_cache(maxsize=512)
def _scheduler(config: tuple) -> StudyScheduler:
    parameters, retention, learning, relearning, maximum, fuzz = config
    return StudyScheduler(
        SchedulerConfig(
            parameters=parameters,
            desired_retention=retention,
            learning_steps=learning,
            relearning_steps=relearning,
            maximum_interval=maximum,
            enable_fuzzing=fuzz,
        )
    )


def scheduler_for(settings_row: StudySettings | None) -> StudyScheduler:
    """The scheduler of these settings, built once per process and distinct settings.

    Building one converts the parameters and steps for the `fsrs` package; a request only
    looks it up.  Schedulers hold no per-student state, only the settings they were made with.
    """
    config = scheduler_config(settings_row)
    return _scheduler(
        (
            tuple(float(p) for p in config.parameters),
            float(config.desired_retention),
            tuple(config.learning_steps),
            tuple(config.relearning_steps),
            int(config.maximum_interval),
            bool(config.enable_fuzzing),
        )
    )


def memory_state(row: CardState | None) -> MemoryState:
    if row is None:
        return MemoryState()
    return MemoryState(
        state=row.state,
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
        reps=row.reps,
        lapses=row.lapses,
    )


def _snapshot(row: CardState | None) -> dict:
    """What undo needs to put a card back exactly: the memory state and the marks it changes."""
    data = memory_state(row).to_dict()
    data["is_leech"] = bool(row and row.is_leech)
    data["introduced_at"] = row.introduced_at.isoformat() if row and row.introduced_at else None
    data["buried_until"] = row.buried_until.isoformat() if row and row.buried_until else None
    return data


def _apply(row: CardState, state: MemoryState) -> None:
    row.state = state.state
    row.step = state.step
    row.stability = state.stability
    row.difficulty = state.difficulty
    row.due = state.due
    row.last_review = state.last_review
    row.reps = state.reps
    row.lapses = state.lapses


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


def _studyable_card(student: User, card_id: int) -> Card:
    from flashcards.selectors.content import sets_visible_to

    card = Card.objects.filter(pk=card_id, question_set__in=sets_visible_to(student)).first()
    if card is None:
        raise CardNotAvailable("This card does not exist or is not in a set you can study.")
    return card


# --- reviews ----------------------------------------------------------------------------------


@dataclass
class ReviewOutcome:
    review: ReviewLog
    state: CardState
    created: bool  # False: the same client_review_id had already been stored


def _validate_rating(rating) -> int:
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
        scheduler = scheduler or StudyScheduler(scheduler_config(settings_row))
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


def _after_review(settings_row: StudySettings, count: int) -> None:
    """Count reviews towards the next parameter fit, and queue one when enough have come."""
    StudySettings.objects.filter(pk=settings_row.pk).update(
        reviews_since_fit=F("reviews_since_fit") + count
    )
    if settings_row.reviews_since_fit + count >= FIT_AFTER_REVIEWS:
        request_parameter_fit(student=settings_row.student, settings_row=settings_row)


def _lock_settings_counting_review(student: User) -> StudySettings:
    """Lock the student's settings row and count one review towards the next fit: one query.

    `UPDATE … RETURNING` takes the same row lock as `_lock_settings` (it is the per-student
    mutex) and does the counting the submit would otherwise do in a second statement.  A
    submit that turns out not to be a new study review gives the count back.
    """
    table = StudySettings._meta.db_table
    columns = [StudySettings._meta.get_field(name).column for name in SETTINGS_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET reviews_since_fit = reviews_since_fit + 1 "
            f"WHERE student_id = %s RETURNING {', '.join(columns)}",
            [student.pk],
        )
        found = cursor.fetchone()
    if found is None:
        row = _lock_settings(student)
        StudySettings.objects.filter(pk=row.pk).update(reviews_since_fit=F("reviews_since_fit") + 1)
        row.reviews_since_fit += 1
        return row
    return settings_from_row(student, found)


STATE_FIELDS = [
    f.attname for f in CardState._meta.concrete_fields if f.attname not in ("student_id", "card_id")
]


_CARD_WITH_STATE_SQL = f"""
SELECT c.id, c.question_set_id,
  (SELECT r.card_id FROM {ReviewLog._meta.db_table} r
    WHERE r.student_id = %s AND r.client_review_id = %s) AS stored_card,
  {", ".join(f"s.{CardState._meta.get_field(f).column}" for f in STATE_FIELDS)}
FROM {Card._meta.db_table} c
JOIN {QuestionSet._meta.db_table} qs ON qs.id = c.question_set_id
LEFT JOIN {CardState._meta.db_table} s ON s.card_id = c.id AND s.student_id = %s
WHERE c.id = %s AND {{visible}}
"""
_STATE_FIELD_OBJECTS = [CardState._meta.get_field(f) for f in STATE_FIELDS]  # model order


def _card_with_state(student: User, card_id: int, client_review_id: str):
    """The card (if the student may study it), their state of it, and the card of an earlier
    review with this client_review_id: one query.  Runs under the student's lock, so a
    concurrent submit of the same id has committed by then and is seen.

    Written out in SQL (with the read rule from `visible_set_condition`) because composing it
    with the ORM cost more Python time than the database spent answering it; see
    flashcards/selectors/sql.py.
    """
    visible, visible_params = visible_set_condition(student, "qs")
    with connection.cursor() as cursor:
        cursor.execute(
            _CARD_WITH_STATE_SQL.format(visible=visible),
            [student.pk, client_review_id, student.pk, card_id, *visible_params],
        )
        found = cursor.fetchone()
    if found is None:
        stored = ReviewLog.objects.filter(student=student, client_review_id=client_review_id)
        return None, None, stored.values_list("card_id", flat=True).first()
    card_pk, set_id, stored_card, *state_values = found
    card = Card(pk=card_pk, question_set_id=set_id)
    card._state.adding, card._state.db = False, "default"
    row = None
    if state_values[0] is not None:  # the state's id: the student has studied this card
        row = sql.from_row(CardState, _STATE_FIELD_OBJECTS, state_values)
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
    settings_row = _lock_settings_counting_review(student)
    card, row, stored_card = _card_with_state(student, card_id, client_review_id)
    if stored_card is not None or cram:
        StudySettings.objects.filter(pk=settings_row.pk).update(
            reviews_since_fit=F("reviews_since_fit") - 1
        )
        settings_row.reviews_since_fit -= 1
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
    if not cram and settings_row.reviews_since_fit >= FIT_AFTER_REVIEWS:
        request_parameter_fit(student=student, settings_row=settings_row)
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
    scheduler = StudyScheduler(scheduler_config(settings_row))
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
    _after_review(settings_row, len(cards))


@transaction.atomic
def undo_last_review(*, student: User) -> CardState:
    """Undo the student's latest study rating: the card gets back exactly the state it had.

    Undo can be repeated, walking back one rating at a time.  It is refused when the card's
    state is no longer the one that rating produced (a quiz answer or a reschedule came
    since): putting the old state back would silently drop that newer change.
    """
    _lock_settings(student)
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
        StudySettings.objects.filter(student=student, reviews_since_fit__gt=0).update(
            reviews_since_fit=F("reviews_since_fit") - 1
        )
    review.undone_at = timezone.now()
    review.save(update_fields=["undone_at"])
    return row


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- marks ------------------------------------------------------------------------------------


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


# --- settings ---------------------------------------------------------------------------------

SETTINGS_FIELDS = {
    "desired_retention",
    "learning_steps",
    "relearning_steps",
    "maximum_interval",
    "new_cards_per_day",
    "enable_fuzz",
}
MAX_STEP_SECONDS = 24 * 3600  # longer than a day is an interval, not a step


def _validate_steps(name: str, steps) -> list[int]:
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
def update_study_settings(*, student: User, **changes) -> StudySettings:
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


# --- parameter optimisation -------------------------------------------------------------------


def request_parameter_fit(
    *, student: User, settings_row: StudySettings | None = None
) -> ParameterFit | None:
    """Queue a fit of the student's FSRS parameters, unless one is already queued or running."""
    try:
        with transaction.atomic():
            fit = ParameterFit.objects.create(student=student)
    except IntegrityError:
        return None
    # Sent by name: flashcards.tasks imports this module.  Routed to the gpu queue by settings.
    transaction.on_commit(lambda: dispatch.send(queues.FIT_STUDY_PARAMETERS, args=[fit.pk]))
    return fit


def training_history(student: User) -> list[scheduling.LoggedReview]:
    """The reviews that count for the student's memory model: not undone, not cram."""
    rows = (
        ReviewLog.objects.filter(student=student, undone_at__isnull=True)
        .exclude(source=ReviewLog.Source.CRAM)
        .order_by("reviewed_at", "id")
        .values_list("card_id", "fsrs_rating", "reviewed_at", "duration_ms")
    )
    return [
        scheduling.LoggedReview(
            card_id=card_id, rating=scheduling.Rating(grade), when=when, duration_ms=duration
        )
        for card_id, grade, when, duration in rows
    ]


def run_parameter_fit(*, fit_id: int) -> str:
    """Fit, validate and — if better — adopt the student's parameters, then reschedule.

    Idempotent: a fit that already finished is not run again (a redelivered task is harmless).
    The slow part, fitting, runs outside any transaction; adopting and rescheduling run under
    the student's lock so no review interleaves with the rewrite of the states.
    """
    claimed = ParameterFit.objects.filter(
        pk=fit_id, status__in=[ParameterFit.Status.PENDING, ParameterFit.Status.RUNNING]
    ).update(status=ParameterFit.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return "already finished"
    fit = ParameterFit.objects.select_related("student").get(pk=fit_id)
    student = fit.student
    try:
        current = list(get_study_settings(student=student).parameters) or list(
            scheduling.DEFAULT_PARAMETERS
        )
        result = scheduling.fit_parameters(training_history(student), current=current)
        with transaction.atomic():
            settings_row = _lock_settings(student)
            fit.parameters_before = current
            fit.trial_parameters = result.trial_parameters
            fit.n_reviews = result.n_reviews
            fit.n_validation = result.n_validation
            fit.log_loss_before = result.log_loss_before
            fit.log_loss_after = result.log_loss_after
            fit.message = result.reason
            if result.adopted:
                settings_row.parameters = result.parameters
                fit.parameters = result.parameters
                fit.cards_rescheduled = _reschedule_locked(student, settings_row)
                fit.status = ParameterFit.Status.ADOPTED
            else:
                fit.status = ParameterFit.Status.REJECTED
            settings_row.reviews_since_fit = 0
            settings_row.save(update_fields=["parameters", "reviews_since_fit", "updated_at"])
            fit.finished_at = timezone.now()
            fit.save()
    except Exception as exc:
        ParameterFit.objects.filter(pk=fit_id).update(
            status=ParameterFit.Status.FAILED,
            message=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return fit.status


def _reschedule_locked(student: User, settings_row: StudySettings) -> int:
    """Recompute every card's state from its reviews with the student's current parameters."""
    scheduler = StudyScheduler(scheduler_config(settings_row))
    by_card: dict[int, list] = defaultdict(list)
    for review in training_history(student):
        by_card[review.card_id].append(review)
    rows = list(CardState.objects.filter(student=student, card_id__in=by_card))
    for row in rows:
        reviews = by_card[row.card_id]
        state = MemoryState()
        for review in reviews[:-1]:
            state = scheduler.review(state, review.rating, review.when, fuzz=False)
        # The last step with fuzz, as a live review would have been scheduled.
        state = scheduler.review(state, reviews[-1].rating, reviews[-1].when)
        reps, lapses = row.reps, row.lapses
        _apply(row, state)
        row.reps, row.lapses = reps, lapses  # counts of what happened, not of the model
        row.version += 1
    CardState.objects.bulk_update(
        rows,
        ["state", "step", "stability", "difficulty", "due", "last_review", "version"],
        batch_size=500,
    )
    return len(rows)
