"""Smoke test of benchmarks.imports on small inputs (the full run is not part of the suite)."""

from __future__ import annotations

import re
from io import StringIO

import pytest

from benchmarks.imports import junk, run

pytestmark = pytest.mark.django_db


def test_the_junk_is_printable_text_of_the_asked_size():
    data = junk(5000)
    assert len(data) == 5000
    assert data.decode("ascii").isprintable() is False  # it has tabs and newlines
    assert not set(data) - set(range(9, 11)) - set(range(32, 127))


def test_the_benchmark_prints_each_figure_as_name_value_unit():
    out = StringIO()
    figures = run(2**20, 50, 3, out=out)
    lines = [line for line in out.getvalue().splitlines() if not line.startswith("#")]
    assert all(re.fullmatch(r"[a-z0-9-]+: \d+\.\d+ (s|ms)", line) for line in lines), lines
    assert set(figures) == {
        "import-junk-1mb-seconds",
        "import-session-create-seconds",
        "import-session-reread-ms",
    }
