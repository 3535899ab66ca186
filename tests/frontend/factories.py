"""Helpers for the page tests of studying and demos: a class with a set of flashcards."""

from __future__ import annotations

from flashcards.models import QuestionSet
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
    join_class,
)


def class_world(cards: int = 3) -> dict:
    """Owner, other instructor, a student in the class, one outside, and the class's set."""
    owner = InstructorFactory()
    question_set = QuestionSetFactory(
        owner=owner, visibility=QuestionSet.Visibility.CLASSES, title="Activation functions"
    )
    questions = [
        QuestionFactory(
            question_set=question_set,
            position=n,
            prompt=f"Card {n}: what range does $\\sigma$ map into?",
            answer=f"Answer {n}: the open interval (0, 1).",
        )
        for n in range(cards)
    ]
    classroom = ClassroomFactory(owner=owner, name="Deep learning 101")
    classroom.question_sets.add(question_set)
    student = StudentFactory()
    join_class(student, classroom)
    return {
        "owner": owner,
        "other_instructor": InstructorFactory(),
        "student": student,
        "outsider": StudentFactory(),
        "set": question_set,
        "questions": questions,
        "classroom": classroom,
    }
