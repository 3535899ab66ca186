"""A demo figure is drawn once, in English, and read in the reader's language: its axis labels
and legends are catalogue messages swapped in when the figure is served with ?lang=."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.training.factories import DemoRunFactory
from training.figures import translate_svg_text
from training.selectors.results import run_result
from training.services.run_execution import execute_run

pytestmark = pytest.mark.django_db


def test_only_whole_catalogue_messages_are_swapped():
    svg = "<svg><text x='1'>epoch</text><text>0.25</text><text>epoch 3</text></svg>"
    with translation.override("da"):
        translated = translate_svg_text(svg, translation.gettext)
    assert translated == "<svg><text x='1'>epoke</text><text>0.25</text><text>epoch 3</text></svg>"


@pytest.mark.parametrize(
    ("language", "label", "legend"),
    [
        ("en", "f(x) and f′(x)", "derivative"),
        ("pt-br", "f(x) e f′(x)", "derivada"),
        ("da", "f(x) og f′(x)", "afledt"),
    ],
)
def test_the_page_asks_for_the_figure_in_its_language(client, language, label, legend):
    run = DemoRunFactory(demo="activation-functions", raw_params={"function": "sigmoid"})
    execute_run(run_id=run.pk, worker="test")
    run.refresh_from_db()
    with translation.override(language):
        (figure,) = run_result(run)["figures"]
    assert figure["url"].endswith(f"?lang={language}")
    svg = client.get(figure["url"]).content.decode()
    assert f">{label}</text>" in svg
    assert f">{legend}</text>" in svg


def test_an_unknown_language_gets_the_figure_as_drawn(client):
    run = DemoRunFactory(demo="activation-functions", raw_params={"function": "sigmoid"})
    execute_run(run_id=run.pk, worker="test")
    url = reverse("training:run-figure", args=[run.pk, "curve"]) + "?lang=xx"
    assert ">derivative</text>" in client.get(url).content.decode()
