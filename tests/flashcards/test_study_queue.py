"""The study queue: what comes next, in which order, and how many new cards a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flashcards.models import CardState, ReviewLog, StudySettings
from flashcards.selectors.study import cram_queue, study_queue, study_scope
from flashcards.selectors.study_statistics import counts_by_set
from flashcards.services.study import bury_card, ensure_cards, set_suspended, submit_review
from tests.flashcards.factories import STUDY_NOW as NOW
from tests.flashcards.factories import (
    ClassroomFactory,
    QuestionFactory,
    StudentFactory,
    cards_of,
    join_class,
    put_state,
    studyable_set,
)

pytestmark = pytest.mark.django_db


LEARNING, REVIEW, RELEARNING = CardState.State.LEARNING, CardState.State.REVIEW, 3


def queue_ids(student, sets, *, limit=50, now=NOW):
    queue = study_queue(student, [s.pk for s in sets], limit=limit, now=now)
    return [entry.card.pk for entry in queue.entries], queue


def test_learning_cards_due_now_come_before_due_reviews_which_come_before_new_cards():
    student = StudentFactory()
    chapter = studyable_set(student, questions=3)
    new_card, review_card, learning_card = cards_of(chapter)
    put_state(student, review_card, state=REVIEW, due=NOW - timedelta(days=2))
    put_state(student, learning_card, state=LEARNING, due=NOW - timedelta(minutes=1))

    ids, queue = queue_ids(student, [chapter])

    assert ids == [learning_card.pk, review_card.pk, new_card.pk]
    assert [e.queue for e in queue.entries] == ["learning", "review", "new"]
    assert queue.counts == {"learning": 1, "review": 1, "new": 1}


def test_learning_cards_come_earliest_due_first_and_not_before_their_step_is_due():
    student = StudentFactory()
    chapter = studyable_set(student, questions=3)
    late, early, future = cards_of(chapter)
    put_state(student, late, state=RELEARNING, due=NOW - timedelta(minutes=1))
    put_state(student, early, state=LEARNING, due=NOW - timedelta(minutes=9))
    put_state(student, future, state=LEARNING, due=NOW + timedelta(minutes=5))
    StudySettings.objects.create(student=student, new_cards_per_day=0)

    ids, _ = queue_ids(student, [chapter])

    assert ids == [early.pk, late.pk]


def test_reviews_due_before_the_next_4am_local_are_due_today_and_later_ones_are_not():
    student = StudentFactory(time_zone="America/Sao_Paulo")  # UTC−3: 4 a.m. local = 07:00 UTC
    chapter = studyable_set(student, questions=2)
    tonight, tomorrow = cards_of(chapter)
    put_state(student, tonight, state=REVIEW, due=datetime(2025, 5, 15, 6, 59, tzinfo=UTC))
    put_state(student, tomorrow, state=REVIEW, due=datetime(2025, 5, 15, 7, 0, tzinfo=UTC))

    ids, queue = queue_ids(student, [chapter])

    assert ids == [tonight.pk]
    assert queue.day_end == datetime(2025, 5, 15, 7, 0, tzinfo=UTC)


def test_due_reviews_interleave_sets_and_keep_due_order_within_each_set():
    student = StudentFactory()
    first, second = studyable_set(student, questions=2), studyable_set(student, questions=2)
    a1, a2 = cards_of(first)
    b1, b2 = cards_of(second)
    put_state(student, a1, state=REVIEW, due=NOW - timedelta(days=5))
    put_state(student, a2, state=REVIEW, due=NOW - timedelta(days=4))
    put_state(student, b1, state=REVIEW, due=NOW - timedelta(days=1))
    put_state(student, b2, state=REVIEW, due=NOW - timedelta(hours=1))

    ids, _ = queue_ids(student, [first, second])

    assert ids == [a1.pk, b1.pk, a2.pk, b2.pk]


def test_new_cards_interleave_sets_in_the_authors_order_within_each_set():
    student = StudentFactory()
    first, second = studyable_set(student, questions=3), studyable_set(student, questions=2)
    a = cards_of(first)
    b = cards_of(second)

    ids, _ = queue_ids(student, [first, second])

    assert ids == [a[0].pk, b[0].pk, a[1].pk, b[1].pk, a[2].pk]


def test_a_flashcard_with_a_reverse_and_a_cloze_question_yield_one_card_per_side_and_gap():
    from tests.flashcards.factories import ClozeQuestionFactory

    student = StudentFactory()
    chapter = studyable_set(student)
    QuestionFactory(question_set=chapter, position=0, has_reverse=True)
    ClozeQuestionFactory(question_set=chapter, position=1)
    QuestionFactory(question_set=chapter, position=2, kind="description")

    ensure_cards(set_ids=[chapter.pk])  # what the next-card API does before every queue
    _ids, queue = queue_ids(student, [chapter])

    sides = [(e.card.question.position, e.card.side, e.card.ordinal) for e in queue.entries]
    assert sides == [(0, "front", 0), (0, "reverse", 0), (1, "cloze", 1), (1, "cloze", 2)]


def test_new_cards_stop_at_the_daily_limit_counted_over_all_sets():
    student = StudentFactory()
    StudySettings.objects.create(student=student, new_cards_per_day=3)
    first, second = studyable_set(student, questions=4), studyable_set(student, questions=4)
    for i, card in enumerate(cards_of(first)[:2]):
        submit_review(student=student, card_id=card.pk, rating=4, client_review_id=f"r{i}")

    now = datetime.now(UTC)
    ids, queue = queue_ids(student, [second], now=now)

    assert len(ids) == 1  # 3 a day, 2 already introduced today (in another set)
    assert queue.new_today == 2
    assert queue.counts["new"] == 1


def test_the_new_card_allowance_resets_at_4am_local_time_not_at_midnight(time_machine):
    student = StudentFactory(time_zone="Asia/Tokyo")  # UTC+9: 4 a.m. local = 19:00 UTC
    StudySettings.objects.create(student=student, new_cards_per_day=2)
    chapter = studyable_set(student, questions=6)
    cards = cards_of(chapter)
    time_machine.move_to(datetime(2025, 5, 14, 14, 30, tzinfo=UTC), tick=False)  # 23:30 local
    for i, card in enumerate(cards[:2]):
        submit_review(student=student, card_id=card.pk, rating=4, client_review_id=f"a{i}")
    assert queue_ids(student, [chapter], now=datetime.now(UTC))[1].counts["new"] == 0

    time_machine.move_to(datetime(2025, 5, 14, 18, 59, tzinfo=UTC), tick=False)  # 03:59 local
    assert queue_ids(student, [chapter], now=datetime.now(UTC))[1].counts["new"] == 0

    time_machine.move_to(datetime(2025, 5, 14, 19, 0, tzinfo=UTC), tick=False)  # 04:00 local
    _ids, queue = queue_ids(student, [chapter], now=datetime.now(UTC))
    assert queue.counts["new"] == 2
    assert queue.new_today == 0


def test_at_the_same_instant_students_in_different_time_zones_are_on_different_study_days(
    time_machine,
):
    tokyo = StudentFactory(time_zone="Asia/Tokyo")
    lisbon = StudentFactory(time_zone="Europe/Lisbon")  # UTC+1 in May
    for student in (tokyo, lisbon):
        StudySettings.objects.create(student=student, new_cards_per_day=1)
    chapter = studyable_set(tokyo, questions=3)
    join_class(lisbon, chapter.classrooms.get())
    first = cards_of(chapter)[0]
    # 18:00 UTC on the 14th: 03:00 on the 15th in Tokyo, 19:00 on the 14th in Lisbon.
    time_machine.move_to(datetime(2025, 5, 14, 18, 0, tzinfo=UTC), tick=False)
    for student in (tokyo, lisbon):
        submit_review(student=student, card_id=first.pk, rating=4, client_review_id="x")

    # 19:30 UTC: Tokyo's day rolled over at 04:00 (19:00 UTC); Lisbon's is still the 14th.
    time_machine.move_to(datetime(2025, 5, 14, 19, 30, tzinfo=UTC), tick=False)
    now = datetime.now(UTC)
    assert queue_ids(tokyo, [chapter], now=now)[1].counts["new"] == 1
    assert queue_ids(lisbon, [chapter], now=now)[1].counts["new"] == 0


def test_suspended_cards_never_appear_and_buried_ones_return_on_the_next_study_day(
    time_machine,
):
    student = StudentFactory(time_zone="Europe/Copenhagen")  # UTC+2 in May
    chapter = studyable_set(student, questions=3)
    suspended, buried, plain = cards_of(chapter)
    time_machine.move_to(datetime(2025, 5, 14, 20, 0, tzinfo=UTC), tick=False)
    set_suspended(student=student, card_id=suspended.pk, suspended=True)
    row = bury_card(student=student, card_id=buried.pk)
    assert row.buried_until == datetime(2025, 5, 15, 2, 0, tzinfo=UTC)  # 4 a.m. Copenhagen

    assert queue_ids(student, [chapter], now=datetime.now(UTC))[0] == [plain.pk]
    later = datetime(2025, 5, 15, 2, 0, tzinfo=UTC)
    assert queue_ids(student, [chapter], now=later)[0] == [buried.pk, plain.pk]


def test_a_class_scope_covers_only_that_class_sets_and_a_set_scope_only_that_set():
    student = StudentFactory()
    in_class = studyable_set(student, questions=1)
    other = studyable_set(student, questions=1)
    classroom = in_class.classrooms.get()

    by_class = study_scope(student, classroom_id=classroom.pk)
    by_set = study_scope(student, set_id=other.pk)
    everything = study_scope(student)

    assert by_class.set_ids == [in_class.pk]
    assert by_set.set_ids == [other.pk]
    assert sorted(everything.set_ids) == sorted([in_class.pk, other.pk])


def test_a_student_cannot_study_a_class_they_are_not_in():
    from django.http import Http404

    student = StudentFactory()
    with pytest.raises(Http404):
        study_scope(student, classroom_id=ClassroomFactory().pk)


def test_cram_mode_shows_cards_that_are_not_due_and_leaves_their_schedule_alone():
    student = StudentFactory()
    chapter = studyable_set(student, questions=2)
    far, other = cards_of(chapter)
    due = datetime.now(UTC) + timedelta(days=40)
    put_state(student, far, state=REVIEW, due=due, stability=30.0)
    put_state(student, other, state=REVIEW, due=due, stability=30.0)
    assert queue_ids(student, [chapter], now=datetime.now(UTC))[0] == []

    first = cram_queue(student, [chapter.pk], limit=1).entries[0].card
    before = CardState.objects.get(student=student, card=first)
    outcome = submit_review(
        student=student, card_id=first.pk, rating=1, client_review_id="cram-1", cram=True
    )
    after = CardState.objects.get(student=student, card=first)

    assert outcome.review.source == ReviewLog.Source.CRAM
    assert (after.state, after.due, after.stability, after.lapses, after.version) == (
        before.state,
        before.due,
        before.stability,
        before.lapses,
        before.version,
    )
    # The card just crammed goes to the back of the cram queue.
    assert cram_queue(student, [chapter.pk], limit=2).entries[0].card.pk != first.pk


def test_cards_follow_edits_of_their_question_and_questions_created_in_bulk():
    from flashcards.models import Card, Question
    from tests.flashcards.factories import ClozeQuestionFactory

    student = StudentFactory()
    chapter = studyable_set(student)
    cloze = ClozeQuestionFactory(question_set=chapter)
    ensure_cards(set_ids=[chapter.pk])
    assert Card.objects.filter(question=cloze).count() == 2

    cloze.prompt += " and {{c3::zero}} stays zero"
    cloze.save()
    imported = Question(
        question_set=chapter, kind=Question.Kind.TRUE_FALSE, prompt="ReLU is linear"
    )
    imported.render_rich_text_fields()
    Question.objects.bulk_create([imported])  # importers do this: no save(), no signals
    ensure_cards(set_ids=[chapter.pk])

    assert sorted(Card.objects.filter(question=cloze).values_list("ordinal", flat=True)) == [
        1,
        2,
        3,
    ]
    assert Card.objects.filter(question__kind=Question.Kind.TRUE_FALSE).count() == 1
    assert ensure_cards(set_ids=[chapter.pk]) == 0


def test_the_dashboards_counts_per_set_equal_each_sets_own_queue_counts():
    import random

    rng = random.Random(7)
    student = StudentFactory()
    sets = [studyable_set(student, questions=6) for _ in range(3)]
    StudySettings.objects.create(student=student, new_cards_per_day=4)
    for card in [c for s in sets for c in cards_of(s)]:
        if rng.random() < 0.6:
            put_state(
                student,
                card,
                state=rng.choice(list(CardState.State)),
                due=NOW + timedelta(hours=rng.uniform(-30, 30)),
                suspended=rng.random() < 0.15,
                buried_until=rng.choice([None, NOW - timedelta(hours=1), NOW + timedelta(hours=2)]),
                introduced_at=NOW - timedelta(hours=rng.uniform(0, 30)),
            )

    by_set = counts_by_set(student, [s.pk for s in sets], now=NOW)

    for chapter in sets:
        assert by_set[chapter.pk] == study_queue(student, [chapter.pk], limit=0, now=NOW).counts
