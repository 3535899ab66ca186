"""The networks the demos train, and small training helpers they share."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class DigitCNN(nn.Module):
    """The site's digit recogniser: three 3×3 conv blocks with batch norm, then one linear layer.

    About 1.9 M multiply-adds per image, a sixth of pytorch/examples' reference network, so
    that it reaches 99% test accuracy on MNIST in two epochs on a two-core CPU; batch norm is
    what lets it train that fast at a high learning rate.
    """

    def __init__(self, channels: tuple[int, int, int] = (16, 32, 64)):
        super().__init__()
        blocks, inputs = [], 1
        for outputs in channels:
            blocks += [
                nn.Conv2d(inputs, outputs, 3, padding=1, bias=False),
                nn.BatchNorm2d(outputs),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
            inputs = outputs
        self.features = nn.Sequential(*blocks)  # 28 → 14 → 7 → 3
        self.classifier = nn.Linear(channels[-1] * 3 * 3, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


class ReferenceCNN(nn.Module):
    """pytorch/examples' mnist `Net`, unchanged: Conv32-Conv64-MaxPool-FC128 with dropout."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return self.fc2(x)


def sgd_step(parameters, lr: float) -> None:
    """Plain SGD, p ← p − lr·grad, written out (the chapter's BasicOptim) and cheap to import."""
    with torch.no_grad():
        for parameter in parameters:
            if parameter.grad is not None:
                parameter -= lr * parameter.grad
                parameter.grad = None


def batches(count: int, batch_size: int, generator: torch.Generator, *, shuffle: bool = True):
    """Index tensors of one epoch's batches, shuffled with the run's generator."""
    order = torch.randperm(count, generator=generator) if shuffle else torch.arange(count)
    for start in range(0, count, batch_size):
        yield order[start : start + batch_size]


def batch_count(count: int, batch_size: int) -> int:
    return math.ceil(count / batch_size)


@torch.inference_mode()
def predict_classes(model: nn.Module, images: torch.Tensor, batch_size: int = 2000):
    """Predicted class of every image, in eval mode, in batches that fit any device."""
    was_training = model.training
    model.eval()
    outputs = [
        model(images[i : i + batch_size]).argmax(1) for i in range(0, len(images), batch_size)
    ]
    model.train(was_training)
    return torch.cat(outputs)
