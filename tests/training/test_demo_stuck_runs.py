"""A demo run whose worker is gone is re-queued or failed, whatever its replacement is called.

The unit tests hold the rule (heartbeat older than ABANDONED_AFTER); the fault test kills a
real worker during a training run and starts one with another node name.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.utils import timezone

from tests import servers
from tests.training.factories import DemoRunFactory
from training.models import DemoRun
from training.services.run_cleanup import recover_abandoned_runs
from training.services.run_execution import MAX_ATTEMPTS, Heartbeat
from training.services.runs import request_run


@pytest.fixture
def published():
    sent = []

    def record(sender=None, body=None, routing_key=None, **kwargs):
        sent.append({"task": sender, "routing_key": routing_key, "body": body})

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def silent_for(seconds: float) -> dict:
    beat = timezone.now() - timedelta(seconds=seconds)
    return {"status": DemoRun.Status.RUNNING, "started_at": beat, "heartbeat_at": beat}


@pytest.mark.django_db
def test_a_run_whose_heartbeat_stopped_is_queued_again_under_any_worker_name(
    django_capture_on_commit_callbacks, published
):
    abandoned = DemoRunFactory(
        demo="train-3-vs-7", attempts=1, worker="gone@old-host", **silent_for(61)
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = recover_abandoned_runs()

    abandoned.refresh_from_db()
    assert outcome == {"requeued": 1, "failed": 0}
    assert abandoned.status == DemoRun.Status.QUEUED
    assert "no heartbeat from its worker" in abandoned.progress_label
    assert [(m["task"], m["routing_key"], m["body"][0]) for m in published] == [
        ("training.run_demo", "gpu", [abandoned.pk])
    ]


@pytest.mark.django_db
def test_a_run_abandoned_a_second_time_is_failed_with_the_reason(
    django_capture_on_commit_callbacks, published
):
    exhausted = DemoRunFactory(
        demo="tensor-grid", attempts=MAX_ATTEMPTS, worker="gone@old-host", **silent_for(300)
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = recover_abandoned_runs()

    exhausted.refresh_from_db()
    assert outcome == {"requeued": 0, "failed": 1}
    assert exhausted.status == DemoRun.Status.FAILED
    assert "gone@old-host" in exhausted.error
    assert "stopped before it finished" in exhausted.error
    assert published == []


@pytest.mark.django_db
def test_a_run_with_a_fresh_heartbeat_and_a_run_never_started_are_left_alone(
    django_capture_on_commit_callbacks,
):
    alive = DemoRunFactory(demo="train-3-vs-7", attempts=1, worker="busy@host", **silent_for(20))
    queued = DemoRunFactory(demo="tensor-grid")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = recover_abandoned_runs()

    assert outcome == {"requeued": 0, "failed": 0}
    assert DemoRun.objects.get(pk=alive.pk).status == DemoRun.Status.RUNNING
    assert DemoRun.objects.get(pk=queued.pk).status == DemoRun.Status.QUEUED


@pytest.mark.django_db
def test_the_beat_sweep_recovers_abandoned_runs(django_capture_on_commit_callbacks):
    from training.tasks import sweep_stale_runs

    abandoned = DemoRunFactory(demo="train-3-vs-7", attempts=1, **silent_for(120))

    with django_capture_on_commit_callbacks(execute=False):
        assert sweep_stale_runs() == 1

    assert DemoRun.objects.get(pk=abandoned.pk).status == DemoRun.Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_stamps_a_running_run_until_it_stops():
    run = DemoRunFactory(demo="train-3-vs-7", attempts=1, **silent_for(500))
    before = run.heartbeat_at

    def stamped() -> bool:
        return DemoRun.objects.get(pk=run.pk).heartbeat_at > before

    with Heartbeat(run.pk, attempt=1, interval=0.05) as heartbeat:
        servers.wait_until(stamped, timeout=10, what="a heartbeat")
    assert not heartbeat.thread.is_alive()


# --- the fault test, with real worker processes ---------------------------------------------


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_is_killed_ends_under_a_worker_of_another_name(celery_worker, tmp_path):
    from quizsite.celery import app

    requested = request_run(
        demo_slug="batch-normalisation",
        params={"setting": "baseline", "epochs": 3, "train_images": 2000, "seed": 23},
    )
    run_id = requested.run.pk

    def training_has_started() -> bool:
        row = DemoRun.objects.filter(pk=run_id).values("status", "progress").first()
        return row["status"] == DemoRun.Status.RUNNING and row["progress"] > 0

    servers.wait_until(training_has_started, timeout=120, what="the training run to start")
    killed_name = DemoRun.objects.get(pk=run_id).worker
    celery_worker.kill()

    replacement_name = f"replacement-{uuid.uuid4().hex[:8]}"
    replacement = servers.CeleryWorker(
        env=celery_worker.env,
        queues="default,gpu",
        log_path=tmp_path / "replacement.log",
        # Named unlike the killed worker, and running beat as the default worker of
        # scripts/run does: its sweep is what notices the silent run.
        extra_args=[
            "-n",
            f"{replacement_name}@%h",
            "--beat",
            "--schedule",
            str(tmp_path / "celerybeat-schedule"),
        ],
    ).start()

    def finished() -> bool:
        status = DemoRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        return status in {DemoRun.Status.DONE, DemoRun.Status.FAILED}

    try:
        servers.wait_until(finished, timeout=300, what=f"demo run {run_id} to end")
    except TimeoutError:
        raise AssertionError(f"the run did not end; log:\n{replacement.log()}") from None
    finally:
        replacement.stop()
        celery_worker.log_file.close()
        celery_worker.start()
        celery_worker.wait_ready(app)  # left ready for the session's other tests

    run = DemoRun.objects.get(pk=run_id)
    assert not killed_name.startswith(replacement_name)
    if run.status == DemoRun.Status.FAILED:
        assert run.error
    else:
        assert run.worker.startswith(replacement_name)
        assert run.attempts == 2
        assert run.result["data"]["settings"]["baseline"]["with_bn"]["history"]
