"""Factories and a small "world" of users, a class and sets for the content API tests."""

from __future__ import annotations

from dataclasses import dataclass

from flashcards.models import Membership, Question, QuestionSet, User
from tests.factories import (
    ChoiceFactory,
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
)


def multiple_choice_question(question_set: QuestionSet, **kwargs) -> Question:
    question = QuestionFactory(
        question_set=question_set,
        kind=Question.Kind.MULTIPLE_CHOICE,
        prompt="Which function squashes any input into (0, 1)?",
        answer="The sigmoid, $\\sigma(x) = 1 / (1 + e^{-x})$.",
        **kwargs,
    )
    ChoiceFactory(question=question, text="sigmoid", is_correct=True, position=0)
    ChoiceFactory(question=question, text="ReLU", position=1)
    ChoiceFactory(question=question, text="identity", position=2)
    return question


@dataclass
class World:
    """Every role the authorization tests ask about, around one class and its set."""

    owner: User
    co_editor: User
    other_instructor: User
    student_in: User
    student_out: User
    classroom: object
    assigned_set: QuestionSet
    question: Question
    public_set: QuestionSet

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def build_world() -> World:
    owner = InstructorFactory(username="owner")
    co_editor = InstructorFactory(username="coeditor")
    other_instructor = InstructorFactory(username="other")
    student_in = StudentFactory(username="student_in")
    student_out = StudentFactory(username="student_out")
    assigned_set = QuestionSetFactory(
        owner=owner, title="Training a digit classifier", visibility=QuestionSet.Visibility.CLASSES
    )
    assigned_set.co_editors.add(co_editor)
    classroom = ClassroomFactory(owner=owner, name="Deep learning, spring")
    classroom.question_sets.add(assigned_set)
    Membership.objects.create(classroom=classroom, user=student_in)
    question = multiple_choice_question(assigned_set)
    public_set = QuestionSetFactory(
        owner=other_instructor, title="Public chapter", visibility=QuestionSet.Visibility.PUBLIC
    )
    QuestionFactory(question_set=public_set)
    return World(
        owner=owner,
        co_editor=co_editor,
        other_instructor=other_instructor,
        student_in=student_in,
        student_out=student_out,
        classroom=classroom,
        assigned_set=assigned_set,
        question=question,
        public_set=public_set,
    )
