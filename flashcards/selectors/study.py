"""Study reads: what a student studies (scope) and the queue.

The counts per set, leeches and statistics are in flashcards/selectors/study_statistics.py;
the fixed statements in flashcards/selectors/sql/queue.py.

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
(`study_statistics.counts_by_set`), tested equal to the queue's counts set by set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import (
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
from flashcards.selectors.sql.queue import (
    CARD_FIELDS_OWN,
    CONTEXT_SQL,
    DUE_CARD_FIELDS,
    DUE_QUESTION_FIELDS,
    DUE_SQL,
    DUE_STATE_FIELDS,
    QUESTION_FIELDS,
    SETTINGS_FIELDS,
    settings_from_row,
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


def study_scope(
    user: User, *, set_id: int | None = None, classroom_id: int | None = None
) -> StudyScope:
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


def not_hidden(now: datetime) -> Q:
    return Q(suspended=False) & (Q(buried_until__isnull=True) | Q(buried_until__lte=now))


def _interleaved(queryset: QuerySet, order: list, limit: int) -> list:
    """Round-robin over sets: rank within each set by `order`, then take rank 1 of every set…"""
    ranked = queryset.annotate(
        set_rank=Window(RowNumber(), partition_by=[F("question_set_id")], order_by=order)
    )
    return list(ranked.order_by("set_rank", "question_set_id")[:limit])


@dataclass
class QueueContext:
    """Everything the queue needs besides the cards, read in one query."""

    counts: dict[str, int]
    not_new: int
    new_today: int
    total_cards: int
    settings: StudySettings | None


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
    n_state, n_card = len(DUE_STATE_FIELDS), len(DUE_CARD_FIELDS)
    entries = []
    for values in rows:
        state = sql.from_row(CardState, DUE_STATE_FIELDS, values[:n_state])
        card = sql.from_row(Card, DUE_CARD_FIELDS, values[n_state : n_state + n_card])
        question = sql.from_row(Question, DUE_QUESTION_FIELDS, values[n_state + n_card : -1])
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
    blocked = states.exclude(Q(state=CardState.State.NEW) & not_hidden(now))
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


def cram_queue(
    student: User, set_ids: list[int], *, limit: int = 1, now: datetime | None = None
) -> StudyQueue:
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
