"""Errors the quiz services raise; the API turns each into a response with its status code."""

from __future__ import annotations


class QuizActionError(Exception):
    """An action refused for a reason the user should read (`message`) and code can test."""

    status_code = 400

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class ActionNotAllowed(QuizActionError):
    status_code = 403


class ActionConflict(QuizActionError):
    """The action does not fit the attempt's or quiz's current state (finished, time is up)."""

    status_code = 409
