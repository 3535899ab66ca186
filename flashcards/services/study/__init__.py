"""Study writes, one module per job: cards from questions (`cards`),
ratings and undo (`reviews`), bury/suspend/flag (`marks`), settings (`settings`), the
scheduler of a student's settings (`schedulers`) and parameter fits (`fitting`).

Concurrency: every write that changes a student's schedule first locks that student's
`StudySettings` row (`select_for_update`; on SQLite the IMMEDIATE transactions serialise all
writers anyway).  Under that lock a repeated `client_review_id` is found and answered with the
stored review, and a client that rated an older version of the card gets `StaleCardState`.
The unique constraints (one state per student and card, one review per student and client
review id) are the last line of defence behind the lock.

Callers import from here (`from flashcards.services import study as services`); the names
below are the package's interface.
"""

from flashcards.services.study.cards import card_specs, ensure_cards, stale_questions, sync_cards
from flashcards.services.study.errors import (
    CardNotAvailable,
    NothingToUndo,
    StaleCardState,
    StudyError,
)
from flashcards.services.study.fitting import (
    FIT_AFTER_REVIEWS,
    request_parameter_fit,
    run_parameter_fit,
    training_history,
)
from flashcards.services.study.marks import bury_card, set_flagged, set_suspended
from flashcards.services.study.reviews import (
    ReviewOutcome,
    record_quiz_answer,
    submit_review,
    undo_last_review,
)
from flashcards.services.study.schedulers import (  # noqa: F401 (_apply: for tests)
    _apply,
    memory_state,
    scheduler_config,
    scheduler_for,
)
from flashcards.services.study.settings import (
    MAX_STEP_SECONDS,
    SETTINGS_FIELDS,
    get_study_settings,
    update_study_settings,
)

__all__ = [
    "FIT_AFTER_REVIEWS",
    "MAX_STEP_SECONDS",
    "SETTINGS_FIELDS",
    "CardNotAvailable",
    "NothingToUndo",
    "ReviewOutcome",
    "StaleCardState",
    "StudyError",
    "bury_card",
    "card_specs",
    "ensure_cards",
    "get_study_settings",
    "memory_state",
    "record_quiz_answer",
    "request_parameter_fit",
    "run_parameter_fit",
    "scheduler_config",
    "scheduler_for",
    "set_flagged",
    "set_suspended",
    "stale_questions",
    "submit_review",
    "sync_cards",
    "training_history",
    "undo_last_review",
    "update_study_settings",
]
