"""factory_boy factories for the content model; every test builds exactly what it needs."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from flashcards.models import Choice, Classroom, NumericalAnswer, Question, QuestionSet

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    role = "student"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StudentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"student{n}")
    role = "student"


class InstructorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"instructor{n}")
    role = "instructor"


class QuestionSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionSet

    title = factory.Sequence(lambda n: f"Chapter {n}")
    owner = factory.SubFactory(InstructorFactory)
    visibility = QuestionSet.Visibility.PRIVATE


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    question_set = factory.SubFactory(QuestionSetFactory)
    kind = Question.Kind.FLASHCARD
    position = factory.Sequence(lambda n: n)
    prompt = factory.Sequence(lambda n: f"What does step {n} of SGD do?")
    answer = "It updates the weights by a small step against the gradient."


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, kind=Question.Kind.MULTIPLE_CHOICE)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Option {n}")
    is_correct = False


class NumericalAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NumericalAnswer

    question = factory.SubFactory(QuestionFactory, kind=Question.Kind.NUMERICAL)
    position = factory.Sequence(lambda n: n)
    value = 0.0
    tolerance = 0.0
    weight = 100


class ClassroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Classroom

    name = factory.Sequence(lambda n: f"Deep learning, group {n}")
    owner = factory.SubFactory(InstructorFactory)
