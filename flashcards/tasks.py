"""Celery tasks of the flashcards app: thin adapters over the study services."""

from __future__ import annotations

from celery import shared_task


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
