"""Executing a demo run: the worker side, which `training.tasks.run_demo` calls.

The worker claims the row, runs the pure demo function and stores the result.  While a demo
computes, a thread of the worker process writes the run's heartbeat every
HEARTBEAT_INTERVAL, whether or not the demo reports progress; a killed worker (SIGKILL, out
of memory, a lost host) stops writing it, and `training.services.run_cleanup` notices.
Celery may redeliver the killed worker's task too (acks_late + reject_on_worker_lost, on
Redis after the visibility timeout); the claim lets one delivery through and ignores the
others while the heartbeat is fresh.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import torch
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from training.device import demo_device, device_label, library_versions
from training.models import DemoRun
from training.params import DemoParameterError
from training.registry import DEFAULT_QUEUE, DemoTimeLimitExceeded, get_demo, json_safe

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # a run whose worker dies twice is failed, not retried for ever
HEARTBEAT_INTERVAL = 10.0  # seconds between the worker's heartbeat writes during a run
# A running run without a heartbeat for this long has lost its worker: six missed beats.
ABANDONED_AFTER = timedelta(seconds=60)
HEARTBEAT_FRESH = ABANDONED_AFTER  # a duplicate delivery leaves a run this fresh alone
PROGRESS_WRITE_INTERVAL = 0.5  # seconds between progress writes


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
            mark_failed(run, died_message(run))
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

    def __exit__(self, *exc_info: object) -> None:
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
        return mark_failed(run, f"the demo {run.demo!r} no longer exists")
    if demo.version != run.demo_version:
        return mark_failed(
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
        return mark_failed(run, f"Time limit: {error}.")
    except SoftTimeLimitExceeded:
        return mark_failed(
            run, f"Time limit: stopped after the soft time limit of {demo.soft_time_limit} s."
        )
    except DemoParameterError as error:
        return mark_failed(run, f"Invalid parameters: {error}")
    except Exception as error:  # a demo bug must end the run, with the reason, not hang it
        logger.exception("demo run %s (%s) failed", run.pk, run.demo)
        return mark_failed(run, f"{type(error).__name__}: {error}")
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
    assert run.started_at is not None  # claim_run set it
    run.timings = {
        "queued_seconds": round(
            (run.started_at - (run.enqueued_at or run.created_at)).total_seconds(), 3
        ),
        "compute_seconds": round(compute_seconds, 3),
        "total_seconds": round((now - run.created_at).total_seconds(), 3),
    }
    run.save()
    return run


def mark_failed(run: DemoRun, reason: str) -> DemoRun:
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


def died_message(run: DemoRun) -> str:
    return (
        f"The worker running this demo ({run.worker or 'unknown'}) stopped before it finished, "
        f"{run.attempts} time(s): killed, out of memory or restarted. Not retried again; "
        "request it again to retry."
    )
