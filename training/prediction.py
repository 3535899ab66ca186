"""Synchronous digit prediction for the API, with the model kept warm in this process."""

from __future__ import annotations

import torch

from training.demos.digit_recognition import probabilities
from training.device import demo_device
from training.digit_model import warm_model
from training.preprocess import to_mnist


def predict_digit(pixels) -> dict:
    """pixels: a 2-D grid (list, array or tensor), any size 28..1024, 0..255 or 0..1."""
    image = to_mnist(pixels)
    device = demo_device()
    model, meta = warm_model(device)
    with torch.inference_mode():
        probs = probabilities(model, image, device)
    predicted = max(range(10), key=lambda digit: probs[digit])
    return {
        "digit": predicted,
        "probability": probs[predicted],
        "probabilities": probs,
        "image": [[round(value, 3) for value in row] for row in image.tolist()],
        "model": {key: meta[key] for key in ("name", "version", "data_source", "test_accuracy")},
    }
