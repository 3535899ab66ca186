"""The batch-norm experiment, in small versions: the network, collapse detection, BN's rescue.

The four full settings on full MNIST take minutes: `python -m benchmarks.demos --batchnorm`
runs them and prints the table next to the lecture's.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.demo_checks import assert_well_formed
from training.data import load_mnist
from training.demos.batch_norm_experiment import (
    KERAS_EPSILON,
    collapse,
    keras_categorical_crossentropy,
    mlp,
    stuck_share,
)
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


def test_the_keras_loss_is_ordinary_cross_entropy_while_no_probability_is_clipped():
    logits = torch.tensor([[5.1, 3.2, -1.7, -2.0], [0.3, -0.2, 1.5, 0.0]], requires_grad=True)
    labels = torch.tensor([0, 3])

    loss = keras_categorical_crossentropy(logits, labels)
    loss.backward()

    assert loss.item() == pytest.approx(F.cross_entropy(logits, labels).item(), rel=1e-6)
    # ∂(mean cross-entropy)/∂logits = (softmax − one-hot) / batch size, derived by hand.
    expected = (torch.softmax(logits, 1) - F.one_hot(labels, 4)) / 2
    assert torch.allclose(logits.grad, expected.detach(), atol=1e-6)


def test_a_saturated_softmax_gives_the_clipped_loss_and_no_gradient_at_all():
    # Image 1: the true class has probability e^-40 < ε; image 2: probability 1 > 1 − ε.
    logits = torch.tensor([[40.0, 0.0, 0.0], [0.0, 40.0, 0.0]], requires_grad=True)
    labels = torch.tensor([1, 1])

    loss = keras_categorical_crossentropy(logits, labels)
    loss.backward()

    wrong, right = -math.log(KERAS_EPSILON), -math.log1p(-KERAS_EPSILON)
    assert loss.item() == pytest.approx((wrong + right) / 2, rel=1e-5)
    assert torch.count_nonzero(logits.grad) == 0  # Keras' clip: a frozen network stays frozen
    # On logits the same images would still be pushed hard towards the true class.
    assert F.cross_entropy(logits, labels).item() == pytest.approx(20, rel=1e-3)


def test_batch_norm_makes_a_layer_blind_to_its_weight_scale_and_its_gradient_shrink_with_it():
    """Why Uniform(−5, 5) weights learn slowly even with BN: the scale only shrinks the steps."""
    torch.manual_seed(0)
    images, labels = torch.rand(64, 784), torch.randint(0, 10, (64,))
    network = mlp(True, "glorot", torch.Generator().manual_seed(0))
    scaled = mlp(True, "glorot", torch.Generator().manual_seed(0))
    with torch.no_grad():
        scaled[0].weight *= 50

    outputs, losses = [], []
    for model in (network, scaled):
        loss = keras_categorical_crossentropy(model(images), labels)
        loss.backward()
        outputs.append(model(images).detach())
        losses.append(loss.item())

    # Equal up to BN's ε = 1e-3, which the scaled layer's larger variance makes negligible.
    assert torch.allclose(outputs[0], outputs[1], atol=1e-2)
    assert losses[0] == pytest.approx(losses[1], rel=1e-4)
    ratio = network[0].weight.grad.norm() / scaled[0].weight.grad.norm()
    assert ratio.item() == pytest.approx(50, rel=0.01)


def test_the_stuck_share_counts_images_whose_true_class_is_clipped_away():
    network = nn.Linear(784, 10)
    with torch.no_grad():
        network.weight.zero_()
        network.bias.copy_(torch.tensor([0.0, 40.0, 0, 0, 0, 0, 0, 0, 0, 0]))
    labels = torch.tensor([1, 1, 1, 3, 7])

    assert stuck_share(network, torch.rand(5, 784), labels) == pytest.approx(2 / 5)


def test_with_and_without_bn_start_from_the_same_weights_and_a_row_does_not_need_the_others(
    settings,
):
    settings.MNIST_DIR = None
    plain = mlp(False, "uniform5", torch.Generator().manual_seed(3))
    normalised = mlp(True, "uniform5", torch.Generator().manual_seed(3))
    for a, b in zip(
        [m for m in plain if isinstance(m, nn.Linear)],
        [m for m in normalised if isinstance(m, nn.Linear)],
        strict=True,
    ):
        assert torch.equal(a.weight, b.weight)

    params = {"epochs": 1, "train_images": 1000, "seed": 3}
    everything = DEMO.run({**params, "setting": "all"}).data["settings"]["no_scaling"]
    alone = DEMO.run({**params, "setting": "no_scaling"}).data["settings"]["no_scaling"]

    for variant in ("without_bn", "with_bn"):
        assert alone[variant]["history"] == everything[variant]["history"]


def test_with_bn_unscaled_inputs_train_exactly_like_scaled_ones(settings):
    """BN right after the first layer absorbs the ×255: same weights, same batches, same steps."""
    settings.MNIST_DIR = None
    params = {"epochs": 1, "train_images": 1000, "seed": 5}

    scaled = DEMO.run({**params, "setting": "baseline"}).data["settings"]["baseline"]
    raw = DEMO.run({**params, "setting": "no_scaling"}).data["settings"]["no_scaling"]

    assert raw["with_bn"]["accuracy"] == pytest.approx(scaled["with_bn"]["accuracy"], abs=0.005)
    loss = scaled["with_bn"]["history"][0]["train_loss"]
    assert raw["with_bn"]["history"][0]["train_loss"] == pytest.approx(loss, rel=1e-3)
    # Without BN the ×255 reaches the softmax: a loss several times larger from the start.
    plain = scaled["without_bn"]["history"][0]["train_loss"]
    assert raw["without_bn"]["history"][0]["train_loss"] > 3 * plain


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


def test_unscaled_inputs_freeze_the_plain_network_while_batch_norm_trains(settings):
    settings.MNIST_DIR = None

    output = DEMO.run({"setting": "no_scaling", "epochs": 2})

    result = output.data["settings"]["no_scaling"]
    without, with_bn = result["without_bn"], result["with_bn"]
    # Frozen by the clipped loss, not wrecked by NaN: its loss is finite, its logits too, and
    # for most images the true digit's probability is clipped away, so nothing moves it back.
    assert without["diverged_at_epoch"] is None
    assert all(math.isfinite(row["train_loss"]) for row in without["history"])
    assert without["stuck_share"] >= 0.5
    assert "stuck: for" in output.summary
    assert with_bn["stuck_share"] == 0
    assert with_bn["accuracy"] > without["accuracy"] + 0.3
    assert result["reference"] == {"without_bn": 0.113, "with_bn": 0.977}
    assert output.notes
    assert "subset" in output.notes[0]
    assert_well_formed(output)


def test_a_collapsed_network_is_named_with_the_share_of_its_digit(settings):
    settings.MNIST_DIR = None
    labels = load_mnist().valid_labels

    # Which digit a frozen network lands on depends on the seed; with this one it collapses.
    output = DEMO.run({"setting": "no_scaling", "epochs": 2, "seed": 1})

    without = output.data["settings"]["no_scaling"]["without_bn"]
    digit = without["collapsed_to"]
    assert without["collapsed"] is True
    assert without["prediction_counts"][digit] >= 0.9 * len(labels)
    share = (labels == digit).float().mean().item()
    assert without["top_class_frequency"] == pytest.approx(share)
    assert without["accuracy"] == pytest.approx(share, abs=0.01)
    assert f"collapsed, it predicts {digit} for" in output.summary
    assert f"share of {digit}s in the validation set ({share:.3f})" in output.summary
