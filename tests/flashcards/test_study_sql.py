"""The hand-written SQL of the study hot path answers exactly what the ORM rules answer.

The next-card request reads the student's sets, the queue's counts and the due cards through
fixed SQL (flashcards/selectors/sql/__init__.py says why).  Each test builds varied data and
compares that SQL with the same question put to the ORM, on SQLite and (with --postgres) PostgreSQL.
"""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q

from flashcards import scheduling
from flashcards.models import CardState, QuestionSet, StudySettings
from flashcards.selectors.content import (
    sets_studied_by_rule,
    sets_visible_to,
    studied_set_ids,
    visible_set_condition,
)
from flashcards.selectors.study import queue_context, study_queue
from flashcards.services.content import create_question
from tests.flashcards.factories import STUDY_NOW as NOW
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionSetFactory,
    StudentFactory,
    cards_of,
    join_class,
    put_state,
    studyable_set,
)

pytestmark = pytest.mark.django_db

VISIBILITIES = list(QuestionSet.Visibility)


def orm_studied_set_ids(user) -> list[int]:
    mine = sets_visible_to(user).filter(
        Q(classrooms__members=user) | Q(owner=user) | Q(co_editors=user)
    )
    return sets_studied_by_rule(
        user, list(mine.order_by("pk").values_list("pk", flat=True).distinct())
    )


def orm_visible_set_ids(user) -> list[int]:
    return list(sets_visible_to(user).order_by("pk").values_list("pk", flat=True))


def sql_visible_set_ids(user) -> list[int]:
    condition, params = visible_set_condition(user, "qs")
    table = QuestionSet._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT qs.id FROM {table} qs WHERE {condition} ORDER BY qs.id", params)
        return [row[0] for row in cursor.fetchall()]


def test_studied_and_visible_sets_in_sql_match_the_read_rule_for_every_relation_and_visibility():
    student, instructor = StudentFactory(), InstructorFactory()
    for user in (student, instructor):
        member_of = ClassroomFactory()
        join_class(user, member_of)
        owner_of = ClassroomFactory(owner=user)
        stranger_class = ClassroomFactory()
        for visibility, relation in itertools.product(
            VISIBILITIES, ["owner", "co-editor", "member", "class owner", "none"]
        ):
            question_set = QuestionSetFactory(
                visibility=visibility, owner=user if relation == "owner" else InstructorFactory()
            )
            if relation == "co-editor":
                question_set.co_editors.add(user)
            classroom = {"member": member_of, "class owner": owner_of}.get(relation, stranger_class)
            classroom.question_sets.add(question_set)

    for user in (student, instructor, StudentFactory(), AnonymousUser()):
        assert studied_set_ids(user) == (orm_studied_set_ids(user) if user.pk else [])
        assert sql_visible_set_ids(user) == orm_visible_set_ids(user)
    assert studied_set_ids(student), "the grid gives the student some sets to study"


def test_a_set_in_two_of_the_students_classes_is_studied_once():
    student = StudentFactory()
    question_set = studyable_set(student)
    second = ClassroomFactory()
    second.question_sets.add(question_set)
    join_class(student, second)

    assert studied_set_ids(student) == [question_set.pk]


def orm_counts(student, set_ids, *, now, day_start, day_end) -> dict:
    states = CardState.objects.filter(student=student)
    scoped = states.filter(question_set_id__in=set_ids)
    shown = Q(suspended=False) & (Q(buried_until__isnull=True) | Q(buried_until__lte=now))
    learning = Q(state__in=[CardState.State.LEARNING, CardState.State.RELEARNING])
    return {
        "learning": scoped.filter(shown, learning, due__lte=now).count(),
        "review": scoped.filter(shown, state=CardState.State.REVIEW, due__lt=day_end).count(),
        "not_new": scoped.exclude(Q(state=CardState.State.NEW) & shown).count(),
        "new_today": states.filter(introduced_at__gte=day_start, introduced_at__lt=day_end).count(),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_queue_counts_and_due_cards_match_the_orm_on_random_states(seed):
    rng = random.Random(seed)
    student = StudentFactory(time_zone="America/Sao_Paulo")
    sets = [studyable_set(student, questions=12) for _ in range(3)]
    outside = studyable_set(student, questions=4)  # studied, but not in the scope below
    for card in [c for s in [*sets, outside] for c in cards_of(s)]:
        state = rng.choice(list(CardState.State))
        put_state(
            student,
            card,
            state=state,
            due=NOW + timedelta(hours=rng.uniform(-72, 72)),
            suspended=rng.random() < 0.1,
            buried_until=rng.choice(
                [None, None, NOW - timedelta(hours=1), NOW + timedelta(hours=5)]
            ),
            introduced_at=NOW - timedelta(hours=rng.uniform(0, 48)),
        )
    set_ids = [s.pk for s in sets]
    zone = scheduling.student_zone(student.time_zone)
    day_start, day_end = scheduling.study_day_bounds(NOW, zone)
    bounds = {"now": NOW, "day_start": day_start, "day_end": day_end}

    context = queue_context(student, set_ids, **bounds)
    expected = orm_counts(student, set_ids, **bounds)

    assert {**context.counts, "not_new": context.not_new, "new_today": context.new_today} == (
        expected
    )
    assert context.total_cards == 36

    queue = study_queue(student, set_ids, limit=200, now=NOW, context=context)
    due = [e for e in queue.entries if e.queue in ("learning", "review")]
    assert len(due) == expected["learning"] + expected["review"]
    for entry in due:
        row = CardState.objects.get(pk=entry.state.pk)
        assert entry.state.card_id == row.card_id == entry.card.pk
        assert entry.state.due == row.due
        assert entry.state.suspended is False
        assert entry.card.question.prompt_html == row.card.question.prompt_html


def test_the_context_counts_a_question_saved_through_the_service_with_no_repair_needed():
    student = StudentFactory()
    question_set = studyable_set(student, questions=2)
    zone = scheduling.student_zone(student.time_zone)
    day_start, day_end = scheduling.study_day_bounds(NOW, zone)
    bounds = {"now": NOW, "day_start": day_start, "day_end": day_end}
    assert queue_context(student, [question_set.pk], **bounds).total_cards == 2

    create_question(
        question_set=question_set,
        data={"kind": "flashcard", "prompt": "What is a tensor?", "answer": "An n-d array."},
    )

    assert queue_context(student, [question_set.pk], **bounds).total_cards == 3


def test_an_empty_scope_counts_nothing_and_still_reads_the_settings():
    student = StudentFactory()
    StudySettings.objects.update_or_create(
        student=student,
        defaults={"desired_retention": 0.85, "learning_steps": [30, 300], "enable_fuzz": False},
    )
    zone = scheduling.student_zone(student.time_zone)
    day_start, day_end = scheduling.study_day_bounds(NOW, zone)

    context = queue_context(student, [], now=NOW, day_start=day_start, day_end=day_end)

    assert context.counts == {"learning": 0, "review": 0}
    assert context.total_cards == 0
    assert context.settings.desired_retention == 0.85
    assert context.settings.learning_steps == [30, 300]
    assert context.settings.enable_fuzz is False
