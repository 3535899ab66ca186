"""Smoke test of the study load benchmark: the whole pipeline on tiny inputs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.servers import ROOT


@pytest.mark.slow
def test_the_load_benchmark_runs_against_a_real_server_and_every_review_is_stored_once():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.study_load",
            "--database",
            "sqlite",
            "--students",
            "3",
            "--cards",
            "30",
            "--reviews",
            "300",
            "--seconds",
            "2",
            "--clients",
            "3",
            "--think-ms",
            "50",
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    assert figures["database"] == "sqlite"
    assert figures["reviews-in-database"] == "300 reviews"
    assert figures["study-errors"] == "0 errors"
    assert figures["trivial-errors"] == "0 errors"
    assert figures["trivial-authenticated-errors"] == "0 errors"
    assert figures["study-page-errors"] == "0 errors"
    assert int(figures["study-page-cards-rated"].split()[0]) > 0
    assert float(figures["requests-per-card"].split()[0]) >= 1.0
    assert int(figures["reviews-submitted"].split()[0]) > 0
    assert figures["reviews-stored-exactly-once"] == "1 bool"
    for name in (
        "study-p95-latency",
        "trivial-p95-latency",
        "trivial-authenticated-p95-latency",
        "ratio-p95-study-to-trivial",
        "ratio-p95-study-to-trivial-authenticated",
        "study-page-p95-latency",
        "ratio-p95-study-page-to-trivial-authenticated",
    ):
        assert float(figures[name].split()[0]) > 0
