"""Spaced-repetition scheduling: the 1–5 confidence scale on top of FSRS-6 (the `fsrs` package).

Students answer "How well did you know this? 1 Not at all … 5 Perfectly".  FSRS models memory
with four grades (Again / Hard / Good / Easy), and — this is what matters for the mapping — it
treats Again as "forgotten" and the three others as "recalled": its forgetting curve is fitted
to, and its stability update branches on, that pass/fail split.  So the one decision that
changes what FSRS learns is *which confidence ratings count as a failure*.

The mapping we use, `failure-aware`::

    1 Not at all  -> Again      2 Barely  -> Again      3 -> Hard      4 -> Good      5 -> Easy

Why 2 is a failure: a student who "barely" knew an answer did not produce it; in SuperMemo's
0–5 scale, from which the 1–5 review logs in shared/data come, grades 0–2 are failures and 3–5
successes, and the same people's histories are the only 1–5 data we have.  Why 3 is Hard and
not Good: a 3 means "I got it, with effort", which is exactly FSRS's Hard (recalled, but the
stability should grow less).  The quizzes feed a wrong answer as 1 and a right one as 4, i.e.
Again and Good, the two grades FSRS sees most and models best.

Measured with `python -m benchmarks.scheduler LOG --scale 5 --compare-mappings` on the four
SuperMemo logs: log loss on the last 20% of each log (cut between instants, see the
benchmark), with the label "recalled" fixed to SuperMemo's own definition (raw rating >= 3)
for every mapping, so that they are compared on the same targets; "tuned" = `fit_parameters`
on the first 80% (kept at the defaults where it was not adopted):

    log (evaluated)     failure-aware        shifted              hard-band
                        default   tuned      default   tuned      default   tuned
    Winston (1601)      0.5456    0.5409     0.6793    1.4358     0.6475    1.3730
    ZebesYoshi (933)    0.2846    0.2288     0.2683    0.2617     0.2865    0.2711
    Pariance (624)      0.3159    0.2816     0.2769    0.3759     0.2900    0.3557
    Spade7 (103)        0.3762    0.3762     0.3452    0.3452     0.3767    0.3767

Weighted by reviews, failure-aware is best both with default parameters (0.422 against 0.474
and 0.467) and tuned (0.397 against 0.863 and 0.832).  `shifted` does better on three of the
small logs with the *default* parameters only because those users recall more than the
defaults expect, and counting 2 as a success and 4 as Easy inflates the predictions in the
right direction by accident; once parameters are fitted, a mapping that calls 2 a success
teaches the model to predict "at least barely": its predictions of real recall get much worse
on Winston and Pariance, and on ZebesYoshi stay far behind failure-aware's.  The choice also
matters for scheduling: with failure-aware a "2 — barely" card goes back to relearning instead
of getting days.

The study-day clock (`study_day`, 4 a.m. local) lives in `flashcards.scheduling.clock`,
the scheduler in `.scheduler`, prediction and parameter fitting in `.optimizer`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from fsrs import Rating

# The scale's bounds, labels and help text: the model, the scheduler, the API, quizzes'
# self-rating and the pages all read them from here.
MIN_RATING, MAX_RATING = 1, 5

RATING_LABELS = {
    1: _("Not at all"),
    2: _("Barely"),
    3: _("Partly"),
    4: _("Mostly"),
    5: _("Perfectly"),
}

RATING_HELP = "How well did you know this? 1 Not at all … 5 Perfectly"

MAPPINGS: dict[str, dict[int, Rating]] = {
    # Chosen: 1–2 failures (SuperMemo's 0–2), 3 recalled with effort, 4 recalled, 5 effortless.
    "failure-aware": {
        1: Rating.Again,
        2: Rating.Again,
        3: Rating.Hard,
        4: Rating.Good,
        5: Rating.Easy,
    },
    # The naive "shift down by one": only 1 fails, 4 and 5 both become Easy.
    "shifted": {1: Rating.Again, 2: Rating.Hard, 3: Rating.Good, 4: Rating.Easy, 5: Rating.Easy},
    # Only 1 fails, 2 and 3 both mean "recalled with effort".
    "hard-band": {1: Rating.Again, 2: Rating.Hard, 3: Rating.Hard, 4: Rating.Good, 5: Rating.Easy},
}
DEFAULT_MAPPING = "failure-aware"

# Quizzes report an outcome, not a confidence: a wrong answer is "not at all", a right one
# "knew it" (4, Good) rather than "perfectly", since a right choice can still be a lucky guess.
QUIZ_WRONG_RATING, QUIZ_RIGHT_RATING = 1, 4

LEECH_LAPSES = 8  # a card failed this often after having been learned is tagged as a leech
MATURE_DAYS = 21  # Anki's definition: a review card whose interval reached three weeks
MASTERY_STABILITY_DAYS = 21.0  # "mastered": FSRS stability over three weeks (see selectors)


def to_fsrs_rating(rating: int, *, scale: int = 5, mapping: str = DEFAULT_MAPPING) -> Rating:
    """Translate a raw rating into FSRS's grade.  `scale=4` means the rating already is one."""
    if scale == 4:
        if not 1 <= rating <= 4:
            raise ValueError(f"rating must be 1–4 on the 4-point scale, not {rating!r}")
        return Rating(rating)
    if scale != 5:
        raise ValueError(f"scale must be 4 or 5, not {scale!r}")
    if not MIN_RATING <= rating <= MAX_RATING:
        raise ValueError(f"rating must be 1–5, not {rating!r}")
    return MAPPINGS[mapping][rating]


def is_recall(fsrs_rating: Rating | int) -> bool:
    return int(fsrs_rating) != Rating.Again
