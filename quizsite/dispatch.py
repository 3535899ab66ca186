"""Sending a Celery task by name: the one way a service asks a worker for work.

A service that imported its app's `tasks` module to call `task.apply_async` would close a
circle (the task imports the service it adapts).  Sending by name needs only the Celery app;
the queue comes from `CELERY_TASK_ROUTES` in settings unless the caller names one (a demo
run goes to its demo's queue).
"""

from __future__ import annotations

from typing import Any

from celery.result import AsyncResult

from quizsite.celery import app


def send(task_name: str, *, args: list[Any], **options: Any) -> AsyncResult:
    """Publish `task_name(*args)` now; `options` are `apply_async`'s (queue, eta, limits)."""
    return app.send_task(task_name, args=args, **options)
