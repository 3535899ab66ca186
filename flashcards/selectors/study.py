"""Study reads: what a student studies (scope), the queue, leeches and statistics.

The queue, in order (each rule is tested in tests/flashcards/test_study_queue.py):
1. learning and relearning cards whose step is due now, earliest first;
2. review cards due before the end of the student's study day (4 a.m. local), sets
   interleaved — the first due card of each set, then the second of each, …;
3. new cards, up to what is left of the daily new-card limit, sets interleaved in the same way
   (within a set in the author's order).
Suspended cards and cards buried until a later time never appear.  Cram mode ignores the
schedule: every card of the scope that is not suspended, least recently seen first.

Counts (learning / review / new per scope) come from one indexed statement per request, not a
maintained summary table.  Why: "due" is a function of the clock — a card becomes due without
any write — so a summary would need either a per-minute sweep or a "due before" bucket that is
recomputed on read anyway, and every review, undo, bury, suspend, quiz answer, parameter refit
and question edit would have to keep it right under concurrency.  The statement
(`CONTEXT_SQL`) counts over the (student, state, due) and (student, set) indexes of the
student's own state rows — at most the few thousand cards a student has seen, whatever the
number of reviews — so its cost does not grow with history (the review log is never read on
the hot path).  The dashboard takes all its sets' counts in three grouped statements
(`counts_by_set`), tested equal to the queue's counts set by set.

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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
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
from flashcards.selectors import sql
from flashcards.selectors.content import (
    readable_set_for_study,
    sets_studied_by,
    sets_visible_to,
    studied_set_ids,
)

LEARNING_STATES = (CardState.State.LEARNING, CardState.State.RELEARNING)
NEW_STATE = CardState.State.NEW
CHOICE_KINDS = {  # the kinds whose cards carry their choices (see study_faces.choice_faces)
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
    """The sets a study request covers: one set, a class's sets, or all of the student's,
    less what study must never show (quiz-only sets, a quiz in progress: `sets_studied_by`)."""
    if set_id is not None:
        question_set, withheld = readable_set_for_study(user, set_id)
        if question_set is None:
            raise Http404("No question set matches the given query.")
        return StudyScope(set_ids=[] if withheld else [question_set.pk], question_set=question_set)
    if classroom_id is not None:
        classroom = get_object_or_404(
            Classroom.objects.filter(Q(members=user) | Q(owner=user)).distinct(), pk=classroom_id
        )
        set_ids = list(
            sets_visible_to(user)
            .filter(classrooms=classroom)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return StudyScope(set_ids=sets_studied_by(user, set_ids), classroom=classroom)
    return StudyScope(set_ids=studied_set_ids(user))  # the study rule is in its statement


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


_SETTINGS_FIELD_OBJECTS = [StudySettings._meta.get_field(name) for name in SETTINGS_FIELDS]


def settings_from_row(student: User, values) -> StudySettings:
    """A student's settings from raw values of `SETTINGS_FIELDS`, as the hot-path SQL reads them."""
    settings_row = sql.from_row(StudySettings, _SETTINGS_FIELD_OBJECTS, values)
    settings_row.student = student
    return settings_row


@dataclass
class QueueContext:
    """Everything the queue needs besides the cards, read in one query."""

    counts: dict[str, int]
    not_new: int
    new_today: int
    total_cards: int
    settings: StudySettings | None


STATES = CardState._meta.db_table
CARDS = Card._meta.db_table
QUESTIONS = Question._meta.db_table
SETTINGS_TABLE = StudySettings._meta.db_table
NOT_HIDDEN_SQL = "NOT s.suspended AND (s.buried_until IS NULL OR s.buried_until <= %s)"

# One row: the queue's counts, each a COUNT over an index of the student's states ((student,
# state, due) for learning and review, (student, set) for the rest), the scope's number of
# cards (the (set) index of cards) and the student's settings.  {sets} is the scope's set id
# placeholders.  Cards are made when questions are saved, sets assigned and classes joined
# (services/study/cards.py), so nothing here checks whether they are current.
CONTEXT_SQL = f"""
SELECT
  (SELECT COUNT(*) FROM {STATES} s
    WHERE s.student_id = %s AND s.state IN (%s, %s) AND s.due <= %s
      AND s.question_set_id IN ({{sets}}) AND {NOT_HIDDEN_SQL}) AS learning,
  (SELECT COUNT(*) FROM {STATES} s
    WHERE s.student_id = %s AND s.state = %s AND s.due < %s
      AND s.question_set_id IN ({{sets}}) AND {NOT_HIDDEN_SQL}) AS review,
  (SELECT COUNT(*) FROM {STATES} s
    WHERE s.student_id = %s AND s.question_set_id IN ({{sets}})
      AND NOT (s.state = %s AND {NOT_HIDDEN_SQL})) AS not_new,
  (SELECT COUNT(*) FROM {STATES} s
    WHERE s.student_id = %s AND s.introduced_at >= %s AND s.introduced_at < %s) AS new_today,
  (SELECT COUNT(*) FROM {CARDS} c WHERE c.question_set_id IN ({{sets}})) AS total_cards,
  {", ".join(f"ss.{name} AS s_{name}" for name in SETTINGS_FIELDS)}
FROM (SELECT 1 AS one) one
LEFT JOIN {SETTINGS_TABLE} ss ON ss.student_id = %s
"""


def queue_context(
    student: User, set_ids: list[int], *, now: datetime, day_start: datetime, day_end: datetime
) -> QueueContext:
    """One query: the queue's counts, the scope's number of cards and the student's settings.

    Hand-written (see flashcards/selectors/sql/__init__.py for why);
    tests/flashcards/test_study_queue.py checks every count against the queue's rules on both
    backends.
    """
    sets, set_params = sql.in_list(set_ids)
    now_, start_, end_ = (sql.db_datetime(v) for v in (now, day_start, day_end))
    me, State = student.pk, CardState.State
    params = [
        *(me, State.LEARNING, State.RELEARNING, now_, *set_params, now_),
        *(me, State.REVIEW, end_, *set_params, now_),
        *(me, *set_params, State.NEW, now_),
        *(me, start_, end_),
        *set_params,
        me,
    ]
    row = sql.fetch_one(CONTEXT_SQL.format(sets=sets), params)
    settings_row = None
    if row["s_id"] is not None:
        settings_row = settings_from_row(student, [row[f"s_{name}"] for name in SETTINGS_FIELDS])
    return QueueContext(
        counts={"learning": row["learning"], "review": row["review"]},
        not_new=row["not_new"],
        new_today=row["new_today"],
        total_cards=row["total_cards"] if set_ids else 0,
        settings=settings_row,
    )


QUESTION_FIELDS = (
    "id",
    "kind",
    "title",
    "prompt_html",
    "answer_html",
    "question_set",
    "correct_boolean",
)
CARD_STATE_FIELDS = [f.name for f in CardState._meta.concrete_fields]
CARD_FIELDS_OWN = ("id", "question", "question_set", "side", "ordinal")
CARD_FIELDS = tuple(f"card__{f}" for f in CARD_FIELDS_OWN)


# Learning steps due now, earliest first, then the day's reviews interleaved by set: one
# query, ranked by a window over (learning or review, set) on the states alone; only the rows
# picked are joined to their card and question.
# Each table's columns are listed in model field order so that rows become instances directly.
def _loaded_fields(model, names=None) -> list:
    return [f for f in model._meta.concrete_fields if names is None or f.name in names]


_STATE, _CARD = _loaded_fields(CardState), _loaded_fields(Card, CARD_FIELDS_OWN)
_QUESTION = _loaded_fields(Question, QUESTION_FIELDS)
_STATE_COLUMNS = [f.column for f in _STATE]
_CARD_COLUMNS = [f.column for f in _CARD]
_QUESTION_COLUMNS = [f.column for f in _QUESTION]
DUE_SQL = f"""
SELECT {", ".join(f"s.{c}" for c in _STATE_COLUMNS)},
       {", ".join(f"c.{c}" for c in _CARD_COLUMNS)},
       {", ".join(f"q.{c}" for c in _QUESTION_COLUMNS)},
       picked.priority
FROM (
  SELECT ranked.id, ranked.priority, ranked.set_rank, ranked.question_set_id FROM (
    SELECT s.id, s.question_set_id,
           CASE WHEN s.state IN (%s, %s) THEN 0 ELSE 1 END AS priority,
           ROW_NUMBER() OVER (
             PARTITION BY CASE WHEN s.state IN (%s, %s) THEN 0 ELSE 1 END,
                          CASE WHEN s.state IN (%s, %s) THEN 0 ELSE s.question_set_id END
             ORDER BY s.due, s.id) AS set_rank
    FROM {STATES} s
    WHERE s.student_id = %s AND s.question_set_id IN ({{sets}}) AND {NOT_HIDDEN_SQL}
      AND ((s.state IN (%s, %s) AND s.due <= %s) OR (s.state = %s AND s.due < %s))
      AND s.card_id NOT IN ({{held}})
  ) ranked
  ORDER BY ranked.priority, ranked.set_rank, ranked.question_set_id
  LIMIT %s
) picked
JOIN {STATES} s ON s.id = picked.id
JOIN {CARDS} c ON c.id = s.card_id
JOIN {QUESTIONS} q ON q.id = c.question_id
ORDER BY picked.priority, picked.set_rank, picked.question_set_id
"""


def _due_entries(
    student: User,
    set_ids: list[int],
    *,
    now: datetime,
    day_end: datetime,
    limit: int,
    held: Sequence[int] = (),
) -> list[QueueEntry]:
    sets, set_params = sql.in_list(set_ids)
    held_marks, held_params = sql.in_list(held) if held else ("0", [])
    learning = (CardState.State.LEARNING, CardState.State.RELEARNING)
    now_ = sql.db_datetime(now)
    params = [
        *learning,
        *learning,
        *learning,
        student.pk,
        *set_params,
        now_,
        *learning,
        now_,
        CardState.State.REVIEW,
        sql.db_datetime(day_end),
        *held_params,
        limit,
    ]
    _, rows = sql.fetch_all(DUE_SQL.format(sets=sets, held=held_marks), params)
    n_state, n_card = len(_STATE), len(_CARD)
    entries = []
    for values in rows:
        state = sql.from_row(CardState, _STATE, values[:n_state])
        card = sql.from_row(Card, _CARD, values[n_state : n_state + n_card])
        question = sql.from_row(Question, _QUESTION, values[n_state + n_card : -1])
        card.question = question
        state.card = card
        state.student = student
        priority = values[-1]
        entries.append(QueueEntry(card, state, "learning" if priority == 0 else "review"))
    return entries


def study_queue(
    student: User,
    set_ids: list[int],
    *,
    limit: int = 1,
    now: datetime | None = None,
    settings_row: StudySettings | None = None,
    context: QueueContext | None = None,
    held: Sequence[int] = (),
) -> StudyQueue:
    """The next `limit` cards of the scope, in the order of the module docstring.

    `held`: cards the client already holds (shown or queued ahead): they are not handed out
    again, but still counted.  A card picked as new whose state, read afterwards, is no longer
    new (a rating committed between the two reads) is dropped rather than handed back with
    the state of a card that was just rated.
    """
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
    if limit and (counts["learning"] or counts["review"]):
        entries += _due_entries(student, set_ids, now=now, day_end=day_end, limit=limit, held=held)
    if counts["new"] and len(entries) < limit:
        entries += _new_entries(
            student, set_ids, now=now, limit=min(limit - len(entries), counts["new"]), held=held
        )
    attach_cards(student, entries)
    entries = [
        e for e in entries if e.queue != "new" or e.state is None or e.state.state == NEW_STATE
    ]
    return StudyQueue(
        entries=entries,
        counts=counts,
        day_start=day_start,
        day_end=day_end,
        new_limit=new_limit,
        new_today=context.new_today,
        settings=settings_row,
    )


def _new_entries(
    student: User, set_ids: list[int], *, now: datetime, limit: int, held: Sequence[int]
) -> list[QueueEntry]:
    """New cards, sets interleaved, in the author's order: one query.

    Each card comes with the id of its state row, if it has one (a new card once buried or
    flagged), read in the same statement as the rule that excludes studied cards, so only
    those rare rows cost a second query.
    """
    states = CardState.objects.filter(student=student, card=OuterRef("pk"))
    blocked = states.exclude(Q(state=CardState.State.NEW) & _not_hidden(now))
    cards = (
        Card.objects.filter(question_set_id__in=set_ids)
        .exclude(Exists(blocked))
        .select_related("question")
        .only(*CARD_FIELDS_OWN, *(f"question__{f}" for f in QUESTION_FIELDS))
        .annotate(state_id=Subquery(states.values("id")[:1]))
    )
    if held:
        cards = cards.exclude(pk__in=list(held))
    picked = _interleaved(
        cards,
        [F("question__position").asc(), F("question_id").asc(), F("side"), F("ordinal")],
        limit,
    )
    return [QueueEntry(card, None, "new") for card in picked]


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
    shown = _not_hidden(now)
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
    attach_cards(student, entries)
    return StudyQueue(
        entries=entries,
        counts={"cram": cards.count()},
        day_start=day_start,
        day_end=day_end,
        new_limit=0,
        new_today=0,
    )


def attach_cards(student: User, entries: list[QueueEntry]) -> None:
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
    # New cards with a state row (once buried or flagged); cram entries have no state yet.
    missing = [
        e for e in entries if e.state is None and getattr(e.card, "state_id", True) is not None
    ]
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
