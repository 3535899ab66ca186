"""The registry of demos: what each one is called, takes and computes.

A demo is a pure function of (validated parameters, a seeded torch.Generator, a device, a
progress callback) returning a `DemoOutput` of JSON-able data and figures.  Nothing here knows
about the database or Celery, so the CLI, the tests, the worker and the benchmarks all run the
very same function.

This module holds the types, `register` and the lookups over what was registered; it never
imports a demo.  The demo modules import it and register themselves, and
`TrainingConfig.ready` imports `training.demos` (all of them) once Django is set up, so the
registry is full in every process before the first request or task.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

from quizsite.queues import DEFAULT_QUEUE, GPU_QUEUE, QUEUES
from training.figures import Figure
from training.params import Schema, StrOrPromise
from training.texts import to_json

TRAINING_QUEUE = GPU_QUEUE  # the queue of demos that train a model


class DemoTimeLimitExceeded(Exception):
    """Raised from the progress callback once a run is past its soft time limit.

    Celery's own time limits do not fire in the solo pool (the one a CUDA worker uses), so
    every demo checks the clock cooperatively each time it reports progress.
    """


class Progress(Protocol):
    def __call__(self, done: float, total: float, label: str = "") -> None: ...


def no_progress(done: float, total: float, label: str = "") -> None:
    """The progress callback for callers that do not watch (tests, the CLI without --verbose)."""


def deadline_progress(
    progress: Progress, *, seconds: float | None, clock=time.monotonic
) -> Progress:
    """Wrap a callback so that reporting progress past `seconds` stops the demo."""
    if seconds is None:
        return progress
    deadline = clock() + seconds

    def report(done: float, total: float, label: str = "") -> None:
        if clock() > deadline:
            raise DemoTimeLimitExceeded(
                f"stopped after the time limit of {seconds:g} s (at {label or 'step ' + str(done)})"
            )
        progress(done, total, label)

    return report


@dataclass
class DemoOutput:
    """What a demo returns: data (JSON), figures, notes a reader must see, a text summary.

    `checkpoint` is for the one demo that trains a model worth keeping: the service layer,
    not the pure function, decides to store it.
    """

    data: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    summary: str = ""  # a training.texts.Text, translated when it is shown
    notes: list[str] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None

    def result_json(self) -> dict[str, Any]:
        return json_safe(
            {
                "summary": to_json(self.summary),
                "notes": [to_json(note) for note in self.notes],
                "data": self.data,
            }
        )


def json_safe(value: Any) -> Any:
    """JSON that PostgreSQL accepts: NaN and infinities (a diverged loss) become strings."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return json.loads(json.dumps(value, default=str))


DemoFunction = Callable[..., DemoOutput]


@dataclass(frozen=True)
class Demo:
    slug: str
    title: StrOrPromise
    description: StrOrPromise
    schema: Schema
    version: int
    function: DemoFunction
    queue: str = DEFAULT_QUEUE
    soft_time_limit: int = 30
    time_limit: int = 60
    uses_mnist: bool = False
    # Cheap enough to re-run as a student moves a slider (a fraction of a second, no
    # training): the demo page then re-runs it live, within the per-user run limits.
    live: bool = False

    def validate(self, raw: dict | None) -> dict[str, Any]:
        return self.schema.validate(raw)

    def run(
        self,
        params: dict[str, Any] | None = None,
        *,
        seed: int | None = None,
        device: torch.device | str = "cpu",
        progress: Progress = no_progress,
        time_limit: float | None = None,
    ) -> DemoOutput:
        """Validate, seed and call the function: the one entry point every caller uses."""
        cleaned = self.validate(params)
        seed = run_seed(cleaned) if seed is None else seed
        device = torch.device(device)
        generator = torch.Generator(device="cpu").manual_seed(seed)
        return self.function(
            cleaned,
            generator=generator,
            device=device,
            progress=deadline_progress(progress, seconds=time_limit),
        )

    def describe(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "version": self.version,
            "queue": self.queue,
            "uses_mnist": self.uses_mnist,
            "live": self.live,
            "params": self.schema.describe(),
        }


def run_seed(params: dict[str, Any]) -> int:
    """Demos that draw random numbers take a `seed` parameter; the others are seeded with 0."""
    return int(params.get("seed", 0))


_REGISTRY: dict[str, Demo] = {}


def register(demo: Demo) -> Demo:
    if demo.slug in _REGISTRY and _REGISTRY[demo.slug] is not demo:
        raise ValueError(f"two demos are called {demo.slug!r}")
    if demo.queue not in QUEUES:
        raise ValueError(f"{demo.slug}: unknown queue {demo.queue!r}")
    if demo.soft_time_limit >= demo.time_limit:
        raise ValueError(f"{demo.slug}: the soft time limit must be below the hard one")
    if demo.live and demo.queue != DEFAULT_QUEUE:
        raise ValueError(f"{demo.slug}: a demo that trains on the GPU queue cannot be live")
    _REGISTRY[demo.slug] = demo
    return demo


def get_demo(slug: str) -> Demo:
    try:
        return _REGISTRY[slug]
    except KeyError:
        raise LookupError(f"there is no demo called {slug!r}") from None


def all_demos() -> list[Demo]:
    return sorted(_REGISTRY.values(), key=lambda demo: demo.slug)
