"""Rating cards: the review log, idempotent submits, undo, leeches, quiz outcomes, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from flashcards.models import Card, CardState, Question, ReviewLog
from flashcards.scheduling import LEECH_LAPSES
from flashcards.services.study import (
    NothingToUndo,
    StaleCardState,
    StudyError,
    record_quiz_answer,
    submit_review,
    undo_last_review,
)
from tests.flashcards.factories import (
    ClozeQuestionFactory,
    QuestionFactory,
    StudentFactory,
    cards_of,
    put_state,
    studyable_set,
)

pytestmark = pytest.mark.django_db

SCHEDULE_FIELDS = [
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
    "is_leech",
    "introduced_at",
    "buried_until",
]


def schedule_of(student, card) -> dict:
    row = CardState.objects.filter(student=student, card=card).first()
    return {name: getattr(row, name) for name in SCHEDULE_FIELDS} if row else {}


def test_a_rating_is_logged_raw_with_the_state_before_and_after():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]

    outcome = submit_review(
        student=student, card_id=card.pk, rating=2, client_review_id="c-1", duration_ms=5400
    )

    review = ReviewLog.objects.get()
    assert outcome.created
    assert (review.rating, review.fsrs_rating, review.source) == (2, 1, "study")
    assert review.duration_ms == 5400
    assert review.client_review_id == "c-1"
    assert review.state_before["state"] == CardState.State.NEW
    assert review.state_after["state"] == CardState.State.LEARNING
    assert review.state_after["reps"] == 1
    state = CardState.objects.get(student=student, card=card)
    assert state.version == review.version_after == 1
    assert state.introduced_at == review.reviewed_at


def test_the_same_client_review_id_submitted_twice_is_stored_once():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    first = submit_review(student=student, card_id=card.pk, rating=4, client_review_id="same")
    schedule = schedule_of(student, card)

    again = submit_review(student=student, card_id=card.pk, rating=4, client_review_id="same")

    assert not again.created
    assert again.review.pk == first.review.pk
    assert ReviewLog.objects.count() == 1
    assert schedule_of(student, card) == schedule


def test_a_client_review_id_cannot_be_reused_for_another_card():
    student = StudentFactory()
    first, second = cards_of(studyable_set(student, questions=2))
    submit_review(student=student, card_id=first.pk, rating=4, client_review_id="dup")

    with pytest.raises(StudyError, match="another card"):
        submit_review(student=student, card_id=second.pk, rating=4, client_review_id="dup")
    assert ReviewLog.objects.count() == 1


def test_two_students_may_use_the_same_client_review_id():
    alice, bob = StudentFactory(), StudentFactory()
    card = cards_of(studyable_set(alice, questions=1))[0]
    from tests.flashcards.factories import join_class

    join_class(bob, card.question_set.classrooms.get())
    submit_review(student=alice, card_id=card.pk, rating=4, client_review_id="r1")
    submit_review(student=bob, card_id=card.pk, rating=3, client_review_id="r1")

    assert ReviewLog.objects.count() == 2


@pytest.mark.parametrize("rating", [0, 6, -1, "4", 3.5, True, None])
def test_it_rejects_a_rating_that_is_not_a_whole_number_from_1_to_5(rating):
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    with pytest.raises(StudyError, match="1 to 5"):
        submit_review(student=student, card_id=card.pk, rating=rating, client_review_id="x")
    assert not ReviewLog.objects.exists()
    assert not CardState.objects.exists()


def test_a_rating_of_a_card_version_the_student_did_not_see_is_refused():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    submit_review(
        student=student, card_id=card.pk, rating=4, client_review_id="a", expected_version=0
    )

    with pytest.raises(StaleCardState):
        submit_review(
            student=student, card_id=card.pk, rating=1, client_review_id="b", expected_version=0
        )
    assert ReviewLog.objects.count() == 1


def test_undo_restores_the_exact_previous_state_of_a_review_card():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    put_state(
        student,
        card,
        state=CardState.State.REVIEW,
        due=datetime.now(UTC) - timedelta(days=1),
        last_review=datetime.now(UTC) - timedelta(days=9),
        stability=8.25,
        difficulty=6.5,
        reps=7,
        lapses=2,
    )
    before = schedule_of(student, card)
    submit_review(student=student, card_id=card.pk, rating=1, client_review_id="fail")
    assert schedule_of(student, card) != before

    undo_last_review(student=student)

    assert schedule_of(student, card) == before
    assert ReviewLog.objects.get().undone_at is not None  # kept in the log, marked undone


def test_undo_walks_back_one_rating_at_a_time_to_a_new_card():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    submit_review(student=student, card_id=card.pk, rating=3, client_review_id="1")
    after_first = schedule_of(student, card)
    submit_review(student=student, card_id=card.pk, rating=5, client_review_id="2")

    undo_last_review(student=student)
    assert schedule_of(student, card) == after_first
    undo_last_review(student=student)
    restored = CardState.objects.get(student=student, card=card)
    assert restored.state == CardState.State.NEW
    assert (restored.stability, restored.due, restored.reps, restored.introduced_at) == (
        None,
        None,
        0,
        None,
    )
    with pytest.raises(NothingToUndo):
        undo_last_review(student=student)


def test_undo_is_refused_when_a_quiz_answer_changed_the_card_since():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    submit_review(student=student, card_id=card.pk, rating=4, client_review_id="s")
    record_quiz_answer(student=student, question=card.question, rating=1)

    with pytest.raises(NothingToUndo, match="changed"):
        undo_last_review(student=student)
    assert CardState.objects.get(student=student, card=card).reps == 2


def test_a_card_failed_for_the_eighth_time_after_being_learned_becomes_a_leech():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    put_state(
        student,
        card,
        state=CardState.State.REVIEW,
        due=datetime.now(UTC),
        last_review=datetime.now(UTC) - timedelta(days=3),
        lapses=LEECH_LAPSES - 1,
    )
    submit_review(student=student, card_id=card.pk, rating=2, client_review_id="lapse")

    state = CardState.objects.get(student=student, card=card)
    assert state.lapses == LEECH_LAPSES
    assert state.is_leech
    assert state.state == CardState.State.RELEARNING


def test_a_quiz_answer_reviews_every_card_of_the_question_except_a_reverse_side():
    student = StudentFactory()
    chapter = studyable_set(student)
    flashcard = QuestionFactory(question_set=chapter, has_reverse=True)
    cloze = ClozeQuestionFactory(question_set=chapter)

    record_quiz_answer(student=student, question=flashcard, rating=4)
    record_quiz_answer(student=student, question=cloze, rating=1)

    reviews = ReviewLog.objects.order_by("id")
    assert [(r.card.side, r.card.ordinal, r.rating, r.fsrs_rating) for r in reviews] == [
        ("front", 0, 4, 3),
        ("cloze", 1, 1, 1),
        ("cloze", 2, 1, 1),
    ]
    assert {r.source for r in reviews} == {"quiz"}
    assert Card.objects.filter(question=flashcard, side="reverse").exists()  # created, not rated
    states = CardState.objects.filter(student=student)
    assert states.count() == 3
    assert all(s.introduced_at is None for s in states)  # not counted as new cards studied


def test_a_quiz_answer_on_a_question_without_cards_is_ignored_and_answered_at_is_kept():
    student = StudentFactory()
    chapter = studyable_set(student)
    description = QuestionFactory(question_set=chapter, kind=Question.Kind.DESCRIPTION)
    record_quiz_answer(student=student, question=description, rating=4)
    assert not ReviewLog.objects.exists()

    choice = QuestionFactory(question_set=chapter, kind=Question.Kind.MULTIPLE_CHOICE)
    answered = datetime(2025, 1, 2, 10, 30, tzinfo=UTC)
    record_quiz_answer(student=student, question=choice, rating=4, answered_at=answered)
    assert ReviewLog.objects.get().reviewed_at == answered
    with pytest.raises(StudyError):
        record_quiz_answer(student=student, question=choice, rating=7)


# --- concurrency ------------------------------------------------------------------------------


def _race(calls):
    """Run the calls at the same moment in threads; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ratings_of_the_same_card_shown_once_apply_exactly_one():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]

    results = _race(
        [
            lambda: submit_review(
                student=student,
                card_id=card.pk,
                rating=4,
                client_review_id="tab-1",
                expected_version=0,
            ),
            lambda: submit_review(
                student=student,
                card_id=card.pk,
                rating=1,
                client_review_id="tab-2",
                expected_version=0,
            ),
        ]
    )

    stale = [r for r in results if isinstance(r, StaleCardState)]
    stored = [r for r in results if not isinstance(r, Exception)]
    assert len(stale) == 1, results
    assert len(stored) == 1, results
    state = CardState.objects.get(student=student, card=card)
    assert state.version == 1
    assert state.reps == 1
    assert ReviewLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_review_submitted_concurrently_is_stored_once():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    submit = lambda: submit_review(  # noqa: E731
        student=student, card_id=card.pk, rating=3, client_review_id="double-tap"
    )

    results = _race([submit, submit, submit])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.created for r in results) == [False, False, True]
    assert len({r.review.pk for r in results}) == 1
    assert ReviewLog.objects.count() == 1
    assert CardState.objects.get(student=student, card=card).reps == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_a_card_without_a_version_check_are_applied_one_after_another():
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]

    results = _race(
        [
            lambda i=i: submit_review(
                student=student, card_id=card.pk, rating=4, client_review_id=f"n{i}"
            )
            for i in range(4)
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    state = CardState.objects.get(student=student, card=card)
    assert state.reps == 4
    assert state.version == 4
    versions = sorted(ReviewLog.objects.values_list("version_after", flat=True))
    assert versions == [1, 2, 3, 4]  # serialised: none was applied to a stale state
