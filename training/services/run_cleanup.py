"""Cleaning up demo runs whose worker died: a run must never stay "running" for ever.

- the sweep, from celery beat every 30 s and from every worker that starts, re-queues a
  running run whose heartbeat is older than ABANDONED_AFTER, or fails it with the reason
  after MAX_ATTEMPTS, whatever the next worker is called (`recover_abandoned_runs`);
- a worker that starts (again) re-queues or fails at once the runs its own node name left
  running: it has just started, so it cannot still be running them (`recover_orphaned_runs`);
- the sweep fails runs past their hard time limit (`fail_stale_runs`), as every read of a
  running run does (`training.services.runs.expire_if_overdue`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from training.models import DemoRun
from training.registry import get_demo
from training.services.run_execution import ABANDONED_AFTER, MAX_ATTEMPTS, died_message, mark_failed
from training.services.runs import enqueue, expire_if_overdue

logger = logging.getLogger(__name__)


def fail_stale_runs(*, now: datetime | None = None) -> int:
    """The periodic sweep: fail every running run past its hard limit.  Returns how many."""
    now = now or timezone.now()
    failed = 0
    for run in DemoRun.objects.filter(status=DemoRun.Status.RUNNING).only(
        "id", "demo", "status", "started_at", "created_at"
    ):
        failed += expire_if_overdue(run, now=now)
    return failed


def recover_orphaned_runs(*, worker: str) -> dict[str, int]:
    """At worker start: runs this node left running were interrupted; retry or fail them."""
    if not worker:
        return {"requeued": 0, "failed": 0}
    orphans = DemoRun.objects.filter(status=DemoRun.Status.RUNNING, worker=worker)
    outcome = _retry_or_fail(orphans, reason="the worker stopped")
    if any(outcome.values()):
        logger.warning("worker %s recovered its interrupted demo runs: %s", worker, outcome)
    return outcome


def recover_abandoned_runs(*, now: datetime | None = None) -> dict[str, int]:
    """Re-queue (or fail) running runs whose heartbeat stopped: their worker is gone.

    Judged by the heartbeat alone, not by which workers answer a ping: a solo-pool worker
    busy with a training run answers no ping, yet its heartbeat thread goes on; and the
    replacement of a dead worker may have any name.
    """
    now = now or timezone.now()
    cutoff = now - ABANDONED_AFTER
    silent = DemoRun.objects.filter(status=DemoRun.Status.RUNNING).filter(
        models.Q(heartbeat_at__lt=cutoff)
        | models.Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    outcome = _retry_or_fail(
        silent,
        reason=f"no heartbeat from its worker for {int(ABANDONED_AFTER.total_seconds())} s",
        cutoff=cutoff,
    )
    if any(outcome.values()):
        logger.warning("recovered demo runs whose worker went silent: %s", outcome)
    return outcome


def _retry_or_fail(
    candidates: QuerySet[DemoRun], *, reason: str, cutoff: datetime | None = None
) -> dict[str, int]:
    """Each candidate, re-checked under a row lock: queued again with a new task, or failed."""
    outcome = {"requeued": 0, "failed": 0}
    for run_id in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = (
                DemoRun.objects.select_for_update()
                .defer("figure_svgs", "result")
                .filter(pk=run_id, status=DemoRun.Status.RUNNING)
                .first()
            )
            if locked is None:
                continue
            beat = locked.heartbeat_at or locked.started_at
            if cutoff is not None and beat is not None and beat >= cutoff:
                continue  # it beat again meanwhile: alive
            if locked.attempts >= MAX_ATTEMPTS:
                mark_failed(locked, died_message(locked))
                outcome["failed"] += 1
                continue
            try:
                demo = get_demo(locked.demo)
            except LookupError:
                mark_failed(locked, f"the demo {locked.demo!r} no longer exists")
                outcome["failed"] += 1
                continue
            DemoRun.objects.filter(pk=locked.pk).update(
                status=DemoRun.Status.QUEUED,
                progress=0.0,
                progress_label=f"retrying: {reason} during attempt {locked.attempts}"[:200],
                heartbeat_at=None,
            )
            enqueue(locked, demo)
            outcome["requeued"] += 1
    return outcome
