"""A demo's parameter errors and its run's progress labels read in the reader's language:
errors are translated when the request is answered; a progress label the worker stores is
its English msgid, translated when the run is read."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.flashcards.factories import StudentFactory
from tests.training.factories import DemoRunFactory
from training.models import DemoRun
from training.params import DemoParameterError
from training.registry import get_demo
from training.services.run_execution import execute_run

pytestmark = pytest.mark.django_db


def test_a_cross_field_parameter_error_answers_in_portuguese(api_client):
    api_client.force_authenticate(StudentFactory())

    response = api_client.post(
        reverse("training:demo-runs", args=["pixel-similarity"]),
        {"params": {"digit_a": 3, "digit_b": 3}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )

    assert response.status_code == 400
    assert response.json()["params"] == {"digit_b": ["deve ser diferente de digit_a"]}
    assert DemoRun.objects.count() == 0


def test_a_parameter_error_with_a_number_keeps_it_in_the_danish_text():
    with translation.override("da"), pytest.raises(DemoParameterError) as raised:
        get_demo("softmax-cross-entropy").schema.validate(
            {"logits": [1, 2], "labels": ["a", "b"], "target": 5}
        )

    assert raised.value.errors == {"target": ["skal være indekset for en logit (0 til 1)"]}


def test_the_progress_label_a_worker_stored_reads_in_each_readers_language(api_client):
    run = DemoRunFactory(demo="gradient-updates", raw_params={})
    execute_run(run_id=run.pk, worker="test")
    run.refresh_from_db()
    assert (run.status, run.progress_label) == (DemoRun.Status.DONE, "done")
    url = reverse("training:run-detail", args=[run.pk])

    labels = {
        language: api_client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()["progress_label"]
        for language in ("en", "pt-br", "da")
    }

    assert labels == {"en": "done", "pt-br": "concluído", "da": "færdig"}
