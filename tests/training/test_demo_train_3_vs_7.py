"""Training 3 vs 7 from scratch: the chapter's loss, its accuracies on full MNIST."""

from __future__ import annotations

import pytest
import torch

from tests.demo_checks import assert_well_formed
from training.demos.train_3_vs_7 import mnist_loss
from training.registry import get_demo

DEMO = get_demo("train-3-vs-7")


def test_mnist_loss_is_one_minus_the_sigmoid_for_threes_and_the_sigmoid_for_sevens():
    predictions = torch.tensor([[0.0], [2.0], [-1.0]])
    targets = torch.tensor([[1.0], [0.0], [1.0]])

    loss = mnist_loss(predictions, targets)

    s = torch.sigmoid(predictions).flatten().tolist()
    assert loss.item() == pytest.approx(((1 - s[0]) + s[1] + (1 - s[2])) / 3)


def test_a_linear_model_on_the_subset_learns_and_notes_the_subset(settings):
    settings.MNIST_DIR = None

    output = DEMO.run({"epochs": 20})

    history = output.data["history"]
    assert [row["epoch"] for row in history] == list(range(1, 21))
    assert history[0]["valid_accuracy"] < 0.7 < 0.85 < history[-1]["valid_accuracy"]
    assert output.data["train_images"] == 800
    assert output.data["gradient_updates"] == 4 * 20  # ⌈800 / 256⌉ per epoch
    assert output.notes
    assert "subset" in output.notes[0]
    assert {figure.name for figure in output.figures} == {"training", "weights"}
    assert_well_formed(output)


def test_the_same_seed_trains_the_same_model(settings):
    settings.MNIST_DIR = None

    first = DEMO.run({"epochs": 2, "model": "mlp", "lr": 0.1, "seed": 5})
    second = DEMO.run({"epochs": 2, "model": "mlp", "lr": 0.1, "seed": 5})

    assert first.data["history"] == second.data["history"]


@pytest.mark.mnist
@pytest.mark.slow
def test_on_full_mnist_the_linear_model_reaches_about_097(settings, mnist_dir):
    settings.MNIST_DIR = str(mnist_dir)

    output = DEMO.run({"model": "linear", "lr": 1.0, "batch_size": 256, "epochs": 20})

    assert output.data["train_images"] == 6131 + 6265
    assert output.data["final_accuracy"] == pytest.approx(0.97, abs=0.01)
    assert output.notes == []


@pytest.mark.mnist
@pytest.mark.slow
def test_on_full_mnist_linear_relu_linear_reaches_about_098(settings, mnist_dir):
    settings.MNIST_DIR = str(mnist_dir)

    output = DEMO.run({"model": "mlp", "hidden": 30, "lr": 0.1, "epochs": 40})

    assert output.data["final_accuracy"] == pytest.approx(0.983, abs=0.005)
    assert output.figures[0].rows[-1][0] == 40
