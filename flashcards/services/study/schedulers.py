"""The scheduler of a student's settings, and the card state it reads and writes."""

from __future__ import annotations

from functools import lru_cache

from flashcards import scheduling
from flashcards.models import (
    CardState,
    StudySettings,
)
from flashcards.scheduling import MemoryState, SchedulerConfig, StudyScheduler


def scheduler_config(settings_row: StudySettings | None) -> SchedulerConfig:
    if settings_row is None:
        return SchedulerConfig()
    return SchedulerConfig(
        parameters=tuple(settings_row.parameters or scheduling.DEFAULT_PARAMETERS),
        desired_retention=settings_row.desired_retention,
        learning_steps=tuple(settings_row.learning_steps or (60, 600)),
        relearning_steps=tuple(settings_row.relearning_steps or (600,)),
        maximum_interval=settings_row.maximum_interval,
        enable_fuzzing=settings_row.enable_fuzz,
    )


@lru_cache(maxsize=512)
def _scheduler(config: tuple) -> StudyScheduler:
    parameters, retention, learning, relearning, maximum, fuzz = config
    return StudyScheduler(
        SchedulerConfig(
            parameters=parameters,
            desired_retention=retention,
            learning_steps=learning,
            relearning_steps=relearning,
            maximum_interval=maximum,
            enable_fuzzing=fuzz,
        )
    )


def scheduler_for(settings_row: StudySettings | None) -> StudyScheduler:
    """The scheduler of these settings, built once per process and distinct settings.

    Building one converts the parameters and steps for the `fsrs` package; a request only
    looks it up.  Schedulers hold no per-student state, only the settings they were made with.
    """
    config = scheduler_config(settings_row)
    return _scheduler(
        (
            tuple(float(p) for p in config.parameters),
            float(config.desired_retention),
            tuple(config.learning_steps),
            tuple(config.relearning_steps),
            int(config.maximum_interval),
            bool(config.enable_fuzzing),
        )
    )


def memory_state(row: CardState | None) -> MemoryState:
    if row is None:
        return MemoryState()
    return MemoryState(
        state=row.state,
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
        reps=row.reps,
        lapses=row.lapses,
    )


def _snapshot(row: CardState | None) -> dict:
    """What undo needs to put a card back exactly: the memory state and the marks it changes."""
    data = memory_state(row).to_dict()
    data["is_leech"] = bool(row and row.is_leech)
    data["introduced_at"] = row.introduced_at.isoformat() if row and row.introduced_at else None
    data["buried_until"] = row.buried_until.isoformat() if row and row.buried_until else None
    return data


def _apply(row: CardState, state: MemoryState) -> None:
    row.state = state.state
    row.step = state.step
    row.stability = state.stability
    row.difficulty = state.difficulty
    row.due = state.due
    row.last_review = state.last_review
    row.reps = state.reps
    row.lapses = state.lapses
