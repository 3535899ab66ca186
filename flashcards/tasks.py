"""Celery tasks of the flashcards app: thin adapters over the study and import services."""

from __future__ import annotations

from celery import shared_task

from quizsite.celery import app

# Pending import sessions (uploads nobody confirmed) older than a day are deleted hourly.
IMPORT_SWEEP_EVERY_SECONDS = 3600.0


@shared_task(
    name="flashcards.fit_study_parameters",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def fit_study_parameters(fit_id: int) -> str:
    """Fit one student's FSRS parameters (the `ParameterFit` row says which and records how).

    Enqueued on the `gpu` queue (see `request_parameter_fit`): it is torch work that takes
    minutes and must not hold up the quick tasks of the default queue.
    """
    from flashcards.services.study import run_parameter_fit

    return run_parameter_fit(fit_id=fit_id)


@shared_task(
    name="flashcards.delete_stale_import_sessions",
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
)
def delete_stale_import_sessions() -> int:
    """Uploads previewed and never confirmed hold whole files; a day is long enough to decide."""
    from flashcards.services.imports import delete_stale_import_sessions as sweep

    return sweep()


app.add_periodic_task(
    IMPORT_SWEEP_EVERY_SECONDS,
    delete_stale_import_sessions.s(),
    name="flashcards: delete import sessions nobody confirmed",
)
