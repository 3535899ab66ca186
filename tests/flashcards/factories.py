"""factory_boy factories and builders for the content, study and import tests.

Every test builds exactly what it needs. One module for the `flashcards` app's rows; the
higher apps' factories (tests/training, tests/quizzes, tests/frontend) import from it. It runs
past 400 lines because `full_question_set` spells out every question kind field by field, as
the import/export round trips compare them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import factory
from django.contrib.auth import get_user_model

from flashcards.formats.base import ParsedQuestion, ParsedSet
from flashcards.models import (
    Card,
    CardState,
    Choice,
    Classroom,
    Membership,
    NumericalAnswer,
    Question,
    QuestionSet,
    Tag,
    User,
)
from flashcards.services.import_preview import preview_import
from flashcards.services.study import sync_cards

PASSWORD = "correct horse battery staple"
# The study tests' clock, one for the queue's ORM rules and their SQL twins.
STUDY_NOW = datetime(2025, 5, 14, 15, 0, tzinfo=UTC)


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


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"topic-{n}")


class ClozeQuestionFactory(QuestionFactory):
    kind = Question.Kind.CLOZE
    prompt = factory.Sequence(
        lambda n: (
            f"ReLU keeps {{{{c1::positive}}}} inputs and maps {{{{c2::negative}}}} ones to 0 ({n})"
        )
    )


def join_class(student, classroom: Classroom) -> None:
    """Make `student` a member of `classroom` (again: a no-op), as joining by code would."""
    Membership.objects.get_or_create(classroom=classroom, user=student)


def classroom_with_students(owner, count: int = 1):
    classroom = ClassroomFactory(owner=owner)
    students = [StudentFactory() for _ in range(count)]
    for student in students:
        join_class(student, classroom)
    return classroom, students


def assigned_set(*, classroom_name: str | None = None, **set_fields):
    """A class-visible set (unless `visibility` says otherwise) assigned to a new class of its
    owner; returns (set, class)."""
    set_fields.setdefault("visibility", QuestionSet.Visibility.CLASSES)
    question_set = QuestionSetFactory(**set_fields)
    classroom = ClassroomFactory(
        owner=question_set.owner, **({"name": classroom_name} if classroom_name else {})
    )
    classroom.question_sets.add(question_set)
    return question_set, classroom


def studyable_set(student, *, questions: int = 0, title: str | None = None, **kwargs):
    """A class-visible set assigned to a class the student belongs to, with flashcards."""
    question_set, classroom = assigned_set(**({"title": title} if title else {}), **kwargs)
    join_class(student, classroom)
    for position in range(questions):
        QuestionFactory(question_set=question_set, position=position)
    sync_cards(questions=question_set.questions.all())
    return question_set


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


def multiple_choice(question_set, *, correct=("right",), wrong=("wrong",), **fields):
    """A multiple-choice question: its right choices first, then the wrong ones, in order."""
    question = QuestionFactory(
        question_set=question_set, kind=Question.Kind.MULTIPLE_CHOICE, **fields
    )
    texts = [(text, True) for text in correct] + [(text, False) for text in wrong]
    for position, (text, is_correct) in enumerate(texts):
        ChoiceFactory(question=question, text=text, is_correct=is_correct, position=position)
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


def multiple_choice_question(question_set: QuestionSet, **kwargs) -> Question:
    """The sigmoid question: one right choice of three, with a formula in its answer."""
    return multiple_choice(
        question_set,
        correct=("sigmoid",),
        wrong=("ReLU", "identity"),
        prompt="Which function squashes any input into (0, 1)?",
        answer="The sigmoid, $\\sigma(x) = 1 / (1 + e^{-x})$.",
        **kwargs,
    )


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
    the_set, classroom = assigned_set(
        owner=owner, title="Training a digit classifier", classroom_name="Deep learning, spring"
    )
    the_set.co_editors.add(co_editor)
    join_class(student_in, classroom)
    question = multiple_choice_question(the_set)
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
        assigned_set=the_set,
        question=question,
        public_set=public_set,
    )


def full_question_set(owner=None, **kwargs) -> QuestionSet:
    """A set holding every question kind with every field set, for the import/export tests.

    Every question is well formed by `validate_question_data` (checked by a test), so what the
    round trips compare is content the editor and the API could have made.
    """
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


# --- the real-world import corpus (tests/data/real_world) -------------------------------------

REAL_WORLD = Path(__file__).resolve().parents[1] / "data" / "real_world"
# The Moodle category both Moodle exports of the corpus put their questions in.
MOODLE_CATEGORY = "Deep learning/Chapter 4"


def preview_corpus_file(path: Path) -> ParsedSet:
    """A corpus file parsed and checked as an upload of it would be (format detected)."""
    return preview_import(data=path.read_bytes(), filename=path.name)


def question_titled(parsed: ParsedSet, title: str) -> ParsedQuestion:
    """The one parsed question with this title (it fails when there are none or several)."""
    (question,) = [q for q in parsed.questions if q.title == title]
    return question
