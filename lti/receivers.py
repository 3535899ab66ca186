"""Receivers of other apps' signals, connected in `LtiConfig.ready`."""

from __future__ import annotations

from typing import Any

from lti.services.grades import record_scores
from quizzes.models import Attempt


def pass_score_back(sender: type[Attempt], *, attempt: Attempt, **kwargs: Any) -> None:
    """quizzes' `attempt_scored`: queue the grade for the platform(s) the quiz came from."""
    record_scores(attempt=attempt)
