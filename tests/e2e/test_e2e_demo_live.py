"""Live re-runs in Chromium: a student moves a slider with the keyboard, or changes a select,
and the figure of a cheap demo follows, in English and in Portuguese."""

from __future__ import annotations

import re

import pytest

from tests.e2e.site_checks import audit_both_themes, say, snap
from tests.flashcards.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def caption_is(page, text: str) -> None:
    page.wait_for_function(
        "(text) => { const c = document.querySelector('#live-result figcaption');"
        " return c !== null && c.textContent.trim() === text; }",
        arg=text,
        timeout=60_000,
    )


def figure_loaded(page) -> str:
    figure = page.locator("#live-result .demo figure img").first
    figure.wait_for()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=figure.element_handle()
    )
    return figure.get_attribute("src")


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
def test_moving_a_slider_reruns_the_demo_and_the_figure_follows(new_page, celery_worker, locale):
    page = new_page(user=StudentFactory(), locale=locale)
    page.goto("/demos/activation-functions/")
    page.get_by_text(
        say(
            locale,
            "The result follows the parameters as you change them.",
            "O resultado acompanha os parâmetros enquanto você os altera.",
            "",
        )
    ).wait_for()

    slider = page.locator("input[type='range']#param-x_max")
    slider.focus()
    slider.press("ArrowLeft")
    slider.press("ArrowLeft")  # two steps of 0.5 inside one pause: one run, 5 → 4
    caption_is(page, say(locale, "sigmoid for x from -5 to 4", "sigmoid para x de -5 a 4", ""))
    first = figure_loaded(page)
    assert re.search(r"\?run=\d+$", page.url)

    slider.press("ArrowLeft")
    caption_is(page, say(locale, "sigmoid for x from -5 to 3.5", "sigmoid para x de -5 a 3,5", ""))
    second = figure_loaded(page)
    assert second != first
    assert page.evaluate("document.activeElement.id") == "param-x_max"  # focus stays put

    page.get_by_label(say(locale, "Function", "Função", "")).select_option("tanh")
    caption_is(page, say(locale, "tanh for x from -5 to 3.5", "tanh para x de -5 a 3,5", ""))
    assert figure_loaded(page) != second

    # Back to a computed setting: its result comes straight from the cache.
    page.get_by_label(say(locale, "Function", "Função", "")).select_option("sigmoid")
    caption_is(page, say(locale, "sigmoid for x from -5 to 3.5", "sigmoid para x de -5 a 3,5", ""))
    assert figure_loaded(page) == second
    snap(page, "demo-live", locale)
    audit_both_themes(page, f"demo-live-{locale}")
