"""Celery tasks of the flashcards app: thin adapters over the study and import services.

Services send these by name (`quizsite.dispatch`); the queues come from `CELERY_TASK_ROUTES`
and the periodic ones from `CELERY_BEAT_SCHEDULE`, both in settings.
"""

from __future__ import annotations

from celery import shared_task

from flashcards.services import imports as import_services
from flashcards.services.study import run_parameter_fit
from quizsite import queues


@shared_task(
    name=queues.FIT_STUDY_PARAMETERS,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def fit_study_parameters(fit_id: int) -> str:
    """Fit one student's FSRS parameters (the `ParameterFit` row says which and records how).

    Routed to the `gpu` queue: it is torch work that takes minutes and must not hold up the
    quick tasks of the default queue.
    """
    return run_parameter_fit(fit_id=fit_id)


@shared_task(
    name=queues.SWEEP_IMPORT_SESSIONS, ignore_result=True, soft_time_limit=60, time_limit=90
)
def delete_stale_import_sessions() -> int:
    """Uploads previewed and never confirmed hold whole files; a day is long enough to decide
    (hourly, from celery beat)."""
    return import_services.delete_stale_import_sessions()
