"""Requesting demo runs: every write to a DemoRun goes through here or through the worker's
side (`training.services.run_execution`) and the recovery (`training.services.run_cleanup`).

A request finds or creates the row for (demo, canonical params, demo version); only a new
row (or a failed one asked for again) enqueues a task, after the transaction commits, with
the run's id.  The worker claims the row, runs the pure demo function and stores the result.
Every read of a running run fails it once it is past its hard time limit
(`expire_if_overdue`): its worker cannot still be on it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from flashcards.models import User
from quizsite import dispatch, queues
from training.models import DemoRun
from training.params import params_key
from training.registry import Demo, get_demo, run_seed

logger = logging.getLogger(__name__)

STALE_GRACE = timedelta(seconds=30)  # past the hard limit plus this, a running run is dead
REQUEUE_AFTER = timedelta(minutes=10)  # a queued run nobody picked up gets its task again
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
    user: User | AnonymousUser | None = None,
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
    demo: Demo,
    cleaned: dict,
    lookup: dict,
    *,
    user: User | AnonymousUser | None,
    enforce_limits: bool,
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


def check_limits(user: User) -> None:
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


def _reset(run: DemoRun, *, user: User | None) -> None:
    run.status = DemoRun.Status.QUEUED
    run.progress, run.progress_label, run.error = 0.0, "", ""
    run.result, run.figures, run.figure_svgs = None, [], {}
    run.attempts, run.worker = 0, ""
    run.started_at = run.finished_at = run.heartbeat_at = None
    run.requested_by = user or run.requested_by
    run.save()


# --- a run past its time limit ---------------------------------------------------------


def hard_limit(run: DemoRun) -> timedelta:
    try:
        seconds = get_demo(run.demo).time_limit
    except LookupError:
        seconds = settings.CELERY_TASK_TIME_LIMIT
    return timedelta(seconds=seconds) + STALE_GRACE


def expire_if_overdue(run: DemoRun, *, now: datetime | None = None) -> bool:
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
