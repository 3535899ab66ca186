"""Smoke test of `python -m benchmarks.ui`: its measuring functions on the test server."""

from __future__ import annotations

import pytest

from benchmarks.ui import _session_cookie, page_weight
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_weighs_less_than_the_study_pages_budget(browser, site_server):
    cookie = _session_cookie(StudentFactory(), site_server)
    weight = page_weight(browser, site_server, cookie, "/dashboard/")
    # The HTML, the stylesheet, htmx and the theme module all count; compressed they are
    # well under the 150 KB the study page may use.
    assert 5_000 < weight < 150 * 1024
