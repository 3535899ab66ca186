"""The rating scale students answer, "How well did you know this? 1 Not at all … 5 Perfectly":
its bounds and labels, in the one place the model, the scheduler, the API, quizzes' self-rating
and the pages read them from.  (How a rating maps onto FSRS is `flashcards.scheduling`'s.)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MIN_RATING, MAX_RATING = 1, 5

RATING_LABELS = {
    1: _("Not at all"),
    2: _("Barely"),
    3: _("Partly"),
    4: _("Mostly"),
    5: _("Perfectly"),
}

RATING_HELP = "How well did you know this? 1 Not at all … 5 Perfectly"
