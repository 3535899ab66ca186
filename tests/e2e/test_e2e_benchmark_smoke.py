"""Smoke test of `python -m benchmarks.ui`: its measuring functions on the test server."""

from __future__ import annotations

import pytest

from benchmarks.ui import _session_cookie, page_weight
from tests.flashcards.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_weighs_less_than_the_study_pages_budget(browser, site_server):
    cookie = _session_cookie(StudentFactory(), site_server)
    weight = page_weight(browser, site_server, cookie, "/dashboard/")
    # The HTML, the stylesheet, htmx and the theme module all count; compressed they are
    # well under the 150 KB the study page may use.
    assert 5_000 < weight < 150 * 1024


def test_the_study_loop_is_timed_from_key_press_to_next_card(browser, site_server):
    from benchmarks.ui import rating_latency
    from tests.frontend.factories import class_world

    world = class_world(cards=4)
    cookie = _session_cookie(world["student"], site_server)
    path = f"/study/sets/{world['set'].pk}/"
    assert page_weight(browser, site_server, cookie, path) < 150 * 1024
    timings = rating_latency(browser, site_server, cookie, path, ratings=3)
    assert len(timings) == 3
    assert all(0 <= ms < 2_000 for ms in timings)
