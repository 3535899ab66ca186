"""tests/data/real_world/moodle_xml_export_deep_learning.xml, a Moodle XML export written the
way Moodle's question/format/xml writes one (CDATA, format="html", fractions like 33.33333,
<file> elements with base64, @@PLUGINFILE@@), with every core question type."""

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

FILE = REAL_WORLD / "moodle_xml_export_deep_learning.xml"


@pytest.fixture(scope="module")
def parsed():
    return preview_corpus_file(FILE)


def test_it_is_detected_and_reads_eleven_questions_without_errors(parsed):
    assert parsed.format == "moodlexml"
    assert parsed.errors == []
    assert parsed.counts_by_kind() == {
        "description": 1,
        "free_text": 2,
        "multiple_choice": 2,
        "true_false": 1,
        "short_answer": 1,
        "numerical": 2,
        "matching": 1,
        "cloze": 1,
    }
    assert all(q.tags == [MOODLE_CATEGORY] for q in parsed.questions)


def test_essays_import_with_and_without_a_reference_answer(parsed):
    assert question_titled(parsed, "Why a loss function").answer == ""
    assert question_titled(parsed, "Why a loss function").points == 2
    assert question_titled(parsed, "Mini-batches").answer.startswith("A few items at a time")


def test_multichoice_keys_weights_and_tables(parsed):
    single = question_titled(parsed, "Which activation")
    assert [(c.text, c.is_correct) for c in single.choices] == [
        ("ReLU", True),
        ("Sigmoid", False),
        ("-", False),
    ]
    assert "| input | output |\n|---|---|\n| -2 | 0 |" in single.prompt
    assert "@@PLUGINFILE@@" not in single.prompt
    several = question_titled(parsed, "Optimisers")
    assert several.allow_multiple is True
    assert [c.weight for c in several.choices] == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
        Decimal("-100.00"),
    ]
    assert several.points == 3


def test_true_false_short_answer_numerical_and_matching(parsed):
    true_false = question_titled(parsed, "Softmax sums to one")
    assert true_false.correct_boolean is True
    assert true_false.true_feedback.startswith("Right")
    assert true_false.false_feedback == "Look at the denominator again."
    short = question_titled(parsed, "Library name")
    assert short.case_sensitive is True
    assert [(c.text, c.weight) for c in short.choices] == [
        ("PyTorch", None),
        ("torch", Decimal("50.00")),
    ]
    numerical = question_titled(parsed, "Gradient steps")
    assert [(a.value, a.tolerance, a.weight) for a in numerical.numerical_answers] == [
        (469.0, 0.0, Decimal("100.00")),
        (468.75, 0.3, Decimal("50.00")),
        (None, 0.0, Decimal("0")),
    ]
    matching = question_titled(parsed, "Shapes")
    assert [(c.text, c.match_text) for c in matching.choices] == [
        ("A scalar", "0"),
        ("A batch of grey images", "3"),
        ("*", "1"),
        ("", "5"),
    ]


def test_calculated_and_multianswer_are_represented_as_numerical_and_cloze(parsed):
    calculated = question_titled(parsed, "Learning rate step")
    assert calculated.kind == "numerical"
    assert "A weight is 2.5, its gradient is 1.5" in calculated.prompt
    (answer,) = calculated.numerical_answers
    assert (answer.value, answer.tolerance) == (pytest.approx(2.35), 0.01)
    cloze = question_titled(parsed, "Fill the training loop")
    assert cloze.prompt.startswith("A training loop computes the {{c1::loss}}, calls ")
    assert "{{c2::backward()::backward() / forward() / step()}}" in cloze.prompt
    assert "{{c3::938}}" in cloze.prompt


def test_every_loss_is_a_warning_at_its_question_line(parsed):
    warnings = [(w.line, w.code) for w in parsed.warnings]
    assert warnings == [
        (4, "category-as-tag"),
        (92, "image-not-imported"),
        (146, "lost-in-conversion"),  # partially-correct feedback and a hint
        (263, "lost-in-conversion"),  # units
        (363, "lost-in-conversion"),  # the formula and the other data set
        (451, "lost-in-conversion"),  # other answers, feedback and tolerance of gaps
        (467, "question-skipped"),  # drag and drop into text
    ]
    assert "'relu-plot.png'" in parsed.warnings[1].message
    assert "ddwtos" in parsed.warnings[-1].message


@pytest.mark.django_db
def test_it_saves_and_renders_without_broken_images(parsed):
    outcome = import_questions(user=InstructorFactory(), data=FILE.read_bytes(), fmt="moodlexml")
    assert outcome.saved
    assert outcome.created == 11
    questions = {q.title: q for q in outcome.question_set.questions.all()}
    activation = questions["Which activation"]
    assert "<table>" in activation.prompt_html
    assert "<img" not in activation.prompt_html
    assert activation.choices.get(text="-").text_html == "<p>-</p>"
    assert "<math" in questions["Softmax sums to one"].prompt_html
    assert list(questions["Shapes"].tags.values_list("name", flat=True)) == [MOODLE_CATEGORY]
