"""Study reads: what a student studies (scope), the queue, leeches and statistics.

The queue, in order (each rule is tested in tests/test_study_queue.py):
1. learning and relearning cards whose step is due now, earliest first;
2. review cards due before the end of the student's study day (4 a.m. local), sets
   interleaved — the first due card of each set, then the second of each, …;
3. new cards, up to what is left of the daily new-card limit, sets interleaved in the same way
   (within a set in the author's order).
Suspended cards and cards buried until a later time never appear.  Cram mode ignores the
schedule: every card of the scope that is not suspended, least recently seen first.

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

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from flashcards import scheduling
from flashcards.models import (
    Card,
    CardState,
    Choice,
    Classroom,
    Question,
    QuestionSet,
    ReviewLog,
    StudySettings,
    User,
)
from flashcards.selectors.content import sets_visible_to

LEARNING_STATES = (CardState.State.LEARNING, CardState.State.RELEARNING)
CHOICE_KINDS = {
    Question.Kind.MULTIPLE_CHOICE,
    Question.Kind.SHORT_ANSWER,
    Question.Kind.MATCHING,
}
MAX_QUEUE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- scope ------------------------------------------------------------------------------------


@dataclass
class StudyScope:
    set_ids: list[int]
    question_set: QuestionSet | None = None
    classroom: Classroom | None = None


def study_scope(user: User, *, set_id: int | None = None, classroom_id: int | None = None):
    """The sets a study request covers: one set, a class's sets, or all of the student's."""
    visible = sets_visible_to(user)
    if set_id is not None:
        question_set = get_object_or_404(visible, pk=set_id)
        return StudyScope(set_ids=[question_set.pk], question_set=question_set)
    if classroom_id is not None:
        classroom = get_object_or_404(
            Classroom.objects.filter(Q(members=user) | Q(owner=user)).distinct(), pk=classroom_id
        )
        set_ids = list(
            visible.filter(classrooms=classroom).order_by("pk").values_list("pk", flat=True)
        )
        return StudyScope(set_ids=set_ids, classroom=classroom)
    mine = visible.filter(Q(classrooms__members=user) | Q(owner=user) | Q(co_editors=user))
    return StudyScope(set_ids=list(mine.order_by("pk").values_list("pk", flat=True).distinct()))


# --- queue ------------------------------------------------------------------------------------


@dataclass
class QueueEntry:
    card: Card
    state: CardState | None
    queue: str  # "learning" | "review" | "new" | "cram"


@dataclass
class StudyQueue:
    entries: list[QueueEntry]
    counts: dict[str, int]
    day_start: datetime
    day_end: datetime
    new_limit: int
    new_today: int
    settings: StudySettings | None = None
    extra: dict = field(default_factory=dict)


def _not_hidden(now: datetime) -> Q:
    return Q(suspended=False) & (Q(buried_until__isnull=True) | Q(buried_until__lte=now))


def _interleaved(queryset: QuerySet, order: list, limit: int) -> list:
    """Round-robin over sets: rank within each set by `order`, then take rank 1 of every set…"""
    ranked = queryset.annotate(
        set_rank=Window(RowNumber(), partition_by=[F("question_set_id")], order_by=order)
    )
    return list(ranked.order_by("set_rank", "question_set_id")[:limit])


SETTINGS_FIELDS = (
    "id",
    "desired_retention",
    "learning_steps",
    "relearning_steps",
    "maximum_interval",
    "new_cards_per_day",
    "enable_fuzz",
    "parameters",
    "reviews_since_fit",
)


def _count(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of `queryset` as a scalar subquery (0 when it has no rows)."""
    counted = queryset.order_by().annotate(one=Value(1)).values("one")
    counted = counted.annotate(
        n=Func(F("one"), function="COUNT", output_field=IntegerField())
    ).values("n")
    return Coalesce(Subquery(counted), 0)


def _scalar(queryset: QuerySet, aggregate) -> Subquery:
    return Subquery(
        queryset.order_by().annotate(one=Value(1)).values("one").annotate(v=aggregate).values("v")
    )


@dataclass
class QueueContext:
    """Everything the queue needs besides the cards, read in one query."""

    counts: dict[str, int]
    not_new: int
    new_today: int
    total_cards: int
    cards_current: bool  # False: some question was added or edited since its cards were made
    settings: StudySettings | None


def queue_context(
    student: User, set_ids: list[int], *, now: datetime, day_start: datetime, day_end: datetime
) -> QueueContext:
    """One query: the queue's counts, the scope's card freshness and the student's settings.

    Each figure is a scalar subquery over an index: the student's states by (student, state,
    due), questions and cards by set.  Settings come along through the user row, which always
    exists, so a student without settings costs no extra query either.
    """
    states = CardState.objects.filter(student=OuterRef("pk"))
    in_scope = states.filter(question_set_id__in=set_ids)
    visible = in_scope.filter(_not_hidden(now))
    questions = Question.objects.filter(question_set_id__in=set_ids).exclude(
        kind=Question.Kind.DESCRIPTION
    )
    cards = Card.objects.filter(question_set_id__in=set_ids)
    row = (
        User.objects.filter(pk=student.pk)
        .annotate(
            learning=_count(visible.filter(state__in=LEARNING_STATES, due__lte=now)),
            review=_count(visible.filter(state=CardState.State.REVIEW, due__lt=day_end)),
            not_new=_count(in_scope.exclude(Q(state=CardState.State.NEW) & _not_hidden(now))),
            new_today=_count(
                states.filter(introduced_at__gte=day_start, introduced_at__lt=day_end)
            ),
            questions=_count(questions),
            latest_edit=_scalar(questions, Max("updated_at")),
            questions_with_cards=_scalar(cards, Count("question_id", distinct=True)),
            oldest_sync=_scalar(cards, Min("synced_at")),
            total_cards=_count(cards),
            **{f"s_{name}": F(f"study_settings__{name}") for name in SETTINGS_FIELDS},
        )
        .values(
            "learning",
            "review",
            "not_new",
            "new_today",
            "questions",
            "latest_edit",
            "questions_with_cards",
            "oldest_sync",
            "total_cards",
            *(f"s_{name}" for name in SETTINGS_FIELDS),
        )
        .get()
    )
    settings_row = None
    if row["s_id"] is not None:
        settings_row = StudySettings(
            student=student, **{name: row[f"s_{name}"] for name in SETTINGS_FIELDS}
        )
    current = (row["questions_with_cards"] or 0) == row["questions"] and (
        row["latest_edit"] is None
        or (row["oldest_sync"] is not None and row["latest_edit"] <= row["oldest_sync"])
    )
    return QueueContext(
        counts={"learning": row["learning"], "review": row["review"]},
        not_new=row["not_new"],
        new_today=row["new_today"],
        total_cards=row["total_cards"] if set_ids else 0,
        cards_current=current or not set_ids,
        settings=settings_row,
    )


QUESTION_FIELDS = ("id", "kind", "title", "prompt_html", "answer_html", "question_set")


def study_queue(
    student: User,
    set_ids: list[int],
    *,
    limit: int = 1,
    now: datetime | None = None,
    settings_row: StudySettings | None = None,
    context: QueueContext | None = None,
) -> StudyQueue:
    now = now or timezone.now()
    zone = scheduling.student_zone(student.time_zone)
    day_start, day_end = scheduling.study_day_bounds(now, zone)
    if context is None:
        context = queue_context(student, set_ids, now=now, day_start=day_start, day_end=day_end)
    settings_row = settings_row or context.settings
    new_limit = settings_row.new_cards_per_day if settings_row else 20
    counts = dict(context.counts)
    allowance = max(0, new_limit - context.new_today)
    counts["new"] = min(allowance, max(0, context.total_cards - context.not_new))

    entries: list[QueueEntry] = []
    if counts["learning"] or counts["review"]:
        # Learning steps due now, earliest first, then the day's reviews interleaved by set:
        # one query, ranked by a window over (learning or review, set).
        learning = Q(state__in=LEARNING_STATES)
        priority = Case(
            When(learning, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        partition = Case(
            When(learning, then=Value(0)),
            default=F("question_set_id"),
            output_field=IntegerField(),
        )
        rows = (
            CardState.objects.filter(student=student, question_set_id__in=set_ids)
            .filter(_not_hidden(now))
            .filter((learning & Q(due__lte=now)) | Q(state=CardState.State.REVIEW, due__lt=day_end))
            .select_related("card__question")
            .only(
                *CARD_STATE_FIELDS, *CARD_FIELDS, *(f"card__question__{f}" for f in QUESTION_FIELDS)
            )
            .annotate(
                priority=priority,
                set_rank=Window(
                    RowNumber(),
                    partition_by=[priority, partition],
                    order_by=[F("due").asc(), F("id").asc()],
                ),
            )
            .order_by("priority", "set_rank", "question_set_id")[:limit]
        )
        entries += [
            QueueEntry(row.card, row, "learning" if row.priority == 0 else "review") for row in rows
        ]
    if counts["new"] and len(entries) < limit:
        blocked = CardState.objects.filter(student=student, card=OuterRef("pk")).exclude(
            Q(state=CardState.State.NEW) & _not_hidden(now)
        )
        cards = (
            Card.objects.filter(question_set_id__in=set_ids)
            .exclude(Exists(blocked))
            .select_related("question")
            .only(*CARD_FIELDS_OWN, *(f"question__{f}" for f in QUESTION_FIELDS))
        )
        picked = _interleaved(
            cards,
            [F("question__position").asc(), F("question_id").asc(), F("side"), F("ordinal")],
            min(limit - len(entries), counts["new"]),
        )
        entries += [QueueEntry(card, None, "new") for card in picked]
    _attach_cards(student, entries)
    return StudyQueue(
        entries=entries,
        counts=counts,
        day_start=day_start,
        day_end=day_end,
        new_limit=new_limit,
        new_today=context.new_today,
        settings=settings_row,
    )


def cram_queue(student: User, set_ids: list[int], *, limit: int = 1, now=None) -> StudyQueue:
    """Every card of the scope that is not suspended, least recently seen first."""
    now = now or timezone.now()
    zone = scheduling.student_zone(student.time_zone)
    day_start, day_end = scheduling.study_day_bounds(now, zone)
    states = CardState.objects.filter(student=student, card=OuterRef("pk"))
    last_cram = (
        ReviewLog.objects.filter(student=student, card=OuterRef("pk"))
        .values("card")
        .annotate(last=Max("reviewed_at"))
        .values("last")
    )
    cards = (
        Card.objects.filter(question_set_id__in=set_ids)
        .exclude(Exists(states.filter(suspended=True)))
        .annotate(last_seen=Coalesce(Subquery(last_cram[:1]), Value(EPOCH)))
        .order_by("last_seen", "question_set_id", "id")
        .select_related("question")
    )
    entries = [QueueEntry(card, None, "cram") for card in cards[:limit]]
    _attach_cards(student, entries)
    return StudyQueue(
        entries=entries,
        counts={"cram": cards.count()},
        day_start=day_start,
        day_end=day_end,
        new_limit=0,
        new_today=0,
    )


CARD_STATE_FIELDS = [f.name for f in CardState._meta.concrete_fields]
CARD_FIELDS_OWN = ("id", "question", "question_set", "side", "ordinal")
CARD_FIELDS = tuple(f"card__{f}" for f in CARD_FIELDS_OWN)


def _attach_cards(student: User, entries: list[QueueEntry]) -> None:
    """Give every entry its card with question and choices, and its state.

    The queue queries already join card and question; what is left is the choices (only for
    the kinds that have any: flashcards and clozes, most of what is studied, have none) and
    the states of new cards that have a row (buried or flagged once): a query each, if needed.
    """
    if not entries:
        return
    missing_cards = [e for e in entries if e.card is None]
    if missing_cards:  # cram entries and callers that give states only
        cards = {
            card.pk: card
            for card in Card.objects.filter(
                pk__in=[e.state.card_id for e in missing_cards]
            ).select_related("question")
        }
        for entry in missing_cards:
            entry.card = cards[entry.state.card_id]
    with_choices = {e.card.question_id for e in entries if e.card.question.kind in CHOICE_KINDS}
    choices: dict[int, list[Choice]] = {qid: [] for qid in with_choices}
    if with_choices:
        for choice in Choice.objects.filter(question_id__in=with_choices).order_by(
            "question_id", "position", "id"
        ):
            choices[choice.question_id].append(choice)
    missing = [e for e in entries if e.state is None]
    if missing:
        states = {
            row.card_id: row
            for row in CardState.objects.filter(
                student=student, card_id__in=[e.card.pk for e in missing]
            )
        }
        for entry in missing:
            entry.state = states.get(entry.card.pk)
    for entry in entries:
        entry.card.question.prefetched_choices = choices.get(entry.card.question_id, [])


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


def _day_counts(moments, zone) -> dict[date, int]:
    counts: dict[date, int] = {}
    for moment in moments:
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
            round(sum(r["mastery"] or 0 for r in rows) / len(rows), 4) if rows else None
        ),
    }
