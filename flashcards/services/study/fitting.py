"""Per-student parameter fits: counting reviews towards the next one, queueing, running."""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from flashcards import scheduling
from flashcards.models import (
    CardState,
    ParameterFit,
    ReviewLog,
    StudySettings,
    User,
)
from flashcards.scheduling import MemoryState, StudyScheduler
from flashcards.selectors import sql
from flashcards.selectors.sql.queue import SETTINGS_FIELDS as SETTINGS_COLUMNS
from flashcards.selectors.sql.queue import settings_from_row
from flashcards.services.study.schedulers import (
    _apply,
    scheduler_config,
)
from flashcards.services.study.settings import (
    _lock_settings,
    get_study_settings,
)
from quizsite import dispatch, queues

FIT_AFTER_REVIEWS = 1000  # a fit is queued after this many reviews since the last one

# --- the "reviews since the last fit" counter ---------------------------------------------------
# Every change of `StudySettings.reviews_since_fit` goes through the three functions below
# (and a finished fit sets it back to 0 in `run_parameter_fit`).  A study submit counts its
# review in the statement that takes the student's lock (one query instead of two) and gives it
# back with `count_reviews(row, -1)` when it turns out to store nothing new.


def lock_settings_counting_review(student: User) -> StudySettings:
    """Lock the student's settings row and count one review towards the next fit: one query.

    `UPDATE … RETURNING` takes the same row lock as `_lock_settings` (it is the per-student
    mutex) and does the counting the submit would otherwise do in a second statement.  A
    submit that turns out not to be a new study review gives the count back.
    """
    table = StudySettings._meta.db_table
    columns = [sql.column(StudySettings, name) for name in SETTINGS_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET reviews_since_fit = reviews_since_fit + 1 "
            f"WHERE student_id = %s RETURNING {', '.join(columns)}",
            [student.pk],
        )
        found = cursor.fetchone()
    if found is None:
        row = _lock_settings(student)
        count_reviews(row, 1, queue_fit=False)
        return row
    return settings_from_row(student, found)


def count_reviews(settings_row: StudySettings, delta: int, *, queue_fit: bool = True) -> None:
    """Add `delta` reviews (negative: give them back, never below 0) to the counter, and queue
    a fit when enough have come.  The caller holds the student's lock."""
    if delta:
        StudySettings.objects.filter(pk=settings_row.pk).update(
            reviews_since_fit=Greatest(F("reviews_since_fit") + delta, 0)
        )
        settings_row.reviews_since_fit = max(0, (settings_row.reviews_since_fit or 0) + delta)
    if queue_fit and delta >= 0:
        queue_fit_if_due(settings_row)


def queue_fit_if_due(settings_row: StudySettings) -> None:
    if settings_row.reviews_since_fit >= FIT_AFTER_REVIEWS:
        request_parameter_fit(student=settings_row.student, settings_row=settings_row)


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
