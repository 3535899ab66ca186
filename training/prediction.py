"""Synchronous digit prediction for the API, with the model kept warm in this process.

A web process classifies one small image per request.  Intra-op threads only add
synchronisation there, and on a busy machine (gunicorn workers, a Celery worker beside them)
their spin-waiting turns a 1 ms forward pass into hundreds of milliseconds (measured: 11 ms
with one thread, 255 ms with two, on two loaded cores).  So the first prediction sets this
process to DEMO_PREDICTION_THREADS threads (1; 0 leaves PyTorch's default).  Only web
processes predict: the workers that train keep all their threads.
"""

from __future__ import annotations

import threading

import torch
from django.conf import settings

from training.demos.digit_recognition import probabilities
from training.device import demo_device
from training.digit_model import warm_model
from training.preprocess import to_mnist

_threads_set = threading.Event()


def _limit_threads() -> None:
    if _threads_set.is_set():
        return
    threads = settings.DEMO_PREDICTION_THREADS
    if threads > 0:
        torch.set_num_threads(threads)
    _threads_set.set()


def predict_digit(pixels) -> dict:
    """pixels: a 2-D grid (list, array or tensor), any size 28..1024, 0..255 or 0..1."""
    _limit_threads()
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
