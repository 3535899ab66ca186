"""The statistics page's forecast chart has its bars in every language.

Numbers written into SVG attributes must never be localised: `y="120,0"` in Portuguese or
Danish is no number, and the browser drew no bars at all.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.site_checks import LANGUAGES, audit_both_themes, snap
from tests.flashcards.factories import StudentFactory, cards_of, put_state, studyable_set

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_forecast_chart_has_bars_in_every_language(new_page, locale):
    student = StudentFactory()
    question_set = studyable_set(student, questions=6, title="Activations")
    now = timezone.now()
    for days, card in enumerate(cards_of(question_set)[:6], start=1):
        put_state(student, card, state=2, due=now + timedelta(days=days, hours=1))
    console = []

    page = new_page(user=student, locale=locale)
    page.on("console", lambda message: console.append(message.text))
    page.goto("/study/statistics/")
    bars = page.locator("svg.forecast-chart rect.bar")
    assert bars.count() == 30
    heights = [float(bar.get_attribute("height")) for bar in bars.all()]
    assert sum(1 for height in heights if height > 0) == 6
    tallest = max(bars.all(), key=lambda bar: float(bar.get_attribute("height")))
    assert tallest.bounding_box()["height"] > 10  # drawn, not just written
    assert not [text for text in console if "attribute" in text], console
    assert page.locator("nav a[aria-current='page']").get_attribute("href") == "/study/"
    snap(page, "statistics", locale)
    audit_both_themes(page, f"statistics-{locale}")
