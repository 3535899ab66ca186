"""`/healthz`: is the database reachable, is the broker reachable, does a worker answer.

docker-compose and the run script poll it.  It reports reachability and latency only: no
URLs, hostnames of backing services, credentials or exception texts that could carry them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from quizsite.celery import app as celery_app


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        details = check()
        ok = details.pop("ok", True)
    except Exception as exc:  # a health check reports failures, it must not raise them
        details, ok = {"error": type(exc).__name__}, False
    details.update(ok=ok, latency_ms=round((time.perf_counter() - started) * 1000, 1))
    return details


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _broker() -> dict:
    with celery_app.connection_for_write() as conn:
        # One quick retry at most: a health check must answer fast when the broker is down.
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        return {"transport": conn.transport_cls if isinstance(conn.transport_cls, str) else "ok"}


def _static() -> dict:
    """Are the static files collected?  Without the manifest pages still render (unversioned
    URLs, quizsite.storage), but the deployment missed a step: reported, never hidden."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    problem = getattr(staticfiles_storage, "manifest_problem", None)
    if problem is None:
        return {"manifest": "not used"}
    missing = problem() is not None
    return {"ok": not missing, "manifest": "missing" if missing else "ok"}


def _workers() -> dict:
    replies = celery_app.control.ping(timeout=1.0) or []
    names = sorted(name for reply in replies for name in reply)
    return {"ok": bool(names), "count": len(names)}


@never_cache
@require_GET
def live(request):
    """Liveness: the process serves requests.  No backing service is touched."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": _timed(_database),
        "broker": _timed(_broker),
        "static": _timed(_static),
    }
    if checks["broker"]["ok"]:
        checks["workers"] = _timed(_workers)
    else:  # asking workers through an unreachable broker would only add retries
        checks["workers"] = {"ok": False, "count": 0, "latency_ms": 0.0}
    healthy = checks["database"]["ok"] and checks["broker"]["ok"]
    complete = checks["workers"]["ok"] and checks["static"]["ok"]
    body = {"status": "ok" if healthy and complete else "degraded", **checks}
    if not healthy:
        body["status"] = "error"
    return JsonResponse(body, status=200 if healthy else 503)
