"""A demo result is computed once, in the worker, and read in each reader's language: its
summary, notes, figure titles, tables and computed figure labels are stored as msgid +
parameters (training.texts) and rendered when the page or the API serves them."""

from __future__ import annotations

import json
import math

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from tests.training.factories import DemoRunFactory
from training.models import DemoRun
from training.services.run_execution import execute_run
from training.texts import Joined, Message, number, render, render_table

pytestmark = pytest.mark.django_db

SUMMARIES = {
    "en": (
        "60,000 samples in batches of 128 make 469 batches per epoch (one gradient update "
        "each); over 5 epochs that is ⌈60,000 / 128⌉ × 5 = 2,345 updates."
    ),
    "pt-br": (
        "60.000 amostras em lotes de 128 formam 469 lotes por época (uma atualização de "
        "gradiente cada); em 5 épocas isso dá ⌈60.000 / 128⌉ × 5 = 2.345 atualizações."
    ),
    "da": (
        "60.000 eksempler i batches på 128 giver 469 batches pr. epoke (én gradientopdatering "
        "hver); over 5 epoker er det ⌈60.000 / 128⌉ × 5 = 2.345 opdateringer."
    ),
}
TITLES = {
    "en": "Gradient updates per epoch",
    "pt-br": "Atualizações de gradiente por época",
    "da": "Gradientopdateringer pr. epoke",
}
HEADINGS = {
    "en": "2,345 updates = ⌈60,000 / 128⌉ × 5",
    "pt-br": "2.345 atualizações = ⌈60.000 / 128⌉ × 5",
    "da": "2.345 opdateringer = ⌈60.000 / 128⌉ × 5",
}
COLUMNS = {
    "en": ["epoch", "updates in this epoch", "updates so far"],
    "pt-br": ["época", "atualizações nesta época", "atualizações até agora"],
    "da": ["epoke", "opdateringer i denne epoke", "opdateringer indtil nu"],
}


@pytest.fixture
def computed_once():
    run = DemoRunFactory(demo="gradient-updates", raw_params={})
    execute_run(run_id=run.pk, worker="test")
    run.refresh_from_db()
    assert run.status == DemoRun.Status.DONE
    return run


@pytest.mark.parametrize("language", ["en", "pt-br", "da"])
def test_one_computed_result_reads_in_each_readers_language_on_the_page(
    client, computed_once, language
):
    url = reverse("demo-page", args=["gradient-updates"]) + f"?run={computed_once.pk}"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<p class="demo-summary">{SUMMARIES[language]}' in page
    assert f"<figcaption>{TITLES[language]}</figcaption>" in page
    for column in COLUMNS[language]:
        assert f'<th scope="col">{column}</th>' in page


@pytest.mark.parametrize("language", ["en", "pt-br", "da"])
def test_one_computed_result_reads_in_each_readers_language_in_the_api(
    client, computed_once, language
):
    body = client.get(
        reverse("training:run-detail", args=[computed_once.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).json()
    assert body["result"]["summary"].startswith(SUMMARIES[language])
    (figure,) = body["figures"]
    assert figure["title"] == TITLES[language]
    assert figure["table"]["columns"] == COLUMNS[language]
    assert "labels" not in figure
    assert body["result"]["data"]["updates"] == 2345  # the data is for machines: unchanged


@pytest.mark.parametrize("language", ["en", "pt-br", "da"])
def test_a_computed_label_inside_the_figure_is_swapped_for_the_readers_language(
    client, computed_once, language
):
    url = reverse("training:run-figure", args=[computed_once.pk, "updates"])
    svg = client.get(f"{url}?lang={language}").content.decode()
    assert f">{HEADINGS[language]}</text>" in svg


def test_the_stored_result_holds_the_msgid_and_its_parameters_not_a_translation(
    computed_once,
):
    summary = computed_once.result["summary"]
    assert summary["join"] == " "
    first = summary["parts"][0]
    assert first["msgid"].startswith("%(samples)s samples in batches of %(batch)s")
    assert first["params"]["samples"] == {"n": 60000, "f": ","}
    assert first["text"].startswith("60,000 samples")


def test_a_result_stored_as_plain_text_before_is_still_shown_as_it_is(client):
    run = DemoRunFactory(
        status=DemoRun.Status.DONE,
        demo="gradient-updates",
        result={"summary": "An old summary, in English.", "notes": ["An old note."]},
        figures=[{"name": "updates", "title": "An old title", "alt": "An old chart."}],
    )
    body = client.get(
        reverse("training:run-detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="da"
    ).json()
    assert body["result"]["summary"] == "An old summary, in English."
    assert body["result"]["notes"] == ["An old note."]
    assert body["figures"][0]["title"] == "An old title"
    page = client.get(
        reverse("demo-page", args=["gradient-updates"]) + f"?run={run.pk}",
        HTTP_ACCEPT_LANGUAGE="da",
    ).content.decode()
    assert "An old summary, in English." in page
    assert "An old note." in page


def test_a_message_is_its_english_text_and_stores_itself_as_json():
    message = Message(gettext_noop("accuracy %(accuracy)s"), accuracy=number(0.5412, ".3f"))
    assert message == "accuracy 0.541"
    stored = json.loads(json.dumps(message.json(), allow_nan=False))
    with translation.override("pt-br"):
        assert render(stored) == "acurácia 0,541"
    with translation.override("da"):
        assert render(stored) == "nøjagtighed 0,541"
    with translation.override("en"):
        assert render(stored) == "accuracy 0.541"


def test_nested_messages_plain_names_and_joins_render_in_the_readers_language():
    text = Joined(
        [
            Message(gettext_noop("axis %(number)s"), number="-1"),
            Message(gettext_noop("%(label)s %(probability)s"), label="cat", probability=0.25),
        ],
        "; ",
    )
    assert text == "axis -1; cat 0.25"
    with translation.override("da"):
        assert render(text.json()) == "akse -1; cat 0,25"


def test_an_infinite_number_is_stored_as_text_and_shown_as_such():
    message = Message(gettext_noop("accuracy %(accuracy)s"), accuracy=number(math.inf, ".3f"))
    stored = json.loads(json.dumps(message.json(), allow_nan=False))
    with translation.override("pt-br"):
        assert render(stored) == "acurácia inf"


def test_a_message_missing_from_the_catalogue_or_with_bad_params_falls_back_to_english():
    with translation.override("da"):
        assert render({"msgid": "%(n)s things", "params": {"n": {"n": 3, "f": ""}}}) == "3 things"
        assert render({"msgid": "%(gone)s", "params": {}, "text": "kept"}) == "kept"


def test_a_table_renders_its_headers_and_words_and_leaves_numbers_alone():
    table = {"columns": ["setting", {"msgid": "column %(number)s", "params": {"number": "2"}}]}
    table["rows"] = [["batch 128, lr 0.01", 0.5]]
    with translation.override("pt-br"):
        assert render_table(table) == {
            "columns": ["configuração", "coluna 2"],
            "rows": [["lote 128, taxa 0,01", 0.5]],
        }
