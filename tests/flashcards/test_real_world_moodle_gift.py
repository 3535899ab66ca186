"""tests/data/real_world/moodle_gift_export_deep_learning.txt, a GIFT file written the way
Moodle's GIFT export writes one (`// question: N  name:` comments, `$CATEGORY:`, `[html]` text
with its `=`, `:` and `#` escaped, weights like %33.33333%), with every GIFT question type:
description, essays with and without feedback, single and several-answer multiple choice,
true/false with feedback per answer, short answer, numerical, matching and the missing-word
form, `[html]` with a Moodle file image, a data: image and a table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flashcards.services.imports import import_questions
from tests.flashcards.factories import (
    MOODLE_CATEGORY,
    REAL_WORLD,
    InstructorFactory,
    preview_corpus_file,
    question_titled,
)

FILE = REAL_WORLD / "moodle_gift_export_deep_learning.txt"


@pytest.fixture(scope="module")
def parsed():
    return preview_corpus_file(FILE)


def test_it_is_detected_and_reads_twelve_questions_without_errors(parsed):
    assert parsed.format == "gift"
    assert parsed.errors == []
    assert [q.kind for q in parsed.questions] == [
        "description",
        "free_text",
        "free_text",
        "multiple_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "numerical",
        "matching",
        "true_false",
        "numerical",
        "multiple_choice",
    ]
    assert all(q.tags == [MOODLE_CATEGORY] for q in parsed.questions)


def test_essays_import_with_and_without_a_reference_answer(parsed):
    assert question_titled(parsed, "Why a loss function").answer == ""
    assert (
        question_titled(parsed, "Mini-batches").answer
        == "A few items at a time: one step per batch is cheap."
    )


def test_keys_and_weights(parsed):
    single = question_titled(parsed, "Which activation")
    assert [(c.text, c.is_correct, c.feedback) for c in single.choices] == [
        ("ReLU", True, "Yes: max(0, x)."),
        ("Sigmoid", False, "A sigmoid is never negative but is not zero either."),
        ("-", False, ""),
    ]
    assert single.general_feedback.startswith("It is zero for negative inputs")
    several = question_titled(parsed, "Optimisers")
    assert several.allow_multiple is True
    assert [c.weight for c in several.choices] == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
        Decimal("-100.00"),
    ]
    assert [(c.text, c.weight) for c in question_titled(parsed, "Library name").choices] == [
        ("PyTorch", Decimal("100.00")),
        ("torch", Decimal("50.00")),
    ]
    steps = question_titled(parsed, "Gradient steps")
    assert [(a.value, a.tolerance, a.weight) for a in steps.numerical_answers] == [
        (469.0, 0.0, Decimal("100.00")),
        (468.75, 0.3, Decimal("50.00")),
        (None, 0.0, Decimal("0")),
    ]
    assert [(c.text, c.match_text) for c in question_titled(parsed, "Shapes").choices][-1] == (
        "",
        "5",
    )
    missing = question_titled(parsed, "Missing word")
    assert missing.prompt == "A network is trained by _____ on the loss."


def test_true_false_feedback_is_kept_for_each_answer(parsed):
    softmax = question_titled(parsed, "Softmax sums to one")
    assert softmax.correct_boolean is True
    assert softmax.true_feedback == "Right: each output is divided by the sum of all of them."
    assert softmax.false_feedback == "Look at the denominator again."
    assert softmax.general_feedback == ""
    pixel = question_titled(parsed, "Embedded diagram")
    assert (pixel.correct_boolean, pixel.true_feedback, pixel.false_feedback) == (
        False,
        "A colour pixel has three channels.",
        "Yes: an RGB pixel is a vector.",
    )


def test_html_tables_survive_and_images_are_taken_out_with_a_warning_per_question(parsed):
    activation = question_titled(parsed, "Which activation")
    assert "| input | output |\n|---|---|\n| -2 | 0 |\n| 3 | 3 |" in activation.prompt
    assert "@@PLUGINFILE@@" not in activation.prompt
    assert "data:" not in question_titled(parsed, "Embedded diagram").prompt
    assert [(w.line, w.code) for w in parsed.warnings] == [
        (2, "category-as-tag"),
        (20, "image-not-imported"),
        (66, "image-not-imported"),
    ]
    assert "'relu-plot.png'" in parsed.warnings[1].message
    assert "embedded image/png image" in parsed.warnings[2].message


@pytest.mark.django_db
def test_it_saves_and_renders_tables_math_and_literal_options():
    outcome = import_questions(user=InstructorFactory(), data=FILE.read_bytes(), fmt="gift")
    assert outcome.saved
    assert outcome.created == 12
    questions = {q.title: q for q in outcome.question_set.questions.all()}
    activation = questions["Which activation"]
    assert "<table>" in activation.prompt_html
    assert "<img" not in activation.prompt_html
    assert activation.choices.get(text="-").text_html == "<p>-</p>"
    softmax = questions["Softmax sums to one"]
    assert "<math" in softmax.prompt_html
    assert softmax.true_feedback_html.startswith("<p>Right")
    assert "<math" in questions["Learning rate"].prompt_html
