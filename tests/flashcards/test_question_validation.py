"""validate_question_data: the one definition of a well-formed question (no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from flashcards.services.content import validate_question_data


def errors_of(data: dict, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validate_question_data(data, **kwargs)
    return caught.value.message_dict


def mc(*choices, **extra) -> dict:
    return {
        "kind": "multiple_choice",
        "prompt": "Which of these is an activation function?",
        "choices": list(choices),
        **extra,
    }


def choice(text: str, correct: bool = False, **extra) -> dict:
    return {"text": text, "is_correct": correct, **extra}


def numerical(*answers) -> dict:
    return {"kind": "numerical", "prompt": "How many updates?", "numerical_answers": list(answers)}


def test_it_accepts_a_well_formed_question_of_every_kind():
    valid = [
        {
            "kind": "flashcard",
            "prompt": "What is a tensor's rank?",
            "answer": "Its number of axes.",
        },
        mc(choice("ReLU", True), choice("MNIST")),
        {"kind": "true_false", "prompt": "ReLU is linear.", "correct_boolean": False},
        numerical({"value": 2345, "tolerance": 0}),
        numerical({"minimum": 0.86, "maximum": 0.88}),
        {"kind": "short_answer", "prompt": "Name the loss.", "choices": [choice("MSE", True)]},
        {
            "kind": "free_text",
            "prompt": "Explain SGD.",
            "answer": "Step against the gradient.",
            "rubric": [{"criterion": "mentions the gradient", "points": 1}],
        },
        {"kind": "cloze", "prompt": "ReLU is {{c1::max(0, x)}}."},
        {
            "kind": "matching",
            "prompt": "Match.",
            "choices": [
                choice("sigmoid", match_text="(0, 1)"),
                choice("tanh", match_text="(-1, 1)"),
            ],
        },
        {"kind": "description", "prompt": "The next questions are about MNIST."},
    ]
    for data in valid:
        validate_question_data(data)


def test_it_rejects_an_unknown_kind():
    assert "kind" in errors_of({"kind": "essay", "prompt": "x"})


def test_it_rejects_a_blank_prompt():
    assert "prompt" in errors_of({"kind": "flashcard", "prompt": "  ", "answer": "a"})


def test_it_rejects_negative_points():
    data = {"kind": "flashcard", "prompt": "q", "answer": "a", "points": -1}
    assert "points" in errors_of(data)


def test_it_rejects_a_flashcard_without_a_back():
    assert "answer" in errors_of({"kind": "flashcard", "prompt": "q", "answer": ""})


def test_it_rejects_a_choice_list_without_a_correct_answer():
    errors = errors_of(mc(choice("ReLU"), choice("MNIST")))
    assert errors["choices"] == ["Mark at least one choice as correct."]


def test_it_rejects_multiple_choice_with_fewer_than_two_choices():
    errors = errors_of(mc(choice("ReLU", True)))
    assert errors["choices"] == ["A multiple-choice question needs at least two choices."]


def test_it_rejects_several_correct_choices_unless_several_answers_are_allowed():
    data = mc(choice("ReLU", True), choice("sigmoid", True), choice("MNIST"))
    assert "Only one choice can be correct" in errors_of(data)["choices"][0]
    validate_question_data({**data, "allow_multiple": True})


def test_it_points_at_the_choice_whose_text_is_blank():
    errors = errors_of(mc(choice("ReLU", True), choice(" ")))
    assert list(errors) == ["choices.1.text"]


def test_it_rejects_weights_outside_minus_100_to_100():
    errors = errors_of(mc(choice("ReLU", True, weight=150), choice("MNIST")))
    assert "choices.0.weight" in errors


def test_it_rejects_partial_credit_weights_that_do_not_add_up_to_100():
    data = mc(
        choice("ReLU", True, weight=50),
        choice("tanh", True, weight=30),
        choice("MNIST", weight=-50),
        allow_multiple=True,
    )
    assert "add up to 80%" in errors_of(data)["choices"][0]
    data["choices"][1]["weight"] = 50
    validate_question_data(data)


def test_it_rejects_a_correct_choice_worth_nothing():
    data = mc(choice("ReLU", True, weight=0), choice("MNIST"))
    assert "choices.0.weight" in errors_of(data)


def test_it_rejects_true_false_without_a_correct_boolean():
    errors = errors_of({"kind": "true_false", "prompt": "ReLU is linear."})
    assert "correct_boolean" in errors


def test_it_rejects_choices_on_a_kind_that_has_none():
    data = {"kind": "true_false", "prompt": "p", "correct_boolean": True}
    assert "choices" in errors_of({**data, "choices": [choice("x", True)]})


def test_it_rejects_a_numerical_question_without_answers():
    assert "numerical_answers" in errors_of(numerical())


def test_it_rejects_a_negative_tolerance():
    errors = errors_of(numerical({"value": 0.87, "tolerance": -0.01}))
    assert errors == {"numerical_answers.0.tolerance": ["The tolerance cannot be negative."]}


def test_it_rejects_a_range_whose_minimum_exceeds_its_maximum():
    errors = errors_of(numerical({"minimum": 2, "maximum": 1}))
    assert errors == {"numerical_answers.0.minimum": ["The minimum is greater than the maximum."]}


def test_it_rejects_half_a_range_and_a_value_with_a_range():
    assert "numerical_answers.0.maximum" in errors_of(numerical({"minimum": 1}))
    both = errors_of(numerical({"value": 1, "minimum": 0, "maximum": 2}))
    assert "numerical_answers.0.value" in both


def test_it_rejects_numbers_that_are_not_finite():
    errors = errors_of(numerical({"value": float("nan")}))
    assert "numerical_answers.0.value" in errors


def test_it_requires_one_numerical_answer_worth_full_marks():
    errors = errors_of(numerical({"value": 1, "weight": 50}))
    assert errors["numerical_answers"] == ["At least one answer must be worth 100%."]


def test_it_accepts_one_any_other_number_answer_worth_nothing_that_gives_feedback():
    validate_question_data(
        numerical({"value": 10}, {"weight": 0, "feedback": "Count the classes: one per digit."})
    )


def test_an_answer_without_a_number_must_be_worth_nothing_and_give_feedback():
    forgotten = errors_of(numerical({"value": 10}, {"feedback": "Close."}))
    assert list(forgotten) == ["numerical_answers.1.value"]
    assert forgotten["numerical_answers.1.value"][0].startswith("Give the correct value")
    silent = errors_of(numerical({"value": 10}, {"weight": 0}))
    assert list(silent) == ["numerical_answers.1.feedback"]
    twice = errors_of(
        numerical({"value": 10}, {"weight": 0, "feedback": "a"}, {"weight": 0, "feedback": "b"})
    )
    assert twice == {"numerical_answers": ["Only one answer can stand for any other number."]}


def test_it_rejects_a_negative_tolerance_even_on_the_any_other_number_answer():
    errors = errors_of(numerical({"value": 1}, {"weight": 0, "feedback": "x", "tolerance": -1}))
    assert list(errors) == ["numerical_answers.1.tolerance"]


def test_it_rejects_numerical_answers_on_another_kind():
    data = {"kind": "flashcard", "prompt": "q", "answer": "a"}
    assert "numerical_answers" in errors_of({**data, "numerical_answers": [{"value": 1}]})


def test_it_rejects_a_short_answer_without_an_accepted_answer():
    data = {"kind": "short_answer", "prompt": "Name it.", "choices": [choice("wrong")]}
    assert "choices" in errors_of(data)


def test_it_rejects_a_free_text_question_without_a_reference_answer():
    assert "answer" in errors_of({"kind": "free_text", "prompt": "Explain."})


def test_it_rejects_rubric_items_without_a_criterion_or_with_negative_points():
    data = {
        "kind": "free_text",
        "prompt": "Explain.",
        "answer": "Because.",
        "rubric": [{"criterion": "", "points": 1}, {"criterion": "clear", "points": -2}],
    }
    assert set(errors_of(data)) == {"rubric.0.criterion", "rubric.1.points"}


def test_it_rejects_a_cloze_without_deletions_or_with_an_unclosed_one():
    assert "prompt" in errors_of({"kind": "cloze", "prompt": "No gaps here."})
    assert "prompt" in errors_of({"kind": "cloze", "prompt": "Open {{c1::gap and more."})


def test_it_rejects_a_cloze_whose_gap_sits_inside_code():
    errors = errors_of({"kind": "cloze", "prompt": "Call `{{c1::loss.backward()}}` now."})
    assert "inside `code`" in errors["prompt"][0]


def test_it_rejects_a_matching_pair_without_its_match():
    data = {
        "kind": "matching",
        "prompt": "Match.",
        "choices": [choice("a", match_text="1"), choice("b")],
    }
    assert list(errors_of(data)) == ["choices.1.match_text"]


def test_a_matching_item_with_only_a_right_hand_side_is_a_distractor():
    pairs = [choice("sigmoid", match_text="(0, 1)"), choice("tanh", match_text="(-1, 1)")]
    validate_question_data(
        {
            "kind": "matching",
            "prompt": "Match.",
            "choices": [*pairs, choice("", match_text="[0, ∞)")],
        }
    )
    one_pair = {
        "kind": "matching",
        "prompt": "Match.",
        "choices": [pairs[0], choice("", match_text="x")],
    }
    assert errors_of(one_pair) == {"choices": ["A matching question needs at least two pairs."]}


@pytest.mark.parametrize("kind", ["short_answer", "matching"])
def test_it_rejects_a_choice_weight_the_database_cannot_hold_on_any_choice_kind(kind):
    choices = [
        choice("ReLU", True, match_text="max(0, x)", weight=150),
        choice("tanh", True, match_text="(-1, 1)"),
    ]
    errors = errors_of({"kind": kind, "prompt": "Name it.", "choices": choices})
    assert list(errors) == ["choices.0.weight"]


def test_it_reports_every_problem_at_once():
    data = {
        "kind": "numerical",
        "prompt": "",
        "points": -3,
        "numerical_answers": [{"value": 1, "tolerance": -1}, {"minimum": 5, "maximum": 4}],
    }
    assert set(errors_of(data)) == {
        "prompt",
        "points",
        "numerical_answers.0.tolerance",
        "numerical_answers.1.minimum",
    }


def test_it_skips_the_answers_when_asked_to_check_only_the_question_fields():
    validate_question_data(mc(), nested=False)


def test_a_free_text_question_written_here_needs_a_reference_answer():
    assert "answer" in errors_of({"kind": "free_text", "prompt": "Why stack layers?"})


def test_an_imported_free_text_question_may_lack_a_reference_answer():
    validate_question_data({"kind": "free_text", "prompt": "Why stack layers?"}, imported=True)


def test_importing_relaxes_only_the_reference_answer():
    assert "answer" in errors_of({"kind": "flashcard", "prompt": "Q"}, imported=True)
