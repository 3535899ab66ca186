"""FSRS-6 over plain memory states, with fuzz from a generator of our own (the `fsrs` package's
`Scheduler` underneath; as py-fsrs keeps `scheduler.py` apart from `optimizer.py`)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import (
    DEFAULT_PARAMETERS,
    FUZZ_RANGES,
)

from flashcards.scheduling.ratings import (
    DEFAULT_MAPPING,
    MAPPINGS,
)

NEW, LEARNING, REVIEW, RELEARNING = 0, int(State.Learning), int(State.Review), int(State.Relearning)


@dataclass(frozen=True)
class MemoryState:
    """Everything the scheduler knows about one student's memory of one card.

    Plain data (JSON-friendly through `to_dict`), so a review log can keep an exact copy of
    the state before and after each review and undo can put the old one back.
    """

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    @property
    def is_new(self) -> bool:
        return self.state == NEW

    def scheduled_days(self) -> float | None:
        """The interval the card was last given, in days (None for new cards)."""
        if self.due is None or self.last_review is None:
            return None
        return (self.due - self.last_review).total_seconds() / 86400

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("due", "last_review"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> MemoryState:
        values = dict(data)
        for key in ("due", "last_review"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**{key: values[key] for key in cls.__dataclass_fields__ if key in values})


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes given to the scheduler must be timezone-aware")
    return moment.astimezone(UTC)


@dataclass
class SchedulerConfig:
    """One student's scheduling settings, as the `fsrs` package wants them."""

    parameters: Sequence[float] = DEFAULT_PARAMETERS
    desired_retention: float = 0.90
    learning_steps: Sequence[int] = (60, 600)  # seconds
    relearning_steps: Sequence[int] = (600,)
    maximum_interval: int = 36500  # days
    enable_fuzzing: bool = True


class StudyScheduler:
    """FSRS-6 over `MemoryState`: review, preview, predict, replay.

    Fuzz draws from the random generator given (a seeded one in tests and benchmarks), never
    from the module-global one, so that reruns are reproducible where they need to be.
    """

    def __init__(self, config: SchedulerConfig | None = None, *, rng: random.Random | None = None):
        self.config = config or SchedulerConfig()
        self._fsrs = Scheduler(
            parameters=tuple(self.config.parameters),
            desired_retention=self.config.desired_retention,
            learning_steps=[timedelta(seconds=s) for s in self.config.learning_steps],
            relearning_steps=[timedelta(seconds=s) for s in self.config.relearning_steps],
            maximum_interval=self.config.maximum_interval,
            enable_fuzzing=False,  # fuzz applied below with our own generator
        )
        self._rng = rng or random.Random()

    # fsrs.Card <-> MemoryState
    @staticmethod
    def _to_card(state: MemoryState, when: datetime) -> FsrsCard:
        if state.is_new:
            return FsrsCard(card_id=0, state=State.Learning, step=0, due=when)
        return FsrsCard(
            card_id=0,
            state=State(state.state),
            step=state.step,
            stability=state.stability,
            difficulty=state.difficulty,
            due=state.due,
            last_review=state.last_review,
        )

    def retrievability(self, state: MemoryState, when: datetime) -> float:
        """Predicted probability of recall at `when` (0 for a card never reviewed)."""
        if state.is_new or state.stability is None or state.last_review is None:
            return 0.0
        return float(self._fsrs.get_card_retrievability(self._to_card(state, when), when))

    def review(
        self, state: MemoryState, rating: Rating | int, when: datetime, *, fuzz: bool | None = None
    ) -> MemoryState:
        """The state after a review graded `rating` (an FSRS grade 1–4) at `when`."""
        when = _as_utc(when)
        rating = Rating(int(rating))
        card, _ = self._fsrs.review_card(self._to_card(state, when), rating, when)
        # A reviewed card always has both (the package types them optional for new cards).
        assert card.stability is not None
        assert card.difficulty is not None
        due = card.due
        fuzz = self.config.enable_fuzzing if fuzz is None else fuzz
        if fuzz and card.state == State.Review:
            due = when + self._fuzzed(due - when)
        lapsed = state.state == REVIEW and rating == Rating.Again
        return MemoryState(
            state=int(card.state),
            step=card.step,
            stability=float(card.stability),
            difficulty=float(card.difficulty),
            due=due,
            last_review=when,
            reps=state.reps + 1,
            lapses=state.lapses + (1 if lapsed else 0),
        )

    def _fuzzed(self, interval: timedelta) -> timedelta:
        """Spread an interval as the package's fuzz does, with our own generator.

        Fuzz keeps cards introduced together from falling due together forever.  The package
        draws from the module-global `random`, which is shared by every thread of a server and
        cannot be seeded per student or per test; the ranges are the package's own.
        """
        days = interval.days
        if days < 2.5:
            return interval
        delta = 1.0
        for band in FUZZ_RANGES:
            delta += band["factor"] * max(min(float(days), band["end"]) - band["start"], 0.0)
        longest = self.config.maximum_interval
        high = min(round(days + delta), longest)
        low = min(max(2, round(days - delta)), high)
        return timedelta(days=min(round(self._rng.random() * (high - low + 1) + low), longest))

    def preview(
        self, state: MemoryState, when: datetime, *, mapping: str = DEFAULT_MAPPING
    ) -> dict[int, int]:
        """The interval (seconds, unfuzzed) each 1–5 rating would give: shown on the buttons.

        Two ratings can share an FSRS grade (1 and 2 are both Again): each grade is reviewed
        once.  The page shows these for every card it is handed, so this runs per card."""
        when = _as_utc(when)
        seconds: dict[int, int] = {}
        for grade in set(MAPPINGS[mapping].values()):
            due = self.review(state, grade, when, fuzz=False).due
            assert due is not None  # every review schedules the card
            seconds[grade] = round((due - when).total_seconds())
        return {raw: seconds[grade] for raw, grade in MAPPINGS[mapping].items()}

    def replay(self, reviews: Iterable[tuple[Rating | int, datetime]]) -> MemoryState:
        """The state a card reaches from new through `reviews` (in time order), without fuzz."""
        state = MemoryState()
        for rating, when in reviews:
            state = self.review(state, rating, when, fuzz=False)
        return state


def with_parameters(config: SchedulerConfig, parameters: Sequence[float] | None) -> SchedulerConfig:
    return replace(config, parameters=tuple(parameters) if parameters else DEFAULT_PARAMETERS)
