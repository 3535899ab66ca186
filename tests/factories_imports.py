"""Builders for import/export tests: a set holding every question kind with every field set.

Every question is well formed by `validate_question_data` (checked by a test), so what the
round trips compare is content the editor and the API could have made.
"""

from __future__ import annotations

from decimal import Decimal

from flashcards.models import Choice, NumericalAnswer, Question, QuestionSet, Tag
from tests.factories import InstructorFactory, QuestionSetFactory


def full_question_set(owner=None, **kwargs) -> QuestionSet:
    owner = owner or InstructorFactory()
    question_set = QuestionSetFactory(
        owner=owner,
        title=kwargs.pop("title", "Activations and optimisers"),
        description="Everything from **chapter 4**.",
        language="pt-br",
        **kwargs,
    )
    question_set.tags.add(Tag.objects.get_or_create(name="chapter-4")[0])

    def question(kind, position, **fields):
        return Question.objects.create(
            question_set=question_set, kind=kind, position=position, **fields
        )

    card = question(
        "flashcard",
        0,
        prompt="What does ReLU do to negative inputs?",
        answer="It maps them to zero.",
        has_reverse=True,
        title="ReLU",
        points=Decimal("2.50"),
        version=3,
    )
    card.tags.add(
        Tag.objects.get_or_create(name="activations")[0],
        Tag.objects.get_or_create(name="two words")[0],
    )
    mc = question(
        "multiple_choice",
        2,
        prompt="Which are optimisers?",
        allow_multiple=True,
        general_feedback="Optimisers update weights.",
        answer="Adam and SGD.",
    )
    Choice.objects.create(
        question=mc,
        position=0,
        text="Adam",
        is_correct=True,
        weight=Decimal("50.00"),
        feedback="Yes: adaptive moments.",
    )
    Choice.objects.create(
        question=mc, position=1, text="SGD", is_correct=True, weight=Decimal("50.00")
    )
    Choice.objects.create(
        question=mc,
        position=2,
        text="Softmax {not} #1",
        is_correct=False,
        weight=Decimal("-33.33"),
        feedback="That is an output function.",
    )
    single = question(
        "multiple_choice", 3, prompt="Pick the activation: _____ is piecewise linear."
    )
    Choice.objects.create(question=single, position=0, text="ReLU", is_correct=True)
    Choice.objects.create(question=single, position=1, text="Sigmoid", is_correct=False)
    question(
        "true_false",
        4,
        prompt="Sigmoid outputs lie in (0, 1).",
        correct_boolean=True,
        general_feedback="Look at the curve: it never reaches 0 or 1.",
    )
    numerical = question(
        "numerical",
        5,
        prompt="How many updates: 60000 images, batch 128, 5 epochs?",
        general_feedback="ceil(60000/128) * 5",
    )
    NumericalAnswer.objects.create(
        question=numerical, position=0, value=2345.0, tolerance=0.0, feedback="Exactly."
    )
    NumericalAnswer.objects.create(
        question=numerical, position=1, minimum=2300.0, maximum=2400.0, weight=Decimal("50.00")
    )
    NumericalAnswer.objects.create(  # "any other number"
        question=numerical, position=2, weight=Decimal("0.00"), feedback="Count batches per epoch."
    )
    short = question("short_answer", 6, prompt="Name the function max(0, x).", case_sensitive=False)
    Choice.objects.create(question=short, position=0, text="ReLU", is_correct=True)
    Choice.objects.create(
        question=short,
        position=1,
        text="rectifier",
        is_correct=True,
        weight=Decimal("75.00"),
        feedback="Also called ReLU.",
    )
    matching = question("matching", 7, prompt="Match each function with its range.")
    Choice.objects.create(
        question=matching, position=0, text="sigmoid", is_correct=True, match_text="(0, 1)"
    )
    Choice.objects.create(
        question=matching, position=1, text="tanh", is_correct=True, match_text="(-1, 1)"
    )
    Choice.objects.create(  # a distractor: a right-hand side that matches nothing
        question=matching, position=2, text="", is_correct=True, match_text="[0, ∞)"
    )
    question(
        "free_text",
        8,
        prompt="Why do we need non-linearities?\nExplain briefly.",
        answer="Stacked linear layers collapse into one.",
        rubric=[{"criterion": "mentions composition", "points": 1.0}],
    )
    question(
        "cloze",
        9,
        prompt="{{c1::Backpropagation}} applies the {{c2::chain rule}}.",
        answer="Computed from the loss backwards.",
    )
    question("description", 10, prompt="The next questions are about **optimisers**.")
    return question_set


def snapshot(question_set: QuestionSet) -> list[dict]:
    """Every stored field of every question, without ids and timestamps, for comparisons."""
    rows = []
    skip = {"id", "question_set", "created_at", "updated_at", "question"}
    for question in question_set.questions.order_by("position", "id"):
        row = {
            f.name: getattr(question, f.name)
            for f in Question._meta.concrete_fields
            if f.name not in skip
        }
        row["tags"] = sorted(question.tags.values_list("name", flat=True))
        row["choices"] = [
            {
                f.name: getattr(choice, f.name)
                for f in Choice._meta.concrete_fields
                if f.name not in skip
            }
            for choice in question.choices.order_by("position", "id")
        ]
        row["numerical_answers"] = [
            {
                f.name: getattr(answer, f.name)
                for f in NumericalAnswer._meta.concrete_fields
                if f.name not in skip
            }
            for answer in question.numerical_answers.order_by("position", "id")
        ]
        rows.append(row)
    return rows
