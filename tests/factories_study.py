"""Factories and helpers for the study tests: sets a student may study, cards, states."""

from __future__ import annotations

from datetime import datetime

import factory

from flashcards.models import Card, CardState, Classroom, Membership, Question, QuestionSet
from flashcards.services.study import sync_cards
from tests.factories import ClassroomFactory, QuestionFactory, QuestionSetFactory, StudentFactory


def studyable_set(student, *, questions: int = 0, title: str | None = None, **kwargs):
    """A class-visible set assigned to a class the student belongs to, with flashcards."""
    kwargs.setdefault("visibility", QuestionSet.Visibility.CLASSES)
    question_set = QuestionSetFactory(**({"title": title} if title else {}), **kwargs)
    classroom = ClassroomFactory(owner=question_set.owner)
    classroom.question_sets.add(question_set)
    Membership.objects.create(classroom=classroom, user=student)
    for position in range(questions):
        QuestionFactory(question_set=question_set, position=position)
    sync_cards(questions=question_set.questions.all())
    return question_set


def join(student, classroom: Classroom) -> None:
    Membership.objects.get_or_create(classroom=classroom, user=student)


def cards_of(question_set) -> list[Card]:
    return list(
        Card.objects.filter(question_set=question_set).order_by(
            "question__position", "side", "ordinal"
        )
    )


def put_state(student, card: Card, *, state: int, due: datetime, **fields) -> CardState:
    """A card in a given scheduling state, as if it had been studied before."""
    defaults = {
        "question_set_id": card.question_set_id,
        "state": state,
        "due": due,
        "stability": fields.pop("stability", 5.0),
        "difficulty": fields.pop("difficulty", 5.0),
        "last_review": fields.pop("last_review", due),
        "step": fields.pop("step", 0 if state in (1, 3) else None),
        "reps": fields.pop("reps", 3),
        **fields,
    }
    row, _ = CardState.objects.update_or_create(student=student, card=card, defaults=defaults)
    return row


class ClozeQuestionFactory(QuestionFactory):
    kind = Question.Kind.CLOZE
    prompt = factory.Sequence(
        lambda n: (
            f"ReLU keeps {{{{c1::positive}}}} inputs and maps {{{{c2::negative}}}} ones to 0 ({n})"
        )
    )


__all__ = [
    "ClozeQuestionFactory",
    "StudentFactory",
    "cards_of",
    "join",
    "put_state",
    "studyable_set",
]
