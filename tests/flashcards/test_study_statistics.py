"""Statistics: due forecast, heatmap, true retention, mastery and streak, in the student's days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flashcards.models import CardState
from flashcards.selectors.study_statistics import student_statistics
from flashcards.services.study import submit_review, undo_last_review
from tests.flashcards.factories import StudentFactory, cards_of, put_state, studyable_set

pytestmark = pytest.mark.django_db

REVIEW = CardState.State.REVIEW


def test_the_due_forecast_counts_cards_per_study_day_for_30_days_with_overdue_ones_today():
    student = StudentFactory(time_zone="America/New_York")  # UTC−4 in June: 4 a.m. = 08:00 UTC
    chapter = studyable_set(student, questions=6)
    now = datetime(2025, 6, 10, 15, 0, tzinfo=UTC)
    overdue, today, after_rollover, day_ten, too_far, suspended = cards_of(chapter)
    put_state(student, overdue, state=REVIEW, due=now - timedelta(days=3))
    put_state(student, today, state=REVIEW, due=datetime(2025, 6, 11, 7, 59, tzinfo=UTC))
    put_state(student, after_rollover, state=REVIEW, due=datetime(2025, 6, 11, 8, 0, tzinfo=UTC))
    put_state(student, day_ten, state=REVIEW, due=now + timedelta(days=10))
    put_state(student, too_far, state=REVIEW, due=now + timedelta(days=31))
    put_state(student, suspended, state=REVIEW, due=now, suspended=True)

    forecast = student_statistics(student, [chapter.pk], now=now)["due_forecast"]

    assert len(forecast) == 30
    assert forecast[0] == {"date": "2025-06-10", "due": 2}
    assert forecast[1] == {"date": "2025-06-11", "due": 1}
    assert forecast[10] == {"date": "2025-06-20", "due": 1}
    assert sum(day["due"] for day in forecast) == 4


def test_the_heatmap_and_streak_count_study_days_with_a_late_night_review_on_the_day_before(
    time_machine,
):
    student = StudentFactory(time_zone="Europe/Copenhagen")  # UTC+2 in June
    chapter = studyable_set(student, questions=8)
    cards = iter(cards_of(chapter))
    moments = [
        datetime(2025, 6, 1, 10, 0, tzinfo=UTC),  # June 1, then a gap on June 2
        datetime(2025, 6, 3, 10, 0, tzinfo=UTC),
        datetime(2025, 6, 3, 23, 30, tzinfo=UTC),  # 01:30 local on June 4: still June 3
        datetime(2025, 6, 4, 10, 0, tzinfo=UTC),
        datetime(2025, 6, 5, 10, 0, tzinfo=UTC),
    ]
    for i, moment in enumerate(moments):
        time_machine.move_to(moment, tick=False)
        submit_review(student=student, card_id=next(cards).pk, rating=4, client_review_id=f"h{i}")
    time_machine.move_to(datetime(2025, 6, 6, 9, 0, tzinfo=UTC), tick=False)
    submit_review(student=student, card_id=next(cards).pk, rating=4, client_review_id="undone")
    undo_last_review(student=student)  # an undone rating is not a review

    stats = student_statistics(student, [chapter.pk], now=datetime.now(UTC))

    assert stats["heatmap"]["days"] == [
        {"date": "2025-06-01", "reviews": 1},
        {"date": "2025-06-03", "reviews": 2},
        {"date": "2025-06-04", "reviews": 1},
        {"date": "2025-06-05", "reviews": 1},
    ]
    assert stats["heatmap"]["start"] == "2024-06-07"
    assert stats["reviews_today"] == 0
    # No review yet today (June 6): the streak still counts up to yesterday.
    assert stats["streak"] == {"current": 3, "longest": 3}


def test_true_retention_separates_mature_from_young_cards_and_ignores_cram(time_machine):
    student = StudentFactory()
    chapter = studyable_set(student, questions=5)
    mature_pass, mature_fail, young_pass, young_fail, crammed = cards_of(chapter)
    now = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    for card, days in [(mature_pass, 30), (mature_fail, 25), (young_pass, 6), (young_fail, 3)]:
        put_state(student, card, state=REVIEW, due=now, last_review=now - timedelta(days=days))
    put_state(student, crammed, state=REVIEW, due=now + timedelta(days=5))
    for card, rating in [(mature_pass, 4), (mature_fail, 2), (young_pass, 3), (young_fail, 1)]:
        submit_review(
            student=student, card_id=card.pk, rating=rating, client_review_id=str(card.pk)
        )
    submit_review(student=student, card_id=crammed.pk, rating=1, client_review_id="c", cram=True)

    retention = student_statistics(student, [chapter.pk], now=now)["true_retention"]

    assert retention["mature"] == {"reviews": 2, "passed": 1, "rate": 0.5}
    assert retention["young"] == {"reviews": 2, "passed": 1, "rate": 0.5}


def test_mastery_is_the_share_of_cards_with_stability_of_three_weeks_or_more():
    student = StudentFactory()
    chapter = studyable_set(student, questions=4)
    strong, borderline, weak, _new = cards_of(chapter)
    now = datetime.now(UTC)
    put_state(student, strong, state=REVIEW, due=now + timedelta(days=60), stability=45.0)
    put_state(student, borderline, state=REVIEW, due=now + timedelta(days=21), stability=21.0)
    put_state(student, weak, state=REVIEW, due=now + timedelta(days=5), stability=6.0)

    stats = student_statistics(student, [chapter.pk], now=now)

    assert stats["mastery"]["mastered"] == 2
    assert stats["mastery"]["total"] == 4
    assert stats["mastery"]["share"] == 0.5
    assert "stability" in stats["mastery"]["definition"]
    assert stats["cards"]["new"] == 1
    assert stats["cards"]["review"] == 3
