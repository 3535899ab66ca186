"""Grading of every question kind, from the snapshot an attempt keeps, with the edge cases:
tolerance bounds, partial credit, empty answers, and questions edited after an attempt began."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from flashcards.models import Question
from quizzes.grading.graders import correct_response, grade, study_rating
from quizzes.grading.matching import normalise_text
from quizzes.grading.responses import ResponseError, validate_response
from quizzes.grading.results import Status, mark_for, max_mark
from quizzes.snapshots import question_for_student, take_snapshot


def snap(kind: str, **fields) -> dict:
    base = {
        "question_id": 1,
        "version": 1,
        "kind": kind,
        "title": "",
        "prompt_html": "<p>?</p>",
        "answer_html": "<p>reference</p>",
        "general_feedback_html": "",
        "points": "1.00",
        "allow_multiple": False,
        "correct_boolean": None,
        "case_sensitive": False,
        "normalize_whitespace": True,
        "ignore_accents": False,
        "rubric": [],
        "choices": [],
    }
    base.update(fields)
    return base


def choice(cid, *, correct=False, weight=None, text=None, feedback="", match_text=""):
    return {
        "id": cid,
        "text": text if text is not None else f"option {cid}",
        "text_html": f"<p>option {cid}</p>",
        "is_correct": correct,
        "weight": None if weight is None else str(weight),
        "feedback_html": feedback,
        "match_text": match_text,
    }


def graded(snapshot, data, **kwargs):
    return grade(snapshot, validate_response(snapshot, data), **kwargs)


# --- multiple choice ---------------------------------------------------------------------------

SINGLE = snap(
    "multiple_choice",
    choices=[
        choice(1, correct=True, feedback="<p>Yes: it squashes into (0, 1).</p>"),
        choice(2, feedback="<p>That is tanh's range.</p>"),
        choice(3),
    ],
)


def test_a_single_answer_question_gives_full_marks_for_the_correct_choice():
    result = graded(SINGLE, {"choice": 1})
    assert result.status == Status.CORRECT
    assert result.fraction == 1
    assert result.feedback == ["<p>Yes: it squashes into (0, 1).</p>"]


def test_a_single_answer_question_gives_nothing_for_a_wrong_choice_and_shows_its_feedback():
    result = graded(SINGLE, {"choices": [2]})
    assert (result.status, result.fraction) == (Status.INCORRECT, 0)
    assert result.feedback == ["<p>That is tanh's range.</p>"]


def test_a_single_answer_question_refuses_two_choices():
    with pytest.raises(ResponseError) as error:
        validate_response(SINGLE, {"choices": [1, 2]})
    assert "choices" in error.value.errors


def test_it_rejects_a_choice_that_belongs_to_another_question():
    with pytest.raises(ResponseError) as error:
        validate_response(SINGLE, {"choices": [99]})
    assert error.value.errors == {"choices": ["Not a choice of this question: 99."]}


@pytest.mark.parametrize("data", [{"choices": ["1"]}, {"choices": [True]}, {"choices": 1}, "1"])
def test_it_rejects_choice_lists_that_are_not_lists_of_ids(data):
    with pytest.raises(ResponseError):
        validate_response(SINGLE, data)


def test_a_single_answer_choice_with_a_partial_weight_gives_partial_credit():
    snapshot = snap(
        "multiple_choice",
        points="2.00",
        choices=[choice(1, correct=True), choice(2, weight=50), choice(3, weight=-50)],
    )
    result = graded(snapshot, {"choice": 2})
    assert (result.status, result.fraction) == (Status.PARTIAL, Decimal("0.5"))
    assert mark_for(snapshot, result) == Decimal("1.0000")


def test_a_negative_weight_on_a_single_answer_never_gives_less_than_zero():
    snapshot = snap("multiple_choice", choices=[choice(1, correct=True), choice(2, weight=-50)])
    result = graded(snapshot, {"choice": 2})
    assert result.fraction == 0


MULTI_WEIGHTED = snap(
    "multiple_choice",
    allow_multiple=True,
    points="3.00",
    choices=[
        choice(1, correct=True, weight=50),
        choice(2, correct=True, weight=50),
        choice(3, weight=-100),
        choice(4, weight=-50),
    ],
)


@pytest.mark.parametrize(
    ("selected", "fraction", "status"),
    [
        ([1, 2], Decimal(1), Status.CORRECT),
        ([1], Decimal("0.5"), Status.PARTIAL),
        ([1, 2, 4], Decimal("0.5"), Status.PARTIAL),
        ([1, 4], Decimal(0), Status.INCORRECT),
        # 50 + 50 - 100 - 50 = -50%: clamped, a total never goes below zero.
        ([1, 2, 3, 4], Decimal(0), Status.INCORRECT),
        ([3], Decimal(0), Status.INCORRECT),
    ],
)
def test_multiple_answers_add_their_weights_and_the_total_never_goes_below_zero(
    selected, fraction, status
):
    result = graded(MULTI_WEIGHTED, {"choices": selected})
    assert (result.fraction, result.status) == (fraction, status)
    assert mark_for(MULTI_WEIGHTED, result) == (fraction * 3).quantize(Decimal("0.0001"))


MULTI_UNWEIGHTED = snap(
    "multiple_choice",
    allow_multiple=True,
    choices=[choice(1, correct=True), choice(2, correct=True), choice(3), choice(4), choice(5)],
)


def test_multiple_answers_without_weights_split_the_credit_between_the_correct_choices():
    assert graded(MULTI_UNWEIGHTED, {"choices": [1]}).fraction == Decimal("0.5")
    assert graded(MULTI_UNWEIGHTED, {"choices": [1, 2]}).fraction == 1


def test_ticking_every_box_of_an_unweighted_multiple_answer_question_scores_zero():
    assert graded(MULTI_UNWEIGHTED, {"choices": [1, 2, 3, 4, 5]}).fraction == 0
    # one wrong tick costs a third of the credit: 100% - 33.3%
    result = graded(MULTI_UNWEIGHTED, {"choices": [1, 2, 3]})
    assert result.fraction == Decimal("0.6666667")
    assert result.status == Status.PARTIAL


def test_an_empty_selection_is_unanswered_and_worth_nothing():
    assert validate_response(MULTI_UNWEIGHTED, {"choices": []}) is None
    result = grade(MULTI_UNWEIGHTED, None)
    assert (result.status, result.fraction) == (Status.UNANSWERED, 0)


def test_the_review_names_the_choices_that_earn_credit():
    assert correct_response(MULTI_WEIGHTED) == {"choices": [1, 2]}


# --- true / false ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "status"), [(True, Status.CORRECT), (False, Status.INCORRECT)])
def test_true_false_is_right_only_for_the_key(value, status):
    snapshot = snap("true_false", correct_boolean=True)
    assert graded(snapshot, {"value": value}).status == status


def test_true_false_refuses_text_for_a_boolean():
    with pytest.raises(ResponseError) as error:
        validate_response(snap("true_false", correct_boolean=False), {"value": "false"})
    assert error.value.errors == {"value": ["Must be true or false."]}


# --- numerical ---------------------------------------------------------------------------------


def numeric(*answers, points="1.00"):
    return snap("numerical", points=points, numerical_answers=list(answers))


def accepted(value=None, tolerance=0.0, minimum=None, maximum=None, weight=100, feedback=""):
    return {
        "id": 1,
        "value": value,
        "tolerance": tolerance,
        "minimum": minimum,
        "maximum": maximum,
        "weight": str(weight),
        "feedback_html": feedback,
    }


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("3.14", Status.CORRECT),
        ("3.13", Status.CORRECT),  # exactly on the lower bound
        (
            "3.15",
            Status.CORRECT,
        ),  # exactly on the upper bound (3.15 - 3.14 is 0.01000…02 in floats)
        ("3.1501", Status.INCORRECT),
        ("3.1299", Status.INCORRECT),
        ("3,14", Status.CORRECT),  # a decimal comma, as Danish and Portuguese students write
        (" 314e-2 ", Status.CORRECT),
    ],
)
def test_numerical_answers_accept_the_tolerance_bounds_inclusively(typed, status):
    snapshot = numeric(accepted(value=3.14, tolerance=0.01))
    assert graded(snapshot, {"value": typed}).status == status


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("1", Status.CORRECT),
        ("5", Status.CORRECT),
        ("0.999", Status.INCORRECT),
        ("5.0001", Status.INCORRECT),
    ],
)
def test_numerical_ranges_include_both_ends(typed, status):
    assert graded(numeric(accepted(minimum=1, maximum=5)), {"value": typed}).status == status


def test_a_negative_answer_typed_with_a_unicode_minus_is_read():
    assert graded(numeric(accepted(value=-2.0)), {"value": "\u22122"}).status == Status.CORRECT


def test_the_best_weighted_numerical_answer_wins_with_its_feedback():
    snapshot = numeric(
        accepted(value=2345, weight=100, feedback="<p>ceil(60000/128) x 5</p>"),
        accepted(value=2340, tolerance=10, weight=50, feedback="<p>Close: drop_last?</p>"),
    )
    exact = graded(snapshot, {"value": "2345"})
    assert (exact.fraction, exact.feedback) == (1, ["<p>ceil(60000/128) x 5</p>"])
    close = graded(snapshot, {"value": "2343"})
    assert (close.status, close.fraction, close.feedback) == (
        Status.PARTIAL,
        Decimal("0.5"),
        ["<p>Close: drop_last?</p>"],
    )


def test_the_any_other_number_answer_gives_its_feedback_only_when_nothing_else_matches():
    catch_all = {**accepted(weight=0, feedback="<p>Count the classes.</p>"), "id": 2}
    # Listed first on purpose: where the author put it must not matter.
    snapshot = numeric(
        catch_all,
        accepted(value=10, weight=100, feedback="<p>One per digit.</p>"),
        {**accepted(value=9, weight=0, feedback="<p>Zero is a digit too.</p>"), "id": 3},
    )
    assert graded(snapshot, {"value": "10"}).feedback == ["<p>One per digit.</p>"]
    assert graded(snapshot, {"value": "9"}).feedback == ["<p>Zero is a digit too.</p>"]
    wrong = graded(snapshot, {"value": "784"})
    assert (wrong.status, wrong.fraction, wrong.feedback) == (
        Status.INCORRECT,
        Decimal(0),
        ["<p>Count the classes.</p>"],
    )
    assert correct_response(snapshot) == {"accepted": ["10"]}


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "NaN", "Infinity", "1,000,000"])
def test_it_rejects_a_numerical_answer_that_is_not_a_finite_number(typed):
    with pytest.raises(ResponseError) as error:
        validate_response(numeric(accepted(value=1)), {"value": typed})
    assert list(error.value.errors) == ["value"]


def test_an_empty_numerical_answer_is_unanswered():
    snapshot = numeric(accepted(value=0))
    assert validate_response(snapshot, {"value": "  "}) is None
    assert grade(snapshot, None).status == Status.UNANSWERED


# --- short answer ------------------------------------------------------------------------------


def short(*texts, **options):
    return snap(
        "short_answer",
        choices=[choice(i, correct=True, text=text) for i, text in enumerate(texts, start=1)],
        **options,
    )


def test_short_answers_ignore_case_by_default_but_not_when_the_question_says_so():
    assert graded(short("ReLU"), {"text": "relu"}).status == Status.CORRECT
    assert graded(short("ReLU", case_sensitive=True), {"text": "relu"}).status == Status.INCORRECT
    assert graded(short("ReLU", case_sensitive=True), {"text": "ReLU"}).status == Status.CORRECT


def test_short_answers_collapse_whitespace_unless_told_not_to():
    assert graded(short("mini batch"), {"text": "  mini \t  batch "}).status == Status.CORRECT
    strict = short("mini batch", normalize_whitespace=False)
    assert graded(strict, {"text": "mini  batch"}).status == Status.INCORRECT


def test_short_answers_can_ignore_accents():
    question = short("função de ativação")
    assert graded(question, {"text": "funcao de ativacao"}).status == Status.INCORRECT
    relaxed = short("função de ativação", ignore_accents=True)
    assert graded(relaxed, {"text": "funcao de ativacao"}).status == Status.CORRECT


def test_composed_and_decomposed_accents_are_the_same_text_even_when_accents_count():
    decomposed = "func\u0327a\u0303o"  # ç and ã typed as letter + combining mark
    assert graded(short("função"), {"text": decomposed}).status == Status.CORRECT


def test_ignoring_accents_keeps_danish_letters_that_are_letters_of_their_own():
    relaxed = short("vægt", ignore_accents=True)
    assert graded(relaxed, {"text": "VÆGT"}).status == Status.CORRECT
    assert graded(relaxed, {"text": "vagt"}).status == Status.INCORRECT


def test_a_wildcard_accepts_any_text_in_its_place_and_an_escaped_star_is_literal():
    assert graded(short("*sigmoid*"), {"text": "the sigmoid function"}).status == Status.CORRECT
    assert graded(short(r"2\*3"), {"text": "2*3"}).status == Status.CORRECT
    assert graded(short(r"2\*3"), {"text": "2x3"}).status == Status.INCORRECT


def test_the_first_matching_short_answer_decides_so_a_catch_all_goes_last():
    snapshot = snap(
        "short_answer",
        choices=[
            choice(1, correct=True, text="gradient descent"),
            choice(2, weight=50, text="*descent*", feedback="<p>Which descent?</p>"),
            choice(3, weight=0, text="*", feedback="<p>Think of the update rule.</p>"),
        ],
    )
    assert graded(snapshot, {"text": "Gradient Descent"}).fraction == 1
    half = graded(snapshot, {"text": "steepest descent"})
    assert (half.fraction, half.feedback) == (Decimal("0.5"), ["<p>Which descent?</p>"])
    other = graded(snapshot, {"text": "backprop"})
    assert (other.status, other.feedback) == (
        Status.INCORRECT,
        ["<p>Think of the update rule.</p>"],
    )


def test_a_blank_short_answer_is_unanswered():
    assert validate_response(short("x"), {"text": "   "}) is None


# --- matching ----------------------------------------------------------------------------------

MATCHING = snap(
    "matching",
    points="3.00",
    stems=[
        {"id": 11, "text_html": "<p>sigmoid</p>", "match_text": "(0, 1)"},
        {"id": 12, "text_html": "<p>tanh</p>", "match_text": "(-1, 1)"},
        {"id": 13, "text_html": "<p>ReLU</p>", "match_text": "[0, ∞)"},
    ],
    match_options=["[0, ∞)", "(0, 1)", "(-1, 1)", "(-∞, ∞)"],
)


def test_matching_gives_credit_per_correct_pair():
    all_right = {"11": "(0, 1)", "12": "(-1, 1)", "13": "[0, ∞)"}
    assert graded(MATCHING, {"matches": all_right}).fraction == 1
    two = graded(MATCHING, {"matches": {"11": "(0, 1)", "12": "(-∞, ∞)", "13": "[0, ∞)"}})
    assert (two.status, mark_for(MATCHING, two)) == (Status.PARTIAL, Decimal("2.0000"))


def test_matching_refuses_options_and_items_it_does_not_have():
    with pytest.raises(ResponseError) as error:
        validate_response(MATCHING, {"matches": {"11": "(0, 2)", "99": "(0, 1)"}})
    assert len(error.value.errors["matches"]) == 2


def test_an_unmatched_matching_question_is_unanswered():
    assert validate_response(MATCHING, {"matches": {"11": ""}}) is None


# --- cloze -------------------------------------------------------------------------------------


def test_cloze_blanks_are_graded_one_by_one_with_the_normalisation_options():
    snapshot = snap(
        "cloze",
        points="2.00",
        cloze={
            "prompt_html": "",
            "blanks": [{"answer": "ReLU", "hint": ""}, {"answer": "zero", "hint": ""}],
        },
    )
    result = graded(snapshot, {"blanks": [" relu ", "one"]})
    assert (result.status, mark_for(snapshot, result)) == (Status.PARTIAL, Decimal("1.0000"))
    with pytest.raises(ResponseError):
        validate_response(snapshot, {"blanks": ["a", "b", "c"]})


# --- free text and flashcards ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "fraction"),
    [
        (1, Decimal(0)),
        (2, Decimal("0.25")),
        (3, Decimal("0.5")),
        (4, Decimal("0.75")),
        (5, Decimal(1)),
    ],
)
def test_a_free_text_answer_is_worth_what_the_student_rates_it(rating, fraction):
    snapshot = snap("free_text", points="4.00")
    result = graded(
        snapshot, {"text": "Loss drives SGD; accuracy is what we report."}, self_rating=rating
    )
    assert result.fraction == fraction
    assert mark_for(snapshot, result) == fraction * 4


def test_a_free_text_answer_waits_for_its_self_rating_and_counts_nothing_meanwhile():
    snapshot = snap("free_text")
    result = graded(snapshot, {"text": "something"})
    assert (result.status, mark_for(snapshot, result)) == (Status.AWAITING_SELF_RATING, 0)


def test_a_blank_free_text_answer_is_unanswered_whatever_the_rating():
    assert grade(snap("free_text"), None, self_rating=5).status == Status.UNANSWERED


def test_a_description_carries_no_points():
    snapshot = snap("description", points="1.00")
    assert max_mark(snapshot) == 0
    assert grade(snapshot, None).status == Status.UNGRADED


# --- spaced repetition ratings -----------------------------------------------------------------


def test_wrong_or_partly_right_answers_feed_a_lapse_and_right_ones_a_good():
    assert study_rating(SINGLE, graded(SINGLE, {"choice": 1}), self_rating=None) == 4
    assert study_rating(SINGLE, graded(SINGLE, {"choice": 2}), self_rating=None) == 1
    assert study_rating(SINGLE, grade(SINGLE, None), self_rating=None) == 1
    partial = graded(MULTI_UNWEIGHTED, {"choices": [1]})
    assert study_rating(MULTI_UNWEIGHTED, partial, self_rating=None) == 1


def test_free_text_feeds_the_students_own_rating():
    snapshot = snap("free_text")
    result = graded(snapshot, {"text": "x"}, self_rating=2)
    assert study_rating(snapshot, result, self_rating=2) == 2
    waiting = graded(snapshot, {"text": "x"})
    assert study_rating(snapshot, waiting, self_rating=None) is None


# --- properties ---------------------------------------------------------------------------------


@given(
    weights=st.lists(st.integers(min_value=-100, max_value=100), min_size=2, max_size=6),
    data=st.data(),
)
def test_any_selection_of_weighted_choices_scores_between_zero_and_one(weights, data):
    snapshot = snap(
        "multiple_choice",
        allow_multiple=True,
        choices=[choice(i, correct=w > 0, weight=w) for i, w in enumerate(weights, start=1)],
    )
    selected = data.draw(st.sets(st.sampled_from(range(1, len(weights) + 1))))
    result = grade(snapshot, validate_response(snapshot, {"choices": sorted(selected)}))
    assert 0 <= result.fraction <= 1


@given(st.text(max_size=40))
@example("𝔸")  # caseless, but NFKD makes it "A"
@example("İ")  # case folding adds a combining dot
def test_normalisation_is_idempotent(text):
    options = {"case_sensitive": False, "normalize_whitespace": True, "ignore_accents": True}
    once = normalise_text(text, **options)
    assert normalise_text(once, **options) == once


# --- snapshots: what students see, and edits after the attempt started ---------------------------


@pytest.mark.django_db
def test_a_snapshot_shown_to_a_student_gives_no_key_away():
    from tests.flashcards.factories import multiple_choice

    question = multiple_choice(_set(), correct=("sigmoid",), wrong=("tanh", "ReLU"))
    snapshot = take_snapshot(question, rng=random.Random(1), shuffle_choices=True)
    shown = question_for_student(snapshot)
    assert sorted(c["id"] for c in shown["choices"]) == sorted(c.pk for c in question.choices.all())
    text = repr(shown)
    for secret in ("is_correct", "weight", "feedback", "answer_html"):
        assert secret not in text


@pytest.mark.django_db
def test_grading_uses_the_question_as_given_even_after_it_is_edited():
    from tests.flashcards.factories import multiple_choice

    question = multiple_choice(_set(), correct=("0.87",), wrong=("0.13",), points=Decimal(2))
    snapshot = take_snapshot(question, rng=random.Random(1), shuffle_choices=False)
    right = question.choices.get(text="0.87")
    # The author swaps the key and doubles the points after the attempt has started.
    question.choices.update(is_correct=False)
    question.choices.filter(text="0.13").update(is_correct=True)
    question.points = Decimal(4)
    question.version += 1
    question.save()
    result = grade(snapshot, {"choices": [right.pk]})
    assert result.status == Status.CORRECT
    assert mark_for(snapshot, result) == Decimal(2)


@pytest.mark.django_db
def test_a_cloze_prompt_is_shown_with_its_blanks_hidden():
    question = Question.objects.create(
        question_set=_set(),
        kind=Question.Kind.CLOZE,
        prompt="{{c1::ReLU}} replaces negatives with {{c2::zero::a number}}.",
    )
    snapshot = take_snapshot(question, rng=random.Random(1), shuffle_choices=False)
    shown = question_for_student(snapshot)
    assert "ReLU" not in shown["prompt_html"]
    assert "zero" not in shown["prompt_html"]
    assert "[a number]" in shown["prompt_html"]
    assert shown["blanks"] == [{"hint": ""}, {"hint": "a number"}]
    assert graded(snapshot, {"blanks": ["relu", "Zero"]}).status == Status.CORRECT


@pytest.mark.django_db
def test_cloze_blanks_are_read_as_the_page_renders_them():
    question = Question.objects.create(
        question_set=_set(),
        kind=Question.Kind.CLOZE,
        prompt=(
            "The norm is {{c1::$\\sqrt{x^{2}}$}}, Anki bolds {{c2::**Softmax**}} "
            "and {{c3::SGD::[see](javascript:x) *this*}}."
        ),
    )
    snapshot = take_snapshot(question, rng=random.Random(1), shuffle_choices=False)
    assert [blank["answer"] for blank in snapshot["cloze"]["blanks"]] == [
        "$\\sqrt{x^{2}}$",
        "Softmax",
        "SGD",
    ]
    shown = question_for_student(snapshot)["prompt_html"]
    for hidden in ("sqrt", "}}", "Softmax"):
        assert hidden not in shown
    # The hint shows as typed: no link, no emphasis.
    assert "[see](javascript:x) *this*]" in shown
    assert "<a" not in shown
    assert "<em>" not in shown
    assert graded(snapshot, {"blanks": ["$\\sqrt{x^{2}}$", "softmax", "sgd"]}).status == (
        Status.CORRECT
    )


def _set():
    from tests.flashcards.factories import QuestionSetFactory

    return QuestionSetFactory()
