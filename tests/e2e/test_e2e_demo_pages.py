"""A demo page a student can read: wide figures, human labels, sliders that show their value."""

from __future__ import annotations

import pytest

from tests.e2e.site_checks import LANGUAGES, audit_both_themes, say, snap
from tests.flashcards.factories import StudentFactory
from tests.training.factories import DemoRunFactory
from training.services.run_execution import execute_run

pytestmark = pytest.mark.django_db(transaction=True)


def _computed_run(slug: str, params: dict):
    run = DemoRunFactory(demo=slug, raw_params=params)
    execute_run(run_id=run.pk, worker="test")
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_demo_figure_uses_the_width_it_is_given_and_the_form_speaks_plainly(new_page, locale):
    run = _computed_run("activation-functions", {"function": "sigmoid", "x_min": -6, "x_max": 6})
    page = new_page(user=StudentFactory(), locale=locale)
    page.goto(f"/demos/activation-functions/?run={run.pk}")

    figure = page.locator(".demo figure img").first
    figure.wait_for()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=figure.element_handle()
    )
    assert figure.bounding_box()["width"] >= 600
    assert page.locator(".demo-summary").text_content().strip().endswith(".")
    page.set_viewport_size({"width": 390, "height": 844})
    width = figure.bounding_box()["width"]
    assert 300 <= width <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    snap(page, "demo", locale)

    function = page.get_by_label(say(locale, "Function", "Função", "Funktion"), exact=True)
    options = function.locator("option").all_text_contents()
    assert say(locale, "Sigmoid", "Sigmoide", "Sigmoid") in options
    assert "relu" not in options
    assert "leaky_relu" not in options
    slider = page.locator("input[type='range']#param-x_min")
    shown = page.locator("#param-x_min-value")
    assert shown.text_content().strip().replace("−", "-") == "-6"
    slider.fill("-2.5")
    page.wait_for_function(
        "(text) => document.getElementById('param-x_min-value')"
        ".textContent.replace('−', '-') === text",
        arg=say(locale, "-2.5", "-2,5", "-2,5"),
    )
    # Moving the slider re-runs this live demo (test_e2e_demo_live.py follows the figure).
    audit_both_themes(page, f"demo-{locale}")


RAW = ("large_batch_high_lr", "no_scaling", "2.14748e+09", "e+09")


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
def test_no_raw_names_or_machine_numbers_on_a_demo_form(new_page, locale):
    page = new_page(user=StudentFactory(), locale=locale)
    for slug in ("sgd-steps", "batch-normalisation", "train-3-vs-7"):
        page.goto(f"/demos/{slug}/")
        form = page.locator("form.panel")
        labels = form.locator("label").all_inner_texts()
        assert "Lr" not in labels
        assert "Batch size" not in labels or locale == "en-US"
        text = form.inner_text()
        for raw in RAW:
            assert raw not in text, (slug, raw)
    page.goto("/demos/batch-normalisation/")
    setting = page.locator("#param-setting option").all_text_contents()
    huge = say(
        locale,
        "Huge batch (1,024) and learning rate 1",
        "Lote enorme (1.024) e taxa de aprendizado 1",
        "",
    )
    assert huge in setting
