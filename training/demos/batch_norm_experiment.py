"""The batch-normalisation experiment: one MLP with and without BN, in four settings.

This module trains and judges the networks; `batch_norm_figures` draws them and
`batch_normalisation` registers the demo and words its result.

A model of the lecture's Keras run, MLP 784-256-128-64-10 trained for 10 epochs with plain
SGD, without and with batch normalisation, in the four settings of its table: batch 128 with
lr 0.01; batch 1024 with lr 1; weights drawn from Uniform(−5, 5); raw 0..255 pixels instead of
0..1.  Without BN the last three fail, and a failed network often predicts one class for
every image: the demo detects that and names the class, instead of printing an accuracy such
as 0.089 that only looks like a bad model.

Without BN the three failures are chaotic, as the lecture's single run could not show: on
full MNIST over seeds 0–4, batch 1024 with lr 1 collapses to one digit in three runs (2, 3
and 9) and trains to ≈ 0.95 in two; Uniform(−5, 5) freezes at its random start in all five
(accuracy 0.09–0.12); unscaled inputs learn in fits and starts to 0.29–0.80 without
collapsing.  The demo names what happened in the run it shows; the benchmark's
`--batchnorm-seeds` prints the odds.

What is copied from Keras, and why it matters here:

- The loss is Keras' `categorical_crossentropy` of a softmax output: cross-entropy of the
  probabilities clipped to [1e-7, 1 − 1e-7] (standalone Keras, tf.keras up to 2.3, and Keras 3
  on JAX or PyTorch; tf.keras from 2.4 on TensorFlow recovers the logits instead).  Where a
  probability is clipped the gradient is exactly zero, so a network whose softmax saturates
  freezes in a finite state: it keeps predicting one class, its loss stays at
  −log(1e-7) ≈ 16.1 for every image it gets wrong, and nothing brings it back.  On logits the
  same network runs into infinite logits and NaN, and PyTorch's argmax of a row of NaN is
  class 0 (accuracy 0.098 on MNIST's test set).  The lecture's collapses land on 5s (0.089)
  and 1s (0.113), not on 0s, as frozen networks do.  (A network whose ReLUs have all died is
  another finite collapse: it outputs its biases, which learn the class frequencies, so it
  predicts the commonest training digit, 1, for accuracy 0.1135.)
- Dense layers: Glorot-uniform kernels, zero biases; with "RandomUniform(−5, 5)" every
  kernel, the output layer's included, as `kernel_initializer` does when given to each layer.
- BatchNormalization: momentum 0.99 for the moving averages (PyTorch counts 1 − that) and
  ε = 1e-3, placed between each hidden Dense layer and its ReLU as in Ioffe and Szegedy.
  (After the ReLU gives the same accuracies within a point, measured on full MNIST.)
- `fit` shuffles every epoch, keeps the last partial batch, averages the loss over the batch,
  and reports accuracy on the validation data (MNIST's 10,000 test images) after each epoch.

The same scale invariance makes unscaled inputs a non-event with BN: multiplying the inputs
by 255 multiplies the first layer's pre-activations by 255, which its BN divides out, and the
gradient of its weights is unchanged; from the same weights and batches the two runs take the
same steps (up to BN's ε), so their accuracies agree to the third decimal.

Why Uniform(−5, 5) with BN stays far below the lecture's 0.966: BN makes each hidden layer's
output independent of the scale of its weights, so the gradient shrinks as 1/‖w‖ and the
relative step as lr/‖w‖².  Weights 28 to 66 times larger than Glorot's learn 800 to 4,000
times more slowly; at lr 0.01 for 10 epochs the hidden layers barely move and the network is
close to a classifier on random features (≈ 0.7 on full MNIST; 0.85 at lr 0.1, 0.78 with a
Glorot output layer).  A run that reached 0.966 cannot have used those weights in every
hidden layer at that learning rate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from django.utils.translation import gettext_noop
from torch import nn

from training.data import Mnist, as_float
from training.nets import batches, predict_classes, sgd_step

COLLAPSE_SHARE = 0.9  # one class gets ≥ 90% of the predictions: the network has collapsed
KERAS_EPSILON = 1e-7  # keras.backend.epsilon(): the clip of probabilities in cross-entropy
STUCK_SHARE = 0.5  # the true class is clipped to ε for most images: no gradient to recover


@dataclass(frozen=True)
class Setting:
    key: str
    label: str  # a msgid (drawn under the bars, translated when the figure is served)
    batch_size: int
    lr: float
    init: str  # "glorot" or "uniform5"
    scaled: bool
    # The lecture's table (Keras), for comparison: validation accuracy without / with BN.
    reference: tuple[float, float]


SETTINGS = {
    setting.key: setting
    for setting in (
        Setting(
            "baseline",
            gettext_noop("batch 128, lr 0.01"),
            128,
            0.01,
            "glorot",
            True,
            (0.966, 0.974),
        ),
        Setting(
            "large_batch_high_lr",
            gettext_noop("batch 1024, lr 1"),
            1024,
            1.0,
            "glorot",
            True,
            (0.089, 0.950),
        ),
        Setting(
            "uniform_init",
            gettext_noop("RandomUniform(−5, 5) init"),
            128,
            0.01,
            "uniform5",
            True,
            (0.352, 0.966),
        ),
        Setting(
            "no_scaling",
            gettext_noop("no input scaling (0..255)"),
            128,
            0.01,
            "glorot",
            False,
            (0.113, 0.977),
        ),
    )
}


def mlp(batch_norm: bool, init: str, generator: torch.Generator) -> nn.Sequential:
    layers: list[nn.Module] = []
    sizes = [784, 256, 128, 64, 10]
    for index, (inputs, outputs) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(inputs, outputs)
        with torch.no_grad():
            if init == "uniform5":
                linear.weight.uniform_(-5, 5, generator=generator)
            else:  # Keras' glorot_uniform
                limit = math.sqrt(6 / (inputs + outputs))
                linear.weight.uniform_(-limit, limit, generator=generator)
            linear.bias.zero_()
        layers.append(linear)
        if index < len(sizes) - 2:
            if batch_norm:
                # Keras defaults: moving-average momentum 0.99 (PyTorch counts 1 − that), ε 1e-3.
                layers.append(nn.BatchNorm1d(outputs, momentum=0.01, eps=1e-3))
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def keras_categorical_crossentropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of softmax(logits) as Keras computes it from probabilities.

    The renormalisation is a no-op in exact arithmetic; it is kept because Keras does it and
    it is part of what autograd differentiates.  The clip is the point: no gradient where
    the probability of the true class is below ε or above 1 − ε.
    """
    probabilities = torch.softmax(logits, dim=1)
    probabilities = probabilities / probabilities.sum(dim=1, keepdim=True)
    clipped = probabilities.clamp(KERAS_EPSILON, 1 - KERAS_EPSILON)
    return -torch.log(clipped.gather(1, labels[:, None])).mean()


@torch.inference_mode()
def stuck_share(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of images whose true class the network gives a probability of at most ε.

    Those images add nothing to the gradient of the clipped loss: when they are most of
    the data the network cannot learn its way out.
    """
    was_training = model.training
    model.eval()
    stuck = 0
    for start in range(0, len(images), 2000):
        probabilities = torch.softmax(model(images[start : start + 2000]), dim=1)
        true = probabilities.gather(1, labels[start : start + 2000, None]).squeeze(1)
        stuck += int((true <= KERAS_EPSILON).sum())
    model.train(was_training)
    return stuck / len(images)


def train_one(
    setting: Setting,
    batch_norm: bool,
    data: dict,
    *,
    epochs: int,
    generator: torch.Generator,
    device: torch.device,
    report: Callable[[str], None],
) -> dict:
    model = mlp(batch_norm, setting.init, generator).to(device)
    scale = 1.0 if setting.scaled else 255.0
    train_x, train_y = data["train_x"], data["train_y"]
    valid_x, valid_y = data["valid_x"] * scale, data["valid_y"]
    history, diverged_at = [], None
    for epoch in range(1, epochs + 1):
        total, count = 0.0, 0
        for index in batches(len(train_x), setting.batch_size, generator):
            index = index.to(device)
            loss = keras_categorical_crossentropy(model(train_x[index] * scale), train_y[index])
            loss.backward()
            sgd_step(model.parameters(), setting.lr)
            value = loss.item()
            if not math.isfinite(value) and diverged_at is None:
                diverged_at = epoch
            total += value * len(index)
            count += len(index)
        predicted = predict_classes(model, valid_x)
        accuracy = (predicted == valid_y).float().mean().item()
        history.append({"epoch": epoch, "train_loss": total / count, "valid_accuracy": accuracy})
        report(f"{setting.label}, {'with' if batch_norm else 'without'} BN: epoch {epoch}/{epochs}")
    predicted = predict_classes(model, valid_x)
    return {
        "batch_norm": batch_norm,
        "history": history,
        "accuracy": history[-1]["valid_accuracy"],
        "diverged_at_epoch": diverged_at,
        "stuck_share": stuck_share(model, valid_x, valid_y),
        **collapse(predicted, valid_y),
    }


def collapse(predicted: torch.Tensor, labels: torch.Tensor) -> dict:
    """Does the network answer (nearly) the same class for everything?  Which, and how often?"""
    counts = torch.bincount(predicted.cpu(), minlength=10)
    top = int(counts.argmax())
    share = counts[top].item() / len(predicted)
    return {
        "prediction_counts": counts.tolist(),
        "collapsed": share >= COLLAPSE_SHARE,
        "collapsed_to": top if share >= COLLAPSE_SHARE else None,
        "top_class_share": share,
        "top_class_frequency": (labels.cpu() == top).float().mean().item(),
    }


def prepare_data(
    mnist: Mnist, train_images: int, generator: torch.Generator, device: torch.device | str
) -> dict:
    """Flattened 0..1 images on the device; a random subset of the training images if asked."""
    images, labels = mnist.train_images, mnist.train_labels
    if train_images and train_images < len(labels):
        keep = torch.randperm(len(labels), generator=generator)[:train_images]
        images, labels = images[keep], labels[keep]
    return {
        "train_x": as_float(images).view(-1, 784).to(device),
        "train_y": labels.to(device),
        "valid_x": as_float(mnist.valid_images).view(-1, 784).to(device),
        "valid_y": mnist.valid_labels.to(device),
    }
