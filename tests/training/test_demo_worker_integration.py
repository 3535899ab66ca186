"""Demos through a real broker and a real worker process, including a worker killed mid-run."""

from __future__ import annotations

import pytest
from celery.signals import before_task_publish
from django.core.cache import cache
from django.urls import reverse

from tests import servers
from tests.flashcards.factories import (
    InstructorFactory,
    QuestionFactory,
    StudentFactory,
    assigned_set,
    join_class,
)
from training.models import DemoRun
from training.services.runs import request_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def published():
    sent = []

    def record(sender=None, body=None, routing_key=None, **kwargs):
        sent.append((sender, routing_key, body[0]))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def wait_for_run(run_id: int, *, timeout: float, worker=None, until=DemoRun.Status.DONE) -> DemoRun:
    def reached() -> bool:
        status = DemoRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        if status == DemoRun.Status.FAILED and until != DemoRun.Status.FAILED:
            return True
        return status == until

    try:
        servers.wait_until(reached, timeout=timeout, what=f"demo run {run_id}")
    except TimeoutError:
        log = worker.log() if worker else ""
        raise AssertionError(f"run {run_id} did not finish; worker log:\n{log}") from None
    return DemoRun.objects.get(pk=run_id)


def test_an_attached_demo_is_computed_by_the_worker_and_served_by_the_api(
    celery_worker, api_client, published
):
    owner = InstructorFactory()
    question_set, classroom = assigned_set(owner=owner)
    student = StudentFactory()
    join_class(student, classroom)
    question = QuestionFactory(question_set=question_set)

    api_client.force_authenticate(owner)
    created = api_client.post(
        reverse("training:question-demos", args=[question.pk]),
        {"demo": "activation-functions", "params": {"function": "relu", "x_min": -2, "x_max": 2}},
        format="json",
    ).json()
    run_id = created["run"]["id"]
    assert published == [("training.run_demo", "default", [run_id])]

    run = wait_for_run(run_id, timeout=120, worker=celery_worker)

    assert run.status == DemoRun.Status.DONE, run.error
    assert run.worker.startswith("test-")
    assert run.device == "cpu"
    api_client.force_authenticate(student)
    listed = api_client.get(reverse("training:question-demos", args=[question.pk])).json()
    shown = listed["results"][0]["run"]
    assert shown["status"] == "done"
    assert shown["result"]["data"]["functions"]["relu"]["y"][-1] == 2.0
    svg = api_client.get(shown["figures"][0]["url"])
    assert svg.status_code == 200

    # The same request again: the same run, no new task, nothing computed again.
    published.clear()
    again = api_client.post(
        reverse("training:demo-runs", args=["activation-functions"]),
        {"params": {"function": "relu", "x_min": -2.0, "x_max": 2}},
        format="json",
    )
    assert again.status_code == 200
    assert again.json()["id"] == run_id
    assert again.json()["cached"] is True
    assert published == []
    assert DemoRun.objects.get(pk=run_id).attempts == 1


def test_a_student_rerun_on_the_gpu_queue_is_run_by_a_worker_of_both_queues(
    celery_worker, api_client
):
    student = StudentFactory()
    api_client.force_authenticate(student)

    response = api_client.post(
        reverse("training:demo-runs", args=["train-3-vs-7"]),
        {"params": {"epochs": 2}},
        format="json",
    )
    run = wait_for_run(response.json()["id"], timeout=180, worker=celery_worker)

    assert run.status == DemoRun.Status.DONE, run.error
    assert run.queue == "gpu"
    assert len(run.result["data"]["history"]) == 2
    # The subset note appears exactly when the worker has no full MNIST.
    assert bool(run.result["notes"]) is (run.result["data"]["data"]["source"] != "mnist")
    assert run.requested_by == student


def test_a_worker_killed_during_training_leaves_no_run_running(celery_worker):
    requested = request_run(
        demo_slug="batch-normalisation",
        # A few thousand images: seconds of training, with or without MNIST_DIR in CI.
        params={"setting": "baseline", "epochs": 5, "train_images": 4000, "seed": 11},
    )
    run_id = requested.run.pk

    def training_has_started() -> bool:
        row = DemoRun.objects.filter(pk=run_id).values("status", "progress").first()
        return row["status"] == DemoRun.Status.RUNNING and row["progress"] > 0

    servers.wait_until(training_has_started, timeout=120, what="the training run to start")
    celery_worker.kill()
    assert DemoRun.objects.get(pk=run_id).status == DemoRun.Status.RUNNING  # as the crash left it

    celery_worker.log_file.close()
    celery_worker.start()
    # No ping here: a solo-pool worker answers none while it runs the retried training.
    run = wait_for_run(run_id, timeout=300, worker=celery_worker)
    from quizsite.celery import app

    celery_worker.wait_ready(app)  # left ready for the session's other tests

    assert run.status in {DemoRun.Status.DONE, DemoRun.Status.FAILED}
    if run.status == DemoRun.Status.FAILED:
        assert run.error
    else:
        assert run.attempts == 2  # the interrupted attempt, then the retry that finished
        assert run.result["data"]["settings"]["baseline"]["with_bn"]["history"]
