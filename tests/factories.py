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
    """A question with its study cards, as the question services save one.

    `cards=False` makes a question the way data written outside the services looks (no
    cards yet): what the repair command exists for.
    """

    class Meta:
        model = Question
        skip_postgeneration_save = True

    question_set = factory.SubFactory(QuestionSetFactory)
    kind = Question.Kind.FLASHCARD
    position = factory.Sequence(lambda n: n)
    prompt = factory.Sequence(lambda n: f"What does step {n} of SGD do?")
    answer = "It updates the weights by a small step against the gradient."

    @factory.post_generation
    def cards(question, create, extracted, **kwargs):
        if create and extracted is not False:
            from flashcards.services.study import sync_cards

            sync_cards(questions=[question])


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
