"""Demo runs: one row per computation, enqueued once after commit, never left running."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.core.cache import cache
from django.utils import timezone

from tests.flashcards.factories import StudentFactory
from tests.training.factories import DemoRunFactory
from training import registry
from training.models import DemoRun
from training.params import DemoParameterError
from training.registry import Demo, DemoOutput, get_demo
from training.selectors.runs import run_for_display
from training.services.run_cleanup import fail_stale_runs, recover_orphaned_runs
from training.services.run_execution import MAX_ATTEMPTS, execute_run
from training.services.runs import RateLimited, request_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published():
    """Messages really published to the session's broker: (task name, routing key, headers)."""
    sent = []

    def record(sender=None, body=None, routing_key=None, headers=None, **kwargs):
        sent.append({"task": sender, "routing_key": routing_key, "headers": headers, "body": body})

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


@pytest.fixture
def swap_demo(monkeypatch):
    """Replace a registered demo for one test (a new version, a failing function...)."""

    def swap(slug: str, **changes) -> Demo:
        demo = dataclasses.replace(registry._REGISTRY[slug], **changes)
        monkeypatch.setitem(registry._REGISTRY, slug, demo)
        return demo

    return swap


# --- one row per computation ---------------------------------------------------------------


def test_the_same_request_returns_the_same_run_and_enqueues_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as first_callbacks:
        first = request_run(demo_slug="softmax-cross-entropy", params={"target": 1})
    with django_capture_on_commit_callbacks() as second_callbacks:
        second = request_run(demo_slug="softmax-cross-entropy", params={"target": 1})

    assert first.run.pk == second.run.pk
    assert (first.computed, second.computed) == (True, False)
    assert len(first_callbacks) == 1
    assert second_callbacks == []
    assert DemoRun.objects.count() == 1


def test_equivalent_parameters_share_a_run_defaults_spelled_out_or_not():
    implicit = request_run(demo_slug="sgd-steps", params={"lr": "0.1", "problem": "parabola"})
    explicit = request_run(
        demo_slug="sgd-steps",
        params={
            "problem": "parabola",
            "lr": 0.1000000000000001,
            "steps": 10,
            "momentum": 0,
            "start": -1.5,
            "seed": 0,
        },
    )

    assert implicit.run.pk == explicit.run.pk
    assert implicit.run.params == {  # the parabola draws no random numbers: no seed
        "lr": 0.1,
        "momentum": 0.0,
        "problem": "parabola",
        "start": -1.5,
        "steps": 10,
    }


def test_requests_that_differ_only_in_a_parameter_the_variant_ignores_share_a_run():
    speed = [
        request_run(demo_slug="sgd-steps", params={"problem": "speed", "start": start})
        for start in (-1.5, 3.0, 50)
    ]
    parabola = [
        request_run(demo_slug="sgd-steps", params={"problem": "parabola", "start": start})
        for start in (-1.5, 3.0)
    ]

    assert len({request.run.pk for request in speed}) == 1
    assert [request.computed for request in speed] == [True, False, False]
    assert "start" not in speed[0].run.params
    assert len({request.run.pk for request in parabola}) == 2
    assert DemoRun.objects.count() == 3


def test_different_parameters_get_different_runs():
    a = request_run(demo_slug="softmax-cross-entropy", params={"target": 1})
    b = request_run(demo_slug="softmax-cross-entropy", params={"target": 2})

    assert a.run.pk != b.run.pk


def test_a_new_demo_version_gets_a_new_run(swap_demo):
    old = request_run(demo_slug="tensor-grid", params={})
    swap_demo("tensor-grid", version=get_demo("tensor-grid").version + 1)

    new = request_run(demo_slug="tensor-grid", params={})

    assert new.run.pk != old.run.pk
    assert new.run.demo_version == old.run.demo_version + 1


def test_bad_parameters_and_unknown_demos_create_nothing():
    with pytest.raises(DemoParameterError):
        request_run(demo_slug="sgd-steps", params={"lr": 99})
    with pytest.raises(LookupError):
        request_run(demo_slug="no-such-demo", params={})

    assert DemoRun.objects.count() == 0


def test_light_demos_go_to_the_default_queue_and_training_to_gpu_with_their_time_limits(
    django_capture_on_commit_callbacks, published
):
    with django_capture_on_commit_callbacks(execute=True):
        light = request_run(demo_slug="gradient-updates", params={"epochs": 7}).run
        heavy = request_run(demo_slug="train-3-vs-7", params={"epochs": 3}).run

    by_run = {message["body"][0][0]: message for message in published}
    assert by_run[light.pk]["task"] == "training.run_demo"
    assert by_run[light.pk]["routing_key"] == "default"
    assert by_run[heavy.pk]["routing_key"] == "gpu"
    demo = get_demo("train-3-vs-7")
    assert by_run[heavy.pk]["headers"]["timelimit"] == [demo.time_limit, demo.soft_time_limit]
    # The worker would find the rows: they were committed before the messages left.


# --- executing ----------------------------------------------------------------------------


def test_executing_a_run_stores_result_figures_device_seed_versions_and_timings():
    run = request_run(demo_slug="softmax-cross-entropy", params={}).run

    execute_run(run_id=run.pk, worker="test@host")

    run.refresh_from_db()
    assert run.status == DemoRun.Status.DONE
    assert [round(p, 2) for p in run.result["data"]["probabilities"]] == [0.87, 0.13, 0.0, 0.0]
    assert run.figures[0]["name"] == "probabilities"
    assert run.figures[0]["alt"]
    assert run.figure_svgs["probabilities"].lstrip().startswith("<?xml")
    assert run.device == "cpu"
    assert run.seed == 0
    assert run.versions["torch"]
    assert run.versions["demo"] == get_demo("softmax-cross-entropy").version
    assert run.timings["compute_seconds"] >= 0
    assert run.progress == 1.0
    assert (run.worker, run.attempts) == ("test@host", 1)


def test_a_finished_run_is_not_computed_again_when_its_task_is_delivered_twice():
    run = request_run(demo_slug="tensor-grid", params={}).run
    execute_run(run_id=run.pk, worker="w1")
    finished_at = DemoRun.objects.get(pk=run.pk).finished_at

    assert execute_run(run_id=run.pk, worker="w2") is None

    run.refresh_from_db()
    assert (run.worker, run.attempts, run.finished_at) == ("w1", 1, finished_at)


def test_a_demo_that_raises_fails_its_run_with_the_reason(swap_demo):
    def broken(params, **kwargs):
        raise ZeroDivisionError("division by zero in step 3")

    swap_demo("tensor-grid", function=broken)
    run = request_run(demo_slug="tensor-grid", params={}).run

    execute_run(run_id=run.pk, worker="w")

    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED
    assert run.error == "ZeroDivisionError: division by zero in step 3"
    assert run.finished_at is not None


def test_a_demo_past_its_soft_limit_stops_at_its_next_progress_report(swap_demo):
    def slow(params, *, progress, **kwargs):
        for epoch in range(50):
            time.sleep(0.05)  # an epoch's work
            progress(epoch, 50, f"epoch {epoch}")
        return DemoOutput(data={})

    swap_demo("tensor-grid", function=slow, soft_time_limit=0.3, time_limit=1)
    run = request_run(demo_slug="tensor-grid", params={}).run

    execute_run(run_id=run.pk, worker="w")

    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED
    assert run.error.startswith("Time limit: stopped after the time limit of 0.3 s (at epoch")


def test_progress_is_written_while_a_demo_runs(swap_demo):
    seen = []

    def watched(params, *, progress, **kwargs):
        progress(3, 10, "epoch 3/10")
        row = DemoRun.objects.get(demo="tensor-grid")
        seen.append((row.status, row.progress, row.progress_label))
        return DemoOutput(data={}, summary="ok")

    swap_demo("tensor-grid", function=watched)
    run = request_run(demo_slug="tensor-grid", params={}).run

    execute_run(run_id=run.pk, worker="w")

    assert seen == [("running", 0.3, "epoch 3/10")]


def test_a_run_requested_before_a_version_change_fails_with_a_clear_reason(swap_demo):
    run = request_run(demo_slug="tensor-grid", params={}).run
    swap_demo("tensor-grid", version=run.demo_version + 1)

    execute_run(run_id=run.pk, worker="w")

    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED
    assert "request it again" in run.error


def test_a_failed_run_requested_again_is_computed_again(django_capture_on_commit_callbacks):
    run = DemoRunFactory(status=DemoRun.Status.FAILED, error="boom", attempts=2)

    with django_capture_on_commit_callbacks() as callbacks:
        again = request_run(demo_slug=run.demo, params=run.params)

    assert again.run.pk == run.pk
    assert again.computed is True
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert (run.status, run.error, run.attempts) == ("queued", "", 0)


# --- never left running ------------------------------------------------------------------


def test_a_redelivered_task_retries_a_run_whose_worker_died(django_capture_on_commit_callbacks):
    run = DemoRunFactory(
        demo="tensor-grid",
        status=DemoRun.Status.RUNNING,
        attempts=1,
        worker="dead@host",
        started_at=timezone.now() - timedelta(minutes=5),
        heartbeat_at=timezone.now() - timedelta(minutes=5),
    )

    execute_run(run_id=run.pk, worker="alive@host")

    run.refresh_from_db()
    assert (run.status, run.attempts, run.worker) == ("done", 2, "alive@host")


def test_a_run_whose_worker_died_on_every_attempt_is_failed_with_the_reason():
    run = DemoRunFactory(
        demo="tensor-grid",
        status=DemoRun.Status.RUNNING,
        attempts=MAX_ATTEMPTS,
        worker="dead@host",
        started_at=timezone.now() - timedelta(minutes=5),
        heartbeat_at=timezone.now() - timedelta(minutes=5),
    )

    execute_run(run_id=run.pk, worker="alive@host")

    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED
    assert "dead@host" in run.error
    assert "stopped before it finished" in run.error


def test_a_duplicate_delivery_leaves_a_run_with_a_fresh_heartbeat_alone():
    run = DemoRunFactory(
        demo="tensor-grid",
        status=DemoRun.Status.RUNNING,
        attempts=1,
        worker="busy@host",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )

    assert execute_run(run_id=run.pk, worker="other@host") is None

    run.refresh_from_db()
    assert (run.status, run.worker) == ("running", "busy@host")


def test_a_restarted_worker_requeues_the_runs_it_left_running(
    django_capture_on_commit_callbacks, published
):
    interrupted = DemoRunFactory(
        demo="train-3-vs-7", status=DemoRun.Status.RUNNING, attempts=1, worker="me@host"
    )
    exhausted = DemoRunFactory(
        demo="tensor-grid", status=DemoRun.Status.RUNNING, attempts=2, worker="me@host"
    )
    someone_elses = DemoRunFactory(
        demo="gradient-updates", status=DemoRun.Status.RUNNING, attempts=1, worker="you@host"
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = recover_orphaned_runs(worker="me@host")

    assert outcome == {"requeued": 1, "failed": 1}
    states = dict(DemoRun.objects.values_list("pk", "status"))
    assert states[interrupted.pk] == "queued"
    assert states[exhausted.pk] == "failed"
    assert states[someone_elses.pk] == "running"
    assert [m["body"][0] for m in published] == [[interrupted.pk]]
    assert published[0]["routing_key"] == "gpu"


def test_the_sweep_fails_runs_past_their_hard_limit_and_spares_the_others(time_machine):
    demo = get_demo("train-3-vs-7")
    time_machine.move_to(timezone.now())
    overdue = DemoRunFactory(
        demo=demo.slug,
        status=DemoRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=demo.time_limit + 31),
    )
    recent = DemoRunFactory(
        demo=demo.slug,
        raw_params={"epochs": 2},
        status=DemoRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=demo.time_limit - 10),
    )

    assert fail_stale_runs() == 1

    overdue.refresh_from_db()
    recent.refresh_from_db()
    assert overdue.status == DemoRun.Status.FAILED
    assert "past its hard time limit" in overdue.error
    assert "the worker was lost" in overdue.error
    assert recent.status == DemoRun.Status.RUNNING


def test_reading_a_run_past_its_hard_limit_fails_it_on_the_spot():
    demo = get_demo("tensor-grid")
    run = DemoRunFactory(
        demo=demo.slug,
        status=DemoRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=demo.time_limit + 60),
    )

    shown = run_for_display(run.pk)

    assert shown.status == DemoRun.Status.FAILED
    assert DemoRun.objects.get(pk=run.pk).status == DemoRun.Status.FAILED


def test_a_queued_run_whose_message_was_lost_is_sent_again_when_requested(
    django_capture_on_commit_callbacks,
):
    run = DemoRunFactory(demo="tensor-grid", enqueued_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks() as callbacks:
        again = request_run(demo_slug="tensor-grid", params={})

    assert again.run.pk == run.pk
    assert again.computed is False
    assert len(callbacks) == 1


# --- limits -------------------------------------------------------------------------------


def test_a_user_may_start_ten_new_runs_a_minute_and_the_eleventh_says_when_to_retry(
    settings, time_machine
):
    settings.DEMO_ACTIVE_RUNS_PER_USER = 100
    time_machine.move_to("2026-03-01 10:00:15Z", tick=False)
    student = StudentFactory()
    for target in range(10):
        request_run(demo_slug="gradient-updates", params={"epochs": target + 1}, user=student)

    with pytest.raises(RateLimited) as raised:
        request_run(demo_slug="gradient-updates", params={"epochs": 99}, user=student)

    assert raised.value.retry_after == 45
    assert "10 new demo runs this minute" in str(raised.value)
    # Cached results are still served, and the next minute allows new runs again.
    cached = request_run(demo_slug="gradient-updates", params={"epochs": 1}, user=student)
    assert cached.computed is False
    time_machine.move_to("2026-03-01 10:01:01Z", tick=False)
    assert request_run(demo_slug="gradient-updates", params={"epochs": 99}, user=student).computed


def test_the_rate_limit_is_per_user(settings):
    settings.DEMO_ACTIVE_RUNS_PER_USER = 100
    settings.DEMO_RUNS_PER_MINUTE = 2
    busy, other = StudentFactory(), StudentFactory()
    for epochs in (1, 2):
        request_run(demo_slug="gradient-updates", params={"epochs": epochs}, user=busy)

    with pytest.raises(RateLimited):
        request_run(demo_slug="gradient-updates", params={"epochs": 3}, user=busy)
    assert request_run(demo_slug="gradient-updates", params={"epochs": 3}, user=other).computed


def test_a_user_with_three_unfinished_runs_must_wait_for_one(settings):
    student = StudentFactory()
    for epochs in (1, 2, 3):
        request_run(demo_slug="gradient-updates", params={"epochs": epochs}, user=student)

    with pytest.raises(RateLimited) as raised:
        request_run(demo_slug="gradient-updates", params={"epochs": 4}, user=student)

    assert "3 demo runs waiting or running" in str(raised.value)
    DemoRun.objects.filter(params__epochs=1).update(status=DemoRun.Status.DONE)
    assert request_run(demo_slug="gradient-updates", params={"epochs": 4}, user=student).computed
