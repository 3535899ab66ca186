"""factory_boy factories for the quiz tests; the questions, classes and students they are
built from come from tests/flashcards/factories.py."""

from __future__ import annotations

import factory

from quizzes.models import Quiz
from tests.flashcards.factories import InstructorFactory, QuestionSetFactory


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
