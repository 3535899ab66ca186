"""A real task travels through a real broker to a real worker process and back."""

from __future__ import annotations

import pytest
from celery import Celery

from tests import servers
from tests.conftest import subprocess_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db]


def client_app(broker_url: str, result_backend: str, transport_options: dict) -> Celery:
    """A Celery client configured as quizsite's settings configure it for that broker."""
    # Not the current app: shared tasks enqueued by later tests must keep using quizsite's app.
    app = Celery("quizsite-test-client", set_as_current=False)
    app.conf.update(
        broker_url=broker_url,
        result_backend=result_backend,
        broker_transport_options=transport_options,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
    )
    return app


def round_trip(app: Celery, env: dict, tmp_path) -> dict:
    worker = servers.CeleryWorker(
        env=env, queues="default", log_path=tmp_path / "worker.log"
    ).start()
    try:
        worker.wait_ready(app)
        result = app.send_task("quizsite.ping", args=["hello"], queue="default")
        return result.get(timeout=30)
    finally:
        worker.stop()


def test_a_task_sent_through_redis_is_run_by_a_worker_and_its_result_returned(
    redis_server, tmp_path
):
    app = client_app(redis_server.url, redis_server.url, {})
    env = subprocess_env(tmp_path, REDIS_URL=redis_server.url)

    reply = round_trip(app, env, tmp_path)

    assert reply["payload"] == "hello"
    assert reply["worker"].startswith("test-")


def test_a_task_sent_through_the_embedded_broker_needs_no_server(tmp_path):
    broker_dir = tmp_path / "broker"
    for sub in ("queue", "control", "results"):
        (broker_dir / sub).mkdir(parents=True)
    app = client_app(
        "filesystem://",
        f"file://{broker_dir / 'results'}",
        {
            "data_folder_in": str(broker_dir / "queue"),
            "data_folder_out": str(broker_dir / "queue"),
            "control_folder": str(broker_dir / "control"),
            "store_processed": False,
        },
    )
    env = subprocess_env(tmp_path, REDIS_URL="", CELERY_BROKER_DIR=str(broker_dir))

    reply = round_trip(app, env, tmp_path)

    assert reply["payload"] == "hello"
