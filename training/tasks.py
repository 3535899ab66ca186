"""Celery tasks of the demos: thin adapters over training.services.run_execution (the run)
and training.services.run_cleanup (the sweep and the recovery at worker start).

`run_demo` is sent per run to the demo's queue (`default` for light demos, `gpu` for
training) with the demo's own soft and hard time limits.  A deployment without a GPU runs
one worker for both queues: `celery -A quizsite worker -Q default,gpu`.  A CUDA worker runs
with `--pool=solo`, because CUDA cannot be initialised in a forked child; nothing here
touches CUDA at import time or in the worker's parent process.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready

from quizsite import queues
from training.services.run_cleanup import (
    fail_stale_runs,
    recover_abandoned_runs,
    recover_orphaned_runs,
)
from training.services.run_execution import execute_run

logger = logging.getLogger(__name__)


@shared_task(
    name=queues.RUN_DEMO,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # Per-demo limits are passed with each message; these apply to a message without them.
    soft_time_limit=1800,
    time_limit=1860,
)
def run_demo(self, run_id: int) -> None:
    execute_run(run_id=run_id, worker=self.request.hostname or "")


@shared_task(name=queues.SWEEP_STALE_RUNS, ignore_result=True, soft_time_limit=30, time_limit=60)
def sweep_stale_runs() -> int:
    """Fail runs past their hard limit; re-queue or fail runs whose worker went silent.

    Every 30 seconds, from `CELERY_BEAT_SCHEDULE` in settings."""
    recovered = recover_abandoned_runs()
    return fail_stale_runs() + sum(recovered.values())


@worker_ready.connect
def recover_interrupted_runs(sender=None, **kwargs) -> None:
    """A worker that starts cannot be running anything yet: what its name left running died."""
    hostname = getattr(sender, "hostname", "") or ""
    try:
        recover_orphaned_runs(worker=hostname)
        recover_abandoned_runs()
        fail_stale_runs()
    except Exception:  # the database may be down at start-up; the sweep will catch up
        logger.exception("could not recover interrupted demo runs for %s", hostname)
