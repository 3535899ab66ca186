"""Spaced-repetition scheduling on FSRS-6 (the `fsrs` package), one module per job:

- `ratings`: the 1–5 confidence scale and its mapping onto FSRS's four grades (the choice,
  measured on real 1–5 review logs, is explained there);
- `clock`: the study day (4 a.m. to 4 a.m. in the student's time zone);
- `scheduler`: `StudyScheduler`, FSRS-6 over plain `MemoryState`s;
- `optimizer`: predicting a history and fitting per-student parameters (py-fsrs keeps its
  `scheduler.py` apart from its `optimizer.py` the same way).

Everything that schedules — the study service, the optimisation task, the benchmark — goes
through `StudyScheduler` and `to_fsrs_rating`, so what the benchmark measures is what
students get.  Callers import from here: the names below are the package's interface.
"""

from flashcards.scheduling.clock import (
    DAY_ROLLOVER_HOUR,
    student_zone,
    study_day,
    study_day_bounds,
    study_day_start,
)
from flashcards.scheduling.optimizer import (  # noqa: F401
    ALL_FITTERS,
    DEFAULT_PARAMETERS,
    FITTERS,
    LBFGS_ITERATIONS,
    MIN_REVIEWS_TO_FIT,
    PARAMETER_SPREAD,
    PRIOR_STRENGTH,
    VALIDATION_FRACTION,
    VALIDATION_WINDOWS,
    FitResult,
    LoggedReview,
    Prediction,
    _map_fit,
    _package_fit,
    _review_tensors,
    _summed_log_loss,
    fit_parameters,
    improvement_z,
    log_loss,
    predict_history,
    review_losses,
    sort_history,
    split_index,
    validation_cuts,
)
from flashcards.scheduling.ratings import (
    DEFAULT_MAPPING,
    LEECH_LAPSES,
    MAPPINGS,
    MASTERY_STABILITY_DAYS,
    MATURE_DAYS,
    MAX_RATING,
    MIN_RATING,
    QUIZ_RIGHT_RATING,
    QUIZ_WRONG_RATING,
    Rating,
    is_recall,
    to_fsrs_rating,
)
from flashcards.scheduling.scheduler import (
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    MemoryState,
    SchedulerConfig,
    StudyScheduler,
    with_parameters,
)

__all__ = [
    "ALL_FITTERS",
    "DAY_ROLLOVER_HOUR",
    "DEFAULT_MAPPING",
    "DEFAULT_PARAMETERS",
    "FITTERS",
    "LBFGS_ITERATIONS",
    "LEARNING",
    "LEECH_LAPSES",
    "MAPPINGS",
    "MASTERY_STABILITY_DAYS",
    "MATURE_DAYS",
    "MAX_RATING",
    "MIN_RATING",
    "MIN_REVIEWS_TO_FIT",
    "NEW",
    "PARAMETER_SPREAD",
    "PRIOR_STRENGTH",
    "QUIZ_RIGHT_RATING",
    "QUIZ_WRONG_RATING",
    "RELEARNING",
    "REVIEW",
    "VALIDATION_FRACTION",
    "VALIDATION_WINDOWS",
    "FitResult",
    "LoggedReview",
    "MemoryState",
    "Prediction",
    "Rating",
    "SchedulerConfig",
    "StudyScheduler",
    "fit_parameters",
    "improvement_z",
    "is_recall",
    "log_loss",
    "predict_history",
    "review_losses",
    "sort_history",
    "split_index",
    "student_zone",
    "study_day",
    "study_day_bounds",
    "study_day_start",
    "to_fsrs_rating",
    "validation_cuts",
    "with_parameters",
]
