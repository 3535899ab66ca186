"""The numbers the dashboard and the statistics pages show: counts per set, leeches and
statistics.

Numbers reported (statistics), with their definitions:
- due forecast: cards falling due on each of the next 30 study days (today includes overdue);
- heatmap: reviews per study day over the last 365 days;
- true retention: of the reviews of cards in review state over the last 30 days, the share not
  failed (rating 3–5, i.e. not FSRS Again), separately for mature cards (interval >= 21 days)
  and young ones;
- mastery: share of the scope's cards whose FSRS stability is at least 21 days, i.e. that the
  model expects to be recalled with 90% probability three weeks after the last review;
- streak: consecutive study days with at least one review, ending today (or yesterday, when
  today has no review yet).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from flashcards import scheduling
from flashcards.models import Card, CardState, Classroom, ReviewLog, StudySettings, User
from flashcards.selectors.study import LEARNING_STATES, NEW_STATE, not_hidden

# --- counts per set ---------------------------------------------------------------------------


def counts_by_set(
    student: User, set_ids: list[int], *, now: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Each set's learning / review / new counts, as `study_queue` would give them for that set
    alone, in three grouped statements instead of one queue context per set (the dashboard).

    On the ORM: unlike the queue's context, this runs once per dashboard view, and the grouped
    aggregates compose in well under a millisecond.  tests/flashcards/test_study_queue.py holds
    it equal to `study_queue`'s counts set by set.
    """
    now = now or timezone.now()
    zone = scheduling.student_zone(student.time_zone)
    day_start, day_end = scheduling.study_day_bounds(now, zone)
    shown = not_hidden(now)
    rows = (
        CardState.objects.filter(student=student, question_set_id__in=set_ids)
        .values("question_set_id")
        .annotate(
            learning=Count("id", filter=shown & Q(state__in=LEARNING_STATES, due__lte=now)),
            review=Count("id", filter=shown & Q(state=CardState.State.REVIEW, due__lt=day_end)),
            not_new=Count("id", filter=~(Q(state=NEW_STATE) & shown)),
        )
        .order_by()
    )
    states = {row["question_set_id"]: row for row in rows}
    cards = dict(
        Card.objects.filter(question_set_id__in=set_ids)
        .values("question_set_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("question_set_id", "n")
    )
    limits = StudySettings.objects.filter(student=student).values_list(
        "new_cards_per_day", flat=True
    )
    new_limit = next(iter(limits), 20)
    new_today = CardState.objects.filter(
        student=student, introduced_at__gte=day_start, introduced_at__lt=day_end
    ).count()
    allowance = max(0, new_limit - new_today)
    counts = {}
    for set_id in set_ids:
        row = states.get(set_id, {"learning": 0, "review": 0, "not_new": 0})
        unseen = max(0, cards.get(set_id, 0) - row["not_new"])
        counts[set_id] = {
            "learning": row["learning"],
            "review": row["review"],
            "new": min(allowance, unseen),
        }
    return counts


# --- leeches ----------------------------------------------------------------------------------


def student_leeches(student: User, set_ids: list[int] | None = None) -> QuerySet[CardState]:
    rows = CardState.objects.filter(student=student, is_leech=True)
    if set_ids is not None:
        rows = rows.filter(question_set_id__in=set_ids)
    return rows.select_related("card__question", "question_set").order_by("-lapses", "id")


def owned_classroom(user: User, classroom_id: int) -> Classroom:
    """A classroom the user runs (404 otherwise): what instructor statistics are about."""
    return get_object_or_404(Classroom, pk=classroom_id, owner=user)


def classroom_leeches(classroom: Classroom) -> QuerySet[CardState]:
    set_ids = classroom.question_sets.values("pk")
    return (
        CardState.objects.filter(
            is_leech=True, student__classrooms=classroom, question_set_id__in=set_ids
        )
        .select_related("student", "card__question", "question_set")
        .order_by("-lapses", "student_id", "id")
    )


# --- statistics -------------------------------------------------------------------------------


def _day_counts(moments: Iterable[datetime | None], zone: ZoneInfo) -> dict[date, int]:
    counts: dict[date, int] = {}
    for moment in moments:
        if moment is None:
            continue
        day = scheduling.study_day(moment, zone)
        counts[day] = counts.get(day, 0) + 1
    return counts


def streaks(days_with_reviews: set[date], today: date) -> dict[str, int]:
    current = 0
    day = today if today in days_with_reviews else today - timedelta(days=1)
    while day in days_with_reviews:
        current += 1
        day -= timedelta(days=1)
    longest = run = 0
    previous = None
    for day in sorted(days_with_reviews):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return {"current": current, "longest": longest}


def _retention(reviews: QuerySet[ReviewLog]) -> dict:
    """True retention: of the reviews of cards in review state, the share not failed."""
    review_state = reviews.filter(previous_state=CardState.State.REVIEW)
    mature = Q(scheduled_days__gte=scheduling.MATURE_DAYS)
    failed = Q(fsrs_rating=1)
    totals = review_state.aggregate(
        mature_total=Count("id", filter=mature),
        mature_failed=Count("id", filter=mature & failed),
        young_total=Count("id", filter=~mature),
        young_failed=Count("id", filter=~mature & failed),
    )
    result = {}
    for kind in ("mature", "young"):
        total, lost = totals[f"{kind}_total"], totals[f"{kind}_failed"]
        result[kind] = {
            "reviews": total,
            "passed": total - lost,
            "rate": round((total - lost) / total, 4) if total else None,
        }
    return result


def student_statistics(student: User, set_ids: list[int], *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    zone = scheduling.student_zone(student.time_zone)
    today = scheduling.study_day(now, zone)
    day_start, _ = scheduling.study_day_bounds(now, zone)

    states = CardState.objects.filter(student=student, question_set_id__in=set_ids)
    total_cards = Card.objects.filter(question_set_id__in=set_ids).count()
    by_state = states.aggregate(
        learning=Count("id", filter=Q(state__in=LEARNING_STATES)),
        review=Count("id", filter=Q(state=CardState.State.REVIEW)),
        suspended=Count("id", filter=Q(suspended=True)),
        leeches=Count("id", filter=Q(is_leech=True)),
        flagged=Count("id", filter=Q(flagged=True)),
        mastered=Count(
            "id",
            filter=Q(
                state=CardState.State.REVIEW, stability__gte=scheduling.MASTERY_STABILITY_DAYS
            ),
        ),
    )
    started = by_state["learning"] + by_state["review"]

    horizon = scheduling.study_day_start(today + timedelta(days=30), zone)
    dues = states.filter(
        ~Q(state=CardState.State.NEW), suspended=False, due__lt=horizon
    ).values_list("due", flat=True)
    per_day = _day_counts(dues, zone)
    forecast = []
    for offset in range(30):
        day = today + timedelta(days=offset)
        count = per_day.get(day, 0)
        if offset == 0:
            count += sum(n for d, n in per_day.items() if d < today)  # overdue
        forecast.append({"date": day.isoformat(), "due": count})

    year_ago = scheduling.study_day_start(today - timedelta(days=364), zone)
    reviews = ReviewLog.objects.filter(
        student=student, question_set_id__in=set_ids, undone_at__isnull=True
    )
    moments = reviews.filter(reviewed_at__gte=year_ago).values_list("reviewed_at", flat=True)
    heat = _day_counts(moments, zone)
    heatmap = [
        {"date": day.isoformat(), "reviews": heat[day]} for day in sorted(heat) if day <= today
    ]
    month_ago = day_start - timedelta(days=30)
    study_reviews = reviews.exclude(source=ReviewLog.Source.CRAM)
    return {
        "today": today.isoformat(),
        "cards": {
            "total": total_cards,
            "new": max(0, total_cards - started),
            **by_state,
        },
        "due_forecast": forecast,
        "heatmap": {"start": (today - timedelta(days=364)).isoformat(), "days": heatmap},
        "reviews_today": heat.get(today, 0),
        "true_retention": {
            "window_days": 30,
            **_retention(study_reviews.filter(reviewed_at__gte=month_ago)),
        },
        "mastery": {
            "mastered": by_state["mastered"],
            "total": total_cards,
            "share": round(by_state["mastered"] / total_cards, 4) if total_cards else None,
            "definition": (
                "share of the cards with FSRS stability of at least "
                f"{scheduling.MASTERY_STABILITY_DAYS:g} days (90% recall expected "
                "three weeks after the last review)"
            ),
        },
        "streak": streaks(set(heat), today),
    }


def classroom_statistics(classroom: Classroom, *, now: datetime | None = None) -> dict:
    """What an instructor sees of a class: per student progress and the class's leeches."""
    now = now or timezone.now()
    set_ids = list(classroom.question_sets.values_list("pk", flat=True))
    total_cards = Card.objects.filter(question_set_id__in=set_ids).count()
    month_ago = now - timedelta(days=30)
    students = (
        User.objects.filter(classrooms=classroom)
        .annotate(
            mastered=Count(
                "card_states",
                filter=Q(
                    card_states__question_set_id__in=set_ids,
                    card_states__state=CardState.State.REVIEW,
                    card_states__stability__gte=scheduling.MASTERY_STABILITY_DAYS,
                ),
                distinct=True,
            ),
            leeches=Count(
                "card_states",
                filter=Q(card_states__question_set_id__in=set_ids, card_states__is_leech=True),
                distinct=True,
            ),
        )
        .order_by("username")
    )
    reviews = dict(
        ReviewLog.objects.filter(
            student__classrooms=classroom,
            question_set_id__in=set_ids,
            undone_at__isnull=True,
            reviewed_at__gte=month_ago,
        )
        .values_list("student_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "n")
    )
    rows = [
        {
            "student": {"id": s.pk, "username": s.username},
            "reviews_30_days": reviews.get(s.pk, 0),
            "mastered": s.mastered,
            "mastery": round(s.mastered / total_cards, 4) if total_cards else None,
            "leeches": s.leeches,
        }
        for s in students
    ]
    return {
        "classroom": {"id": classroom.pk, "name": classroom.name},
        "cards": total_cards,
        "students": rows,
        "mastery_mean": (
            round(sum(cast(float | None, r["mastery"]) or 0 for r in rows) / len(rows), 4)
            if rows
            else None
        ),
    }
