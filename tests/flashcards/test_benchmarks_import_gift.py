"""Smoke test of benchmarks.import_gift on a small file (the full run is not part of the suite)."""

from __future__ import annotations

import re
from io import StringIO

import pytest

from benchmarks.import_gift import generate_gift, run
from flashcards.formats import gift

pytestmark = pytest.mark.django_db


def test_the_generated_file_is_clean_gift_with_every_kind():
    parsed = gift.parse(generate_gift(70))
    assert parsed.errors == []
    assert set(parsed.counts_by_kind()) == {
        "multiple_choice",
        "true_false",
        "numerical",
        "short_answer",
        "matching",
        "free_text",
    }


def test_the_benchmark_prints_each_figure_as_name_value_unit():
    out = StringIO()
    figures = run(35, save=True, out=out)
    lines = out.getvalue().strip().splitlines()
    assert all(re.fullmatch(r"[a-z_]+: \d+(\.\d+)? [A-Za-z]+", line) for line in lines), lines
    assert figures["questions"] == 35
    assert {
        "parse_seconds",
        "parse_peak_memory",
        "save_seconds",
        "import_cpu_seconds",
        "peak_rss",
    } <= set(figures)
