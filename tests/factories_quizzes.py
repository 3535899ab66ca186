"""Factories and small builders for quiz tests: quizzes, numerical answers, classes with
students in them, and questions of each kind with their keys."""

from __future__ import annotations

import factory

from flashcards.models import Membership, Question, Tag
from quizzes.models import Quiz
from tests.factories import (
    ChoiceFactory,
    ClassroomFactory,
    InstructorFactory,
    NumericalAnswerFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"topic-{n}")


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Quiz {n}")
    owner = factory.SubFactory(InstructorFactory)
    question_set = factory.SubFactory(QuestionSetFactory, owner=factory.SelfAttribute("..owner"))
    selection = Quiz.Selection.WHOLE_SET

    @factory.post_generation
    def classrooms(self, create, extracted, **kwargs):
        if create and extracted:
            self.classrooms.set(extracted)


def join(classroom, *students) -> None:
    for student in students:
        Membership.objects.create(classroom=classroom, user=student)


def classroom_with_students(owner, count: int = 1):
    classroom = ClassroomFactory(owner=owner)
    students = [StudentFactory() for _ in range(count)]
    join(classroom, *students)
    return classroom, students


def multiple_choice(question_set, *, correct=("right",), wrong=("wrong",), **fields):
    question = QuestionFactory(
        question_set=question_set, kind=Question.Kind.MULTIPLE_CHOICE, **fields
    )
    for text in correct:
        ChoiceFactory(question=question, text=text, is_correct=True)
    for text in wrong:
        ChoiceFactory(question=question, text=text, is_correct=False)
    return question


def true_false(question_set, *, correct: bool = True, **fields):
    return QuestionFactory(
        question_set=question_set, kind=Question.Kind.TRUE_FALSE, correct_boolean=correct, **fields
    )


def numerical(question_set, *, value: float, tolerance: float = 0.0, **fields):
    question = QuestionFactory(question_set=question_set, kind=Question.Kind.NUMERICAL, **fields)
    NumericalAnswerFactory(question=question, value=value, tolerance=tolerance)
    return question


def short_answer(question_set, *, accepted=("ReLU",), **fields):
    question = QuestionFactory(question_set=question_set, kind=Question.Kind.SHORT_ANSWER, **fields)
    for text in accepted:
        ChoiceFactory(question=question, text=text, is_correct=True)
    return question


def free_text(question_set, **fields):
    fields.setdefault("answer", "The loss is what the optimiser minimises; a metric is for people.")
    fields.setdefault(
        "rubric",
        [
            {"criterion": "Names the loss", "points": 1},
            {"criterion": "Names the metric", "points": 1},
        ],
    )
    return QuestionFactory(question_set=question_set, kind=Question.Kind.FREE_TEXT, **fields)


def choice_id(question, text: str) -> int:
    return question.choices.get(text=text).pk
