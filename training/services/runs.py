"""Requesting, executing and cleaning up demo runs: every write to a DemoRun goes through here.

A request finds or creates the row for (demo, canonical params, demo version); only a new
row (or a failed one asked for again) enqueues a task, after the transaction commits, with
the run's id.  The worker claims the row, runs the pure demo function and stores the result.

A run must never stay "running" for ever when its worker dies.  While a demo computes, a
thread of the worker process writes the run's heartbeat every HEARTBEAT_INTERVAL, whether
or not the demo reports progress; a killed worker (SIGKILL, out of memory, a lost host)
stops writing it.  Then:
- the sweep, from celery beat every 30 s and from every worker that starts, re-queues a
  running run whose heartbeat is older than ABANDONED_AFTER, or fails it with the reason
  after MAX_ATTEMPTS, whatever the next worker is called (`recover_abandoned_runs`);
- a worker that starts (again) re-queues or fails at once the runs its own node name left
  running: it has just started, so it cannot still be running them (`recover_orphaned_runs`);
- Celery may redeliver the killed worker's task too (acks_late + reject_on_worker_lost, on
  Redis after the visibility timeout); the claim lets one delivery through and ignores the
  others while the heartbeat is fresh;
- the sweep and every read of a running run fail runs past their hard time limit
  (`fail_stale_runs`, `expire_if_overdue`).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, close_old_connections, connection, models, transaction
from django.utils import timezone

from quizsite import dispatch, queues
from training.device import demo_device, device_label, library_versions
from training.models import DemoRun
from training.params import DemoParameterError, params_key
from training.registry import (
    DEFAULT_QUEUE,
    Demo,
    DemoTimeLimitExceeded,
    get_demo,
    json_safe,
    run_seed,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # a run whose worker dies twice is failed, not retried for ever
STALE_GRACE = timedelta(seconds=30)  # past the hard limit plus this, a running run is dead
HEARTBEAT_INTERVAL = 10.0  # seconds between the worker's heartbeat writes during a run
# A running run without a heartbeat for this long has lost its worker: six missed beats.
ABANDONED_AFTER = timedelta(seconds=60)
HEARTBEAT_FRESH = ABANDONED_AFTER  # a duplicate delivery leaves a run this fresh alone
REQUEUE_AFTER = timedelta(minutes=10)  # a queued run nobody picked up gets its task again
PROGRESS_WRITE_INTERVAL = 0.5  # seconds between progress writes
RATE_WINDOW = 60  # seconds


def rate_limit() -> int:
    return settings.DEMO_RUNS_PER_MINUTE


def active_run_cap() -> int:
    return settings.DEMO_ACTIVE_RUNS_PER_USER


class RateLimited(Exception):
    """Too many uncached runs: the API answers 429 with Retry-After."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class RunRequest:
    run: DemoRun
    computed: bool  # True when this request started a computation (not served from cache)


# --- requesting ---------------------------------------------------------------------------


def request_run(
    *,
    demo_slug: str,
    params: dict[str, Any] | None,
    user=None,
    enforce_limits: bool = True,
) -> RunRequest:
    """Find or create the run for these parameters; enqueue it only if it must be computed.

    A cached result is found without opening a transaction (SQLite's IMMEDIATE transactions
    would otherwise make every read wait for the worker's writes).  Raises LookupError
    (unknown demo), DemoParameterError (bad params), RateLimited.
    """
    demo = get_demo(demo_slug)
    cleaned = demo.validate(params)
    lookup = {"demo": demo.slug, "params_key": params_key(cleaned), "demo_version": demo.version}
    run = DemoRun.objects.filter(**lookup).defer("figure_svgs").first()
    if run is not None:
        expire_if_overdue(run)  # a run whose worker was lost counts as failed: compute again
        if run.status != DemoRun.Status.FAILED:
            if _lost_in_queue(run):
                enqueue(run, demo)  # a duplicate delivery is harmless: the claim lets one through
            return RunRequest(run=run, computed=False)
    return _start_computation(demo, cleaned, lookup, user=user, enforce_limits=enforce_limits)


@transaction.atomic
def _start_computation(
    demo: Demo, cleaned: dict, lookup: dict, *, user, enforce_limits: bool
) -> RunRequest:
    user = user if user is not None and user.is_authenticated else None
    run = DemoRun.objects.select_for_update().filter(**lookup).first()
    if run is not None and run.status != DemoRun.Status.FAILED:
        return RunRequest(run=run, computed=False)  # created meanwhile by someone else
    if enforce_limits and user is not None:
        check_limits(user)
    if run is not None:  # failed before: asking again computes it again
        _reset(run, user=user)
    else:
        try:
            with transaction.atomic():
                run = DemoRun.objects.create(
                    **lookup,
                    params=cleaned,
                    seed=run_seed(cleaned),
                    queue=demo.queue,
                    requested_by=user,
                )
        except IntegrityError:  # someone created it a moment ago: theirs is ours
            return RunRequest(run=DemoRun.objects.get(**lookup), computed=False)
    enqueue(run, demo)
    return RunRequest(run=run, computed=True)


def check_limits(user) -> None:
    """Cap a user's unfinished runs and their uncached runs per minute (cache-backed)."""
    cap = active_run_cap()
    active = DemoRun.objects.filter(
        requested_by=user, status__in=[DemoRun.Status.QUEUED, DemoRun.Status.RUNNING]
    ).count()
    if active >= cap:
        raise RateLimited(
            f"You already have {active} demo runs waiting or running (at most {cap}); "
            "wait for one to finish.",
            retry_after=5,
        )
    now = time.time()
    window = int(now // RATE_WINDOW)
    cache_key = f"training:demo-runs:{user.pk}:{window}"
    cache.add(cache_key, 0, timeout=RATE_WINDOW * 2)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=RATE_WINDOW * 2)
        count = 1
    limit = rate_limit()
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * RATE_WINDOW - now))
        raise RateLimited(
            f"You have started {limit} new demo runs this minute, the most allowed; results "
            "already computed are still available.",
            retry_after=retry_after,
        )


def enqueue(run: DemoRun, demo: Demo) -> None:
    """Send the task once the row is committed, so the worker can never miss it."""
    run.enqueued_at = timezone.now()
    DemoRun.objects.filter(pk=run.pk).update(enqueued_at=run.enqueued_at)
    run_id, queue = run.pk, demo.queue
    soft, hard = demo.soft_time_limit, demo.time_limit

    def send() -> None:
        try:  # sent by name: training.tasks imports this module
            dispatch.send(
                queues.RUN_DEMO, args=[run_id], queue=queue, soft_time_limit=soft, time_limit=hard
            )
        except Exception:
            # The broker is down: the row stays queued, and the next request for it, after
            # REQUEUE_AFTER, sends the task again.
            logger.exception("could not enqueue demo run %s", run_id)

    transaction.on_commit(send)


def _lost_in_queue(run: DemoRun) -> bool:
    if run.status != DemoRun.Status.QUEUED:
        return False
    return run.enqueued_at is None or timezone.now() - run.enqueued_at >= REQUEUE_AFTER


def _reset(run: DemoRun, *, user) -> None:
    run.status = DemoRun.Status.QUEUED
    run.progress, run.progress_label, run.error = 0.0, "", ""
    run.result, run.figures, run.figure_svgs = None, [], {}
    run.attempts, run.worker = 0, ""
    run.started_at = run.finished_at = run.heartbeat_at = None
    run.requested_by = user or run.requested_by
    run.save()


# --- executing -------------------------------------------------------------------------------


@transaction.atomic
def claim_run(*, run_id: int, worker: str) -> DemoRun | None:
    """Mark the run as running on this worker, or return None if there is nothing to do."""
    run = DemoRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.is_finished:
        return None
    now = timezone.now()
    if run.status == DemoRun.Status.RUNNING:
        if run.heartbeat_at and now - run.heartbeat_at < HEARTBEAT_FRESH:
            return None  # a duplicate delivery while another worker is on it
        if run.attempts >= MAX_ATTEMPTS:
            _mark_failed(run, _died_message(run))
            return None
    run.status = DemoRun.Status.RUNNING
    run.worker = worker[:200]
    run.attempts += 1
    run.started_at = run.heartbeat_at = now
    run.progress, run.progress_label = 0.0, "starting"
    run.save(
        update_fields=[
            "status",
            "worker",
            "attempts",
            "started_at",
            "heartbeat_at",
            "progress",
            "progress_label",
        ]
    )
    return run


class ProgressWriter:
    """The progress callback given to a demo: throttled writes that double as heartbeats."""

    def __init__(self, run_id: int, attempt: int):
        self.run_id, self.attempt = run_id, attempt
        self.last_write = 0.0

    def __call__(self, done: float, total: float, label: str = "") -> None:
        now = time.monotonic()
        if now - self.last_write < PROGRESS_WRITE_INTERVAL and done < total:
            return
        self.last_write = now
        fraction = min(1.0, max(0.0, done / total)) if total else 0.0
        DemoRun.objects.filter(
            pk=self.run_id, status=DemoRun.Status.RUNNING, attempts=self.attempt
        ).update(progress=fraction, progress_label=label[:200], heartbeat_at=timezone.now())


class Heartbeat:
    """A daemon thread that stamps the run's heartbeat until the demo returns.

    Progress writes are heartbeats too, but a demo may go a long time between them (one
    epoch on a slow CPU); this thread keeps a live run visibly alive.  It dies with its
    process, which is the point.
    """

    def __init__(self, run_id: int, attempt: int, interval: float = HEARTBEAT_INTERVAL):
        self.run_id, self.attempt, self.interval = run_id, attempt, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"demo-heartbeat-{run_id}")
        self.thread.daemon = True

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self.thread.join(timeout=self.interval + 5)

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                try:
                    DemoRun.objects.filter(
                        pk=self.run_id, status=DemoRun.Status.RUNNING, attempts=self.attempt
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # a busy database must not kill the run; try next beat
                    logger.warning("heartbeat of demo run %s not written", self.run_id)
                    close_old_connections()
        finally:
            connection.close()


def execute_run(*, run_id: int, worker: str = "") -> DemoRun | None:
    """Run a claimed demo and store its outcome.  Called by the Celery task (and benchmarks)."""
    from celery.exceptions import SoftTimeLimitExceeded

    run = claim_run(run_id=run_id, worker=worker)
    if run is None:
        return None
    try:
        demo = get_demo(run.demo)
    except LookupError:
        return _mark_failed(run, f"the demo {run.demo!r} no longer exists")
    if demo.version != run.demo_version:
        return _mark_failed(
            run,
            f"the demo changed (version {run.demo_version} → {demo.version}) before this run "
            "started; request it again",
        )
    # Light demos are tiny: a GPU would only add start-up latency.  Training uses the device.
    device = demo_device() if demo.queue != DEFAULT_QUEUE else torch.device("cpu")
    started = time.perf_counter()
    try:
        with Heartbeat(run.pk, run.attempts):
            output = demo.run(
                run.params,
                seed=run.seed,
                device=device,
                progress=ProgressWriter(run.pk, run.attempts),
                time_limit=demo.soft_time_limit,
            )
    except DemoTimeLimitExceeded as error:
        return _mark_failed(run, f"Time limit: {error}.")
    except SoftTimeLimitExceeded:
        return _mark_failed(
            run, f"Time limit: stopped after the soft time limit of {demo.soft_time_limit} s."
        )
    except DemoParameterError as error:
        return _mark_failed(run, f"Invalid parameters: {error}")
    except Exception as error:  # a demo bug must end the run, with the reason, not hang it
        logger.exception("demo run %s (%s) failed", run.pk, run.demo)
        return _mark_failed(run, f"{type(error).__name__}: {error}")
    compute_seconds = time.perf_counter() - started

    result = json_safe(output.result_json())
    if output.checkpoint is not None:
        from training.digit_model import save_checkpoint

        checkpoint = output.checkpoint
        path = save_checkpoint(
            checkpoint["model"], json_safe(checkpoint["meta"]), source=checkpoint["source"]
        )
        result["checkpoint"] = path.name
    now = timezone.now()
    run.status = DemoRun.Status.DONE
    run.result = result
    run.figures = json_safe([figure.meta() for figure in output.figures])
    run.figure_svgs = {figure.name: figure.svg for figure in output.figures}
    run.error = ""
    run.progress, run.progress_label = 1.0, "done"
    run.device = device_label(device)
    run.versions = {**library_versions(), "demo": demo.version}
    run.finished_at = run.heartbeat_at = now
    run.timings = {
        "queued_seconds": round(
            (run.started_at - (run.enqueued_at or run.created_at)).total_seconds(), 3
        ),
        "compute_seconds": round(compute_seconds, 3),
        "total_seconds": round((now - run.created_at).total_seconds(), 3),
    }
    run.save()
    return run


def _mark_failed(run: DemoRun, reason: str) -> DemoRun:
    now = timezone.now()
    run.status = DemoRun.Status.FAILED
    run.error = reason
    run.finished_at = now
    if run.started_at:
        run.timings = {
            **(run.timings or {}),
            "total_seconds": round((now - run.created_at).total_seconds(), 3),
        }
    DemoRun.objects.filter(pk=run.pk).update(
        status=run.status, error=reason, finished_at=now, timings=run.timings
    )
    logger.warning("demo run %s (%s) failed: %s", run.pk, run.demo, reason)
    return run


def _died_message(run: DemoRun) -> str:
    return (
        f"The worker running this demo ({run.worker or 'unknown'}) stopped before it finished, "
        f"{run.attempts} time(s): killed, out of memory or restarted. Not retried again; "
        "request it again to retry."
    )


# --- cleaning up ----------------------------------------------------------------------------


def hard_limit(run: DemoRun) -> timedelta:
    try:
        seconds = get_demo(run.demo).time_limit
    except LookupError:
        seconds = settings.CELERY_TASK_TIME_LIMIT
    return timedelta(seconds=seconds) + STALE_GRACE


def expire_if_overdue(run: DemoRun, *, now=None) -> bool:
    """Fail a running run that is past its hard time limit: its worker cannot still be on it."""
    if run.status != DemoRun.Status.RUNNING or run.started_at is None:
        return False
    now = now or timezone.now()
    limit = hard_limit(run)
    if now - run.started_at <= limit:
        return False
    updated = DemoRun.objects.filter(
        pk=run.pk, status=DemoRun.Status.RUNNING, started_at=run.started_at
    ).update(
        status=DemoRun.Status.FAILED,
        error=(
            f"Still marked running {int((now - run.started_at).total_seconds())} s after it "
            f"started, past its hard time limit ({int(limit.total_seconds())} s with grace): "
            "the worker was lost. Request it again to retry."
        ),
        finished_at=now,
    )
    if updated:
        run.refresh_from_db(fields=["status", "error", "finished_at"])
    return bool(updated)


def fail_stale_runs(*, now=None) -> int:
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


def recover_abandoned_runs(*, now=None) -> dict[str, int]:
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


def _retry_or_fail(candidates, *, reason: str, cutoff=None) -> dict[str, int]:
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
                _mark_failed(locked, _died_message(locked))
                outcome["failed"] += 1
                continue
            try:
                demo = get_demo(locked.demo)
            except LookupError:
                _mark_failed(locked, f"the demo {locked.demo!r} no longer exists")
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
