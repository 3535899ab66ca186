"""GIFT parsing, written from the examples in Moodle's GIFT documentation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flashcards.formats import gift
from flashcards.formats.base import ImportFormatError
from flashcards.services.import_preview import preview_import


def parse_one(text: str):
    parsed = gift.parse(text)
    assert parsed.errors == [], parsed.errors
    assert len(parsed.questions) == 1
    return parsed.questions[0]


def test_it_reads_multiple_choice_with_one_right_answer():
    question = parse_one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert question.kind == "multiple_choice"
    assert question.prompt == "Who's buried in Grant's tomb?"
    assert [(c.text, c.is_correct) for c in question.choices] == [
        ("Grant", False),
        ("Jefferson", False),
        ("no one", True),
    ]
    assert question.allow_multiple is False


def test_it_inserts_a_blank_for_the_missing_word_form():
    question = parse_one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.prompt == "Grant is _____ in Grant's tomb."
    assert [c.text for c in question.choices if c.is_correct] == ["entombed"]


def test_it_reads_answers_written_on_separate_indented_lines():
    question = parse_one(
        "The American holiday of Thanksgiving is celebrated on the {\n"
        "    ~second\n    ~third\n    =fourth\n} Thursday of November."
    )
    assert question.prompt.endswith("on the _____ Thursday of November.")
    assert [c.text for c in question.choices] == ["second", "third", "fourth"]


def test_it_reads_short_answer_with_several_accepted_answers():
    question = parse_one("Two plus two equals {=four =4}.")
    assert question.kind == "short_answer"
    assert question.prompt == "Two plus two equals _____."
    assert [(c.text, c.is_correct) for c in question.choices] == [("four", True), ("4", True)]


@pytest.mark.parametrize(
    ("block", "expected"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)]
)
def test_it_reads_true_false_in_every_spelling(block, expected):
    question = parse_one(f"Grant is buried in Grant's tomb.{block}")
    assert question.kind == "true_false"
    assert question.correct_boolean is expected


def test_true_false_feedback_is_kept_for_each_answer_apart_from_the_general_feedback():
    parsed = gift.parse(
        "The sun rises in the west.{FALSE#Think of a sunrise.#Right, east.####Earth turns east.}"
    )
    (question,) = parsed.questions
    assert (question.correct_boolean, question.choices) == (False, [])
    # The first '#' is shown for the wrong answer (true), the second for the right one (false).
    assert (question.true_feedback, question.false_feedback) == (
        "Think of a sunrise.",
        "Right, east.",
    )
    assert question.general_feedback == "Earth turns east."
    assert parsed.problems == []


def test_an_essay_without_a_reference_answer_imports_as_free_text_without_one():
    parsed = preview_import(data=b"::Q8:: How are you? {}\n\nIs ReLU linear?{F}\n", fmt="gift")
    assert parsed.errors == []
    essay = parsed.questions[0]
    assert (essay.kind, essay.answer, essay.title) == ("free_text", "", "Q8")


def test_an_essay_reads_its_general_feedback_as_the_reference_answer():
    question = parse_one("Why stack non-linear layers?{####Linear layers collapse into one.}")
    assert question.kind == "free_text"
    assert (question.answer, question.general_feedback) == ("Linear layers collapse into one.", "")


def test_it_reads_matching_pairs():
    question = parse_one(
        "Match the following countries with their corresponding capitals. {\n"
        "   =Canada -> Ottawa\n   =Italy  -> Rome\n   =Japan  -> Tokyo\n   =India  -> New Delhi\n}"
    )
    assert question.kind == "matching"
    assert [(c.text, c.match_text) for c in question.choices] == [
        ("Canada", "Ottawa"),
        ("Italy", "Rome"),
        ("Japan", "Tokyo"),
        ("India", "New Delhi"),
    ]


def test_a_matching_pair_without_a_left_side_is_a_distractor():
    question = parse_one("Pair them. {=ReLU -> max(0,x) =Sigmoid -> 1/(1+e^-x) = -> tanh(x)}")
    assert [(c.text, c.match_text) for c in question.choices][-1] == ("", "tanh(x)")


def test_it_reads_numerical_with_a_tolerance():
    question = parse_one("When was Ulysses S. Grant born?{#1822:5}")
    assert question.kind == "numerical"
    (answer,) = question.numerical_answers
    assert (answer.value, answer.tolerance, answer.weight) == (1822.0, 5.0, Decimal(100))


def test_it_reads_numerical_ranges():
    question = parse_one("What is the value of pi (to 3 decimal places)? {#3.141..3.142}.")
    (answer,) = question.numerical_answers
    assert (answer.minimum, answer.maximum, answer.value) == (3.141, 3.142, None)
    assert question.prompt.endswith("places)? _____.")


def test_it_reads_several_weighted_numerical_answers_with_feedback():
    question = parse_one(
        "When was Ulysses S. Grant born? {#\n"
        "    =1822:0      # Correct! Full credit.\n"
        "    =%50%1822:2  # He was born in 1822. Half credit for being close.\n}"
    )
    first, second = question.numerical_answers
    assert (first.value, first.tolerance, first.weight) == (1822.0, 0.0, Decimal(100))
    assert first.feedback == "Correct! Full credit."
    assert (second.value, second.tolerance, second.weight) == (1822.0, 2.0, Decimal(50))
    assert second.feedback.startswith("He was born in 1822.")


def test_numerical_wrong_answer_feedback_is_the_any_other_number_answer():
    question = parse_one("How many output units for 10 digits? {#10:0 ~#Count the classes.}")
    other = question.numerical_answers[-1]
    assert (other.value, other.minimum, other.maximum) == (None, None, None)
    assert other.weight == 0
    assert other.feedback == "Count the classes."
    # ... which is a well-formed question by the content rules.
    assert preview_import(data=b"Units? {#10:0 ~#Count the classes.}", fmt="gift").errors == []


def test_it_reads_several_right_answers_with_weights_including_negative_ones():
    question = parse_one(
        "What two people are entombed in Grant's tomb? {\n"
        "   ~%-100%No one\n   ~%50%Grant\n   ~%50%Grant's wife\n   ~%-100%Grant's father\n}"
    )
    assert question.allow_multiple is True
    assert [(c.weight, c.is_correct) for c in question.choices] == [
        (Decimal(-100), False),
        (Decimal(50), True),
        (Decimal(50), True),
        (Decimal(-100), False),
    ]


def test_it_reads_per_answer_feedback_and_general_feedback():
    question = parse_one(
        "What's between orange and green in the spectrum?\n"
        "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow "
        "####The spectrum runs red, orange, yellow, green.}"
    )
    assert [c.feedback for c in question.choices] == [
        "right; good!",
        "wrong, it's yellow",
        "wrong, it's yellow",
    ]
    assert question.general_feedback == "The spectrum runs red, orange, yellow, green."


def test_titles_comments_and_descriptions_are_read():
    parsed = gift.parse(
        "// a comment line\n::Q1:: 1+1=2 {T}\n\n"
        "::Intro::You are about to answer questions about activations.\n\n"
        "::Q8:: How are you? {}\n"
    )
    assert parsed.errors == []
    kinds = [(q.title, q.kind) for q in parsed.questions]
    assert kinds == [("Q1", "true_false"), ("Intro", "description"), ("Q8", "free_text")]
    assert parsed.questions[0].prompt == "1+1=2"


def test_escaped_special_characters_are_literal():
    question = parse_one(r"Which is \{not\} a sign\: {=a \= b ~c \~ d ~e \# f}")
    assert question.prompt == "Which is {not} a sign:"
    assert [c.text for c in question.choices] == ["a = b", "c ~ d", "e # f"]


def test_an_escaped_newline_becomes_a_line_break():
    question = parse_one(r"First line\nsecond line{=yes ~no}")
    assert question.prompt == "First line\nsecond line"


def test_text_formats_are_recognised_and_html_becomes_markdown():
    markdown = parse_one("[markdown]What does **ReLU** return for -3?{=0 ~-3}")
    assert markdown.prompt == "What does **ReLU** return for -3?"
    html = parse_one("[html]<p>Pick the <b>activation</b></p>{=ReLU ~SGD}")
    assert html.prompt == "Pick the **activation**"
    plain = parse_one("::T::[plain]Plain text{=a ~b}")
    assert plain.prompt == "Plain text"


def test_categories_become_tags_and_are_reported():
    parsed = gift.parse(
        "$CATEGORY: $course$/top/Activations\n\nWhich is an activation?{=ReLU ~Adam}\n"
    )
    assert parsed.questions[0].tags == ["Activations"]
    assert any("categories" in problem.message for problem in parsed.warnings)


def test_tag_comments_above_a_question_become_its_tags():
    parsed = gift.parse("// [tag:activations] [tag:easy]\nIs ReLU linear?{F}\n")
    assert parsed.questions[0].tags == ["activations", "easy"]


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("Fine question{T}\n\nBroken {=a ~b\n", 3, 8, "never closed"),
        ("Stray } brace {=a ~b}", 1, 7, "without an opening"),
        ("::Unclosed title {T}", 1, 1, "title"),
        ("Pick {~a ~b}", 1, 7, "correct"),
        ("Number {#abc}", 1, 10, "not a number"),
        ("Weighted {~%200%a =b}", 1, 12, "outside"),
        ("Pairs {=a -> b =c}", 1, 17, "->"),
        ("Two blocks {=a} and {=b}", 1, 21, "one answer block"),
    ],
)
def test_malformed_questions_are_reported_with_line_and_column(text, line, column, fragment):
    parsed = gift.parse(text)
    matching = [p for p in parsed.errors if fragment in p.message]
    assert matching, parsed.problems
    assert (matching[0].line, matching[0].column) == (line, column)


def test_a_broken_question_does_not_hide_the_others():
    parsed = gift.parse("Good one{T}\n\nBad one {=a\n\nAnother good one{F}\n")
    assert [q.prompt for q in parsed.questions] == ["Good one", "Another good one"]
    assert len(parsed.errors) == 1


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFormatError, match="empty"):
        gift.parse(b"   \n\n")


def test_a_file_of_only_comments_has_no_questions():
    parsed = gift.parse("// nothing here\n// at all\n")
    assert parsed.errors
    assert "No GIFT questions" in parsed.errors[0].message


def test_a_category_path_keeps_its_case_and_a_long_one_is_shortened_with_a_warning():
    long_path = "Deep learning/" + "Chapter on stochastic gradient descent and friends/" * 2
    parsed = preview_import(
        data=f"$CATEGORY: $course$/top/{long_path}\n\nIs SGD stochastic?{{T}}\n".encode(),
        fmt="gift",
    )
    (question,) = parsed.questions
    assert question.tags == [long_path.strip("/")]
    (shortened,) = [w for w in parsed.warnings if "shortened" in w.message]
    assert shortened.line == 3
