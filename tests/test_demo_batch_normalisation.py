"""The batch-norm experiment, in small versions: the network, collapse detection, BN's rescue.

The four full settings on full MNIST take minutes: `python -m benchmarks.demos --batchnorm`
runs them and prints the table next to the lecture's.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tests.demo_checks import assert_well_formed
from training.demos.batch_normalisation import collapse, mlp
from training.registry import get_demo

DEMO = get_demo("batch-normalisation")


def test_the_network_is_784_256_128_64_10_with_a_batch_norm_before_each_hidden_relu():
    plain = mlp(False, "glorot", torch.Generator().manual_seed(0))
    normalised = mlp(True, "glorot", torch.Generator().manual_seed(0))

    linears = [m for m in plain if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (784, 256),
        (256, 128),
        (128, 64),
        (64, 10),
    ]
    assert [type(m).__name__ for m in normalised][:3] == ["Linear", "BatchNorm1d", "ReLU"]
    assert sum(isinstance(m, nn.BatchNorm1d) for m in normalised) == 3
    # Keras' Glorot-uniform limit for the first layer: √(6 / (784 + 256)).
    assert linears[0].weight.abs().max() <= (6 / 1040) ** 0.5


def test_uniform_minus_five_to_five_initialisation_means_what_it_says():
    network = mlp(False, "uniform5", torch.Generator().manual_seed(0))

    weights = network[0].weight
    assert -5 <= weights.min() < -4.9
    assert 4.9 < weights.max() <= 5


def test_a_network_that_answers_one_class_for_everything_is_named_as_collapsed():
    labels = torch.tensor([5] * 9 + [1] * 91)
    predicted = torch.tensor([1] * 95 + [3] * 5)

    outcome = collapse(predicted, labels)

    assert outcome["collapsed"] is True
    assert outcome["collapsed_to"] == 1
    assert outcome["top_class_share"] == pytest.approx(0.95)
    assert outcome["top_class_frequency"] == pytest.approx(0.91)


def test_a_network_with_varied_answers_is_not_collapsed():
    outcome = collapse(torch.arange(100) % 10, torch.arange(100) % 10)

    assert outcome["collapsed"] is False
    assert outcome["collapsed_to"] is None


def test_unscaled_inputs_collapse_the_plain_network_while_batch_norm_trains(settings):
    settings.MNIST_DIR = None

    output = DEMO.run({"setting": "no_scaling", "epochs": 2})

    result = output.data["settings"]["no_scaling"]
    without, with_bn = result["without_bn"], result["with_bn"]
    assert without["collapsed"] is True
    assert f"collapsed, it predicts {without['collapsed_to']}" in output.summary
    assert with_bn["collapsed"] is False
    assert with_bn["accuracy"] > without["accuracy"] + 0.3
    assert result["reference"] == {"without_bn": 0.113, "with_bn": 0.977}
    assert output.notes
    assert "subset" in output.notes[0]
    assert_well_formed(output)
