"""Live re-runs on a demo page: a cheap demo re-runs as its parameters change (htmx posts the
form after a pause), a computed result comes back at once, and past the per-user run limit
the result area shows a quiet note instead of an error page; per role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.flashcards.factories import InstructorFactory, StudentFactory
from tests.training.factories import DemoRunFactory
from training.models import DemoRun
from training.registry import all_demos, get_demo
from training.services.run_execution import execute_run

pytestmark = pytest.mark.django_db

LIVE = reverse("demo-live-run", args=["activation-functions"])


def computed(params: dict) -> DemoRun:
    run = DemoRunFactory(demo="activation-functions", raw_params=params)
    execute_run(run_id=run.pk, worker="test")
    run.refresh_from_db()
    return run


def test_only_cheap_demos_are_live_and_no_training_demo_is():
    live = {demo.slug for demo in all_demos() if demo.live}
    assert {"activation-functions", "sgd-steps", "computation-graph", "tensor-grid"} <= live
    assert not {"batch-normalisation", "train-3-vs-7", "digit-cnn-training"} & live
    assert get_demo("activation-functions").describe()["live"] is True


@pytest.mark.parametrize("user_factory", [StudentFactory, InstructorFactory])
def test_a_computed_result_comes_back_at_once_as_the_result_panel(client, user_factory):
    run = computed({"function": "relu", "x_min": -2, "x_max": 2})
    client.force_login(user_factory())

    response = client.post(LIVE, {"function": "relu", "x_min": "-2", "x_max": "2"})

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<div id="run-{run.pk}" class="run-panel" data-status="done"')
    assert "ReLU for x from -2 to 2" in body
    assert response["HX-Replace-Url"] == (
        f"{reverse('demo-page', args=['activation-functions'])}?run={run.pk}"
    )


def test_a_new_result_is_queued_and_its_panel_polls_for_it(client):
    client.force_login(StudentFactory())
    response = client.post(LIVE, {"function": "tanh", "x_min": "-3", "x_max": "3"})
    assert response.status_code == 200
    run = DemoRun.objects.get()
    assert run.params["function"] == "tanh"
    assert f'hx-get="{reverse("demo-run-panel", args=[run.pk])}"' in response.content.decode()


def test_past_the_run_limit_a_live_rerun_says_so_quietly(client, settings):
    settings.DEMO_RUNS_PER_MINUTE = 1
    client.force_login(StudentFactory())
    assert client.post(LIVE, {"x_max": "4"}).status_code == 200

    throttled = client.post(LIVE, {"x_max": "3"})

    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) >= 1
    body = throttled.content.decode()
    assert body.startswith('<div class="live-note" data-live-state="throttled" role="status">')
    assert "Live updates are paused for" in body
    assert "<html" not in body
    assert DemoRun.objects.count() == 1


def test_past_the_run_limit_a_computed_result_still_comes_back(client, settings):
    settings.DEMO_RUNS_PER_MINUTE = 1
    run = computed({"x_max": "2"})
    client.force_login(StudentFactory())
    client.post(LIVE, {"x_max": "4"})
    again = client.post(LIVE, {"x_max": "2"})
    assert again.status_code == 200
    assert f'id="run-{run.pk}"' in again.content.decode()


def test_a_throttled_note_speaks_the_readers_language(client, settings):
    settings.DEMO_RUNS_PER_MINUTE = 1
    client.force_login(StudentFactory(language="pt-br"))
    client.post(LIVE, {"x_max": "4"})
    body = client.post(LIVE, {"x_max": "3"}).content.decode()
    assert "As atualizações ao vivo estão pausadas por" in body


def test_parameters_that_cannot_run_are_listed_in_place_of_the_result(client):
    client.force_login(StudentFactory())
    response = client.post(LIVE, {"x_min": "3", "x_max": "1"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-live-state="invalid"' in body
    assert "Largest input x: must be greater than x_min (3)" in body
    assert not DemoRun.objects.exists()


def test_anonymous_visitors_cannot_run_live(client):
    assert client.post(LIVE, {"x_max": "4"}).status_code == 403
    assert not DemoRun.objects.exists()


def test_a_training_demo_or_an_unknown_one_has_no_live_reruns(client):
    client.force_login(StudentFactory())
    for slug in ("batch-normalisation", "train-3-vs-7", "no-such-demo"):
        assert client.post(reverse("demo-live-run", args=[slug])).status_code == 404
    assert not DemoRun.objects.exists()


def test_live_reruns_are_posted_only(client):
    client.force_login(StudentFactory())
    assert client.get(LIVE).status_code == 405


def test_the_form_of_a_live_demo_reruns_as_it_changes_for_signed_in_people_only(client):
    page = reverse("demo-page", args=["activation-functions"])
    assert "data-live" not in client.get(page).content.decode()

    client.force_login(StudentFactory())
    form = client.get(page).content.decode()
    assert f'data-live hx-post="{LIVE}"' in form
    assert 'hx-trigger="input delay:400ms, change delay:400ms"' in form
    assert 'hx-sync="this:replace"' in form
    assert '<div id="live-result" aria-live="polite">' in form
    assert (
        "data-live"
        not in client.get(reverse("demo-page", args=["batch-normalisation"])).content.decode()
    )
