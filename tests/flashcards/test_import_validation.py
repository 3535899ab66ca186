"""Imports check questions with the content service's rules (`validate_question_data`) and
report each breach at the question's line, under the name the file's author would use; only
what the database columns hold (sizes, precision) is checked by the import itself."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from flashcards.formats.base import ParsedChoice, ParsedQuestion, ParsedSet
from flashcards.models import Tag
from flashcards.selectors.content import question_data as stored_question_data
from flashcards.selectors.exports import question_set_as_parsed
from flashcards.services.content import validate_question_data
from flashcards.services.import_preview import (
    field_label,
    preview_import,
    question_problems,
    validate_parsed_set,
)
from flashcards.services.imports import import_questions
from tests.flashcards.factories import InstructorFactory, full_question_set


def json_file(*questions: dict) -> bytes:
    document = {"format": "quizsite-questions", "version": 1, "set": {}, "questions": questions}
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("path", "kind", "label"),
    [
        ("prompt", "flashcard", "question text"),
        ("answer", "flashcard", "back of the card"),
        ("answer", "free_text", "reference answer"),
        ("correct_boolean", "true_false", "true/false answer"),
        ("choices", "multiple_choice", "options"),
        ("choices.1.text", "multiple_choice", "option 2 text"),
        ("choices.0.weight", "short_answer", "accepted answer 1 weight"),
        ("choices.2.match_text", "matching", "pair 3 right-hand side"),
        ("numerical_answers.0.tolerance", "numerical", "numerical answer 1 tolerance"),
        ("rubric.1.criterion", "free_text", "rubric item 2 criterion"),
    ],
)
def test_content_errors_are_named_as_the_author_knows_the_field(path, kind, label):
    assert field_label(path, kind) == label


def test_each_content_error_is_a_problem_at_the_questions_line():
    parsed = preview_import(
        data=b"Fine? {T}\n\n// a comment\n::Q2:: Units for ten digits? {#=%50%10:1}\n",
        fmt="gift",
    )
    assert [(p.line, p.column, p.message) for p in parsed.errors] == [
        (4, 7, "Question 2, numerical answers: At least one answer must be worth 100%.")
    ]


def test_a_multiple_choice_question_with_two_right_answers_in_a_single_answer_question_is_refused():
    # GIFT's `{=a =b ~c}`: Moodle gives full marks for either; quizsite's single-answer
    # questions have one key, so the file says what to change instead of guessing.
    parsed = preview_import(data=b"Which is an optimiser?{=SGD =Adam ~ReLU}", fmt="gift")
    (error,) = parsed.errors
    assert (error.line, error.column) == (1, 1)
    assert error.message == (
        "Question 1, options: Only one choice can be correct unless the question allows "
        "several answers."
    )


def test_the_same_rules_as_the_editor_apply_to_every_kind():
    """Nothing the content rules refuse gets in through a file, and their messages say why."""
    cases = [
        ({"kind": "flashcard", "prompt": "Front"}, "back of the card"),
        ({"kind": "true_false", "prompt": "ReLU is linear."}, "true/false answer"),
        ({"kind": "cloze", "prompt": "Call `{{c1::backward()}}` now."}, "question text"),
        (
            {
                "kind": "numerical",
                "prompt": "Units?",
                "numerical_answers": [{"value": 10, "weight": "50"}],
            },
            "numerical answers",
        ),
        (
            {
                "kind": "short_answer",
                "prompt": "Name it.",
                "choices": [{"text": "x", "is_correct": True, "weight": "150"}],
            },
            "accepted answer 1 weight",
        ),
    ]
    for question, label in cases:
        parsed = preview_import(data=json_file(question), fmt="json")
        assert [p.message.split(": ")[0] for p in parsed.errors] == [f"Question 1, {label}"]


def test_the_import_checks_what_the_database_columns_hold():
    question = ParsedQuestion(
        kind="multiple_choice",
        prompt="Which?",
        title="t" * 201,
        points=Decimal("1.005"),
        version=0,
        position=-1,
        choices=[
            ParsedChoice("ReLU", True, Decimal("100.001")),
            ParsedChoice("tanh", False, position=2**31),
        ],
    )
    problems = dict(question_problems(question))
    assert problems == {
        "title": "It is longer than 200 characters.",
        "points": "1.005 has more than two decimal places.",
        "version": "It must be a whole number from 1 to 2,147,483,647.",
        "position": "It must be a whole number from 0 to 2,147,483,647.",
        "option 1 weight": "100.001 has more than two decimal places.",
        "option 2 position": "It must be a whole number from 0 to 2,147,483,647.",
    }


@pytest.mark.parametrize("points", ["1.500", "0E-10", "12.5"])
def test_trailing_zeros_are_not_extra_decimal_places(points):
    question = ParsedQuestion(kind="flashcard", prompt="Q", answer="A", points=Decimal(points))
    assert question_problems(question) == []


def test_numbers_far_out_of_range_are_reported_not_raised():
    parsed = preview_import(
        data=json_file(
            {
                "kind": "multiple_choice",
                "prompt": "Which?",
                "points": "1E+40",
                "choices": [
                    {"text": "a", "is_correct": True, "weight": "1E+40"},
                    {"text": "b", "weight": "-1.0000000000000000000000000000000001"},
                ],
            }
        ),
        fmt="json",
    )
    assert {p.message.split(":")[0] for p in parsed.errors} == {
        "Question 1, points",
        "Question 1, option 1 weight",
        "Question 1, option 2 weight",
    }


def test_tags_longer_than_the_column_are_shortened_with_a_warning():
    question = ParsedQuestion(kind="flashcard", prompt="Front", answer="Back", tags=["x" * 70])
    parsed = ParsedSet(questions=[question])
    validate_parsed_set(parsed)
    assert parsed.errors == []
    (warning,) = parsed.warnings
    assert "shortened to 64 characters" in warning.message


@pytest.mark.django_db
def test_imported_tags_are_normalised_like_the_editors_keeping_the_first_spelling():
    owner = InstructorFactory()
    data = b"// [tag:Chapter  4]\n// [tag:chapter 4]\n// [tag:MNIST]\nSigmoid is bounded.{T}\n"
    outcome = import_questions(user=owner, data=data, fmt="gift")
    question = outcome.question_set.questions.get()
    assert sorted(question.tags.values_list("name", flat=True)) == ["Chapter 4", "MNIST"]


@pytest.mark.django_db
def test_a_tag_that_differs_only_in_case_reuses_the_existing_tag():
    Tag.objects.create(name="mnist")
    outcome = import_questions(
        user=InstructorFactory(), data=b"// [tag:MNIST]\nSigmoid is bounded.{T}\n", fmt="gift"
    )
    assert list(outcome.question_set.questions.get().tags.values_list("name", flat=True)) == [
        "mnist"
    ]
    assert Tag.objects.count() == 1


@pytest.mark.django_db
def test_the_full_test_set_is_well_formed_by_the_content_rules():
    question_set = full_question_set()
    for question in question_set.questions.all():
        validate_question_data(stored_question_data(question))
    assert all(not question_problems(q) for q in question_set_as_parsed(question_set).questions)


@pytest.mark.django_db
def test_every_imported_question_passes_the_content_rules_again_once_stored():
    owner = InstructorFactory()
    data = (
        b"Sigmoid is bounded.{T#Look again.#Yes.}\n\n"
        b"Units for ten digits? {#10:0 ~#One per digit.}\n\n"
        b"Why stack non-linear layers?{####Linear layers collapse into one.}\n\n"
        b"Pair them. {=ReLU -> max(0,x) =Sigmoid -> 1/(1+e^-x) = -> tanh(x)}\n"
    )
    outcome = import_questions(user=owner, data=data, fmt="gift")
    assert outcome.saved, outcome.problems
    questions = list(outcome.question_set.questions.order_by("position"))
    for question in questions:
        validate_question_data(stored_question_data(question))
    true_false, numerical, essay, matching = questions
    assert true_false.choices.count() == 0
    # Each feedback is kept for its own answer, not merged into the general feedback.
    assert (true_false.true_feedback, true_false.false_feedback) == ("Yes.", "Look again.")
    assert true_false.general_feedback == ""
    assert [(a.value, a.weight) for a in numerical.numerical_answers.all()][-1] == (None, 0)
    assert essay.answer == "Linear layers collapse into one."
    assert [c.text for c in matching.choices.all()] == ["ReLU", "Sigmoid", ""]


@pytest.mark.django_db
def test_an_imported_essay_without_a_reference_answer_survives_a_json_round_trip():
    from flashcards.selectors.exports import export_question_set

    owner = InstructorFactory()
    first = import_questions(user=owner, data=b"Why stack layers?{}\n", fmt="gift")
    exported = export_question_set(question_set=first.question_set, fmt="json")
    again = import_questions(user=owner, data=exported.content, fmt="json")
    assert again.saved, again.problems
    assert again.question_set.questions.get().answer == ""
