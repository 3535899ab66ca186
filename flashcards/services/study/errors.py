"""What a study action that cannot be done raises: a machine-readable code and a message."""

from __future__ import annotations


class StudyError(Exception):
    """A study action that cannot be done; `code` is machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class CardNotAvailable(StudyError):
    code = "card_not_available"


class StaleCardState(StudyError):
    code = "stale_card_state"


class NothingToUndo(StudyError):
    code = "nothing_to_undo"
