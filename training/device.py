"""Which device the demos run on, and what a result records about where it was computed.

The device is resolved once per process and lazily: a Celery prefork parent or a gunicorn
master that imported this module has not touched CUDA, so its forked children can still use
it (CUDA cannot be initialised again in a forked child).
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
from importlib import metadata

import torch
from django.conf import settings


@functools.cache
def demo_device() -> torch.device:
    choice = settings.DEMO_DEVICE
    if choice == "cpu":
        return torch.device("cpu")
    # Ask NVML rather than the CUDA runtime: it answers without creating a CUDA context.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    available = torch.cuda.is_available()
    if choice == "cuda" and not available:
        raise RuntimeError("DEMO_DEVICE=cuda, but PyTorch sees no CUDA device")
    return torch.device("cuda" if available else "cpu")


def device_label(device: torch.device) -> str:
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    return "cpu"


@functools.cache
def library_versions() -> dict[str, str]:
    import matplotlib
    import numpy
    import torchvision

    versions = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "numpy": numpy.__version__,
        "matplotlib": matplotlib.__version__,
    }
    with contextlib.suppress(metadata.PackageNotFoundError):
        versions["mlxtend"] = metadata.version("mlxtend")
    return versions
