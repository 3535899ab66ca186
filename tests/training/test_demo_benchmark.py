"""The demo benchmark runs end to end on tiny inputs and prints `name: value unit` lines."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.servers import ROOT

LINE = re.compile(r"^[a-z0-9_]+: \S+( \S.*)?$")


@pytest.mark.slow
@pytest.mark.worker
def test_the_demo_benchmark_runs_on_tiny_inputs_and_prints_one_figure_per_line():
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}

    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.demos", "--smoke", "--repeats", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert all(LINE.match(line) for line in lines), lines
    figures = dict(line.split(": ", 1) for line in lines)
    for name in (
        "cached_result_latency_median",
        "uncached_activation_end_to_end_median",
        "digit_prediction_warm_28px_median",
        "digit_prediction_warm_png280_median",
        "cnn_ours_train_seconds",
        "cnn_reference_train_seconds",
        "cnn_time_ratio_reference_over_ours",
        "batchnorm_no_scaling_without_bn_collapsed_to",
        "batchnorm_no_scaling_without_bn_stuck_share",
        "batchnorm_seeds_large_batch_high_lr_without_bn_collapsed",
    ):
        assert name in figures
    assert figures["gradient_updates_60000_128_5"] == "2345 updates"
    assert figures["softmax_cat_dog_frog_car"] == "0.87/0.13/0.00/0.00 probabilities"
    assert float(figures["cached_result_latency_median"].split()[0]) > 0
    assert figures["batchnorm_seeds_no_scaling_without_bn_runs"] == "2 runs"
