"""Aiken parsing, written from Moodle's Aiken documentation."""

from __future__ import annotations

import pytest

from flashcards.formats import aiken
from flashcards.formats.base import ImportFormatError

DOCUMENTED = """What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LMS has the most quiz import formats?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A
"""


def test_it_reads_the_documented_examples_with_both_option_styles():
    parsed = aiken.parse(DOCUMENTED)
    assert parsed.errors == []
    first, second = parsed.questions
    assert first.kind == "multiple_choice"
    assert first.prompt == "What is the correct answer to this question?"
    assert [c.is_correct for c in first.choices] == [False, False, False, True]
    assert [c.text for c in second.choices][:2] == ["Moodle", "ATutor"]
    assert [c.text for c in second.choices if c.is_correct] == ["Moodle"]
    assert (first.line, second.line) == (1, 8)


def test_a_question_may_span_several_lines():
    parsed = aiken.parse(
        "Consider a ReLU unit.\nWhat does it output for -2?\nA. -2\nB. 0\nANSWER: B\n"
    )
    assert parsed.questions[0].prompt == "Consider a ReLU unit.\nWhat does it output for -2?"


def test_an_answer_letter_that_names_no_option_is_reported_where_it_is():
    parsed = aiken.parse("Pick one\nA. yes\nB. no\nANSWER: C\n")
    assert parsed.questions == []
    (problem,) = parsed.errors
    assert (problem.line, problem.column) == (4, 9)
    assert "does not name" in problem.message


def test_a_missing_answer_line_is_reported():
    parsed = aiken.parse("Pick one\nA. yes\nB. no\n\nNext question\nA. x\nB. y\nANSWER: A\n")
    assert [p.line for p in parsed.errors] == [1]
    assert len(parsed.questions) == 1


def test_a_question_with_a_single_option_is_reported():
    parsed = aiken.parse("Lonely\nA. only\nANSWER: A\n")
    assert parsed.errors
    assert "two options" in parsed.errors[0].message


def test_an_option_without_a_question_is_reported():
    parsed = aiken.parse("A. floating\nB. options\nANSWER: A\n")
    assert any("without a question" in p.message for p in parsed.errors)


def test_export_writes_single_answer_questions_and_reports_the_rest():
    parsed = aiken.parse(DOCUMENTED)
    result = aiken.export(parsed)
    again = aiken.parse(result.content)
    assert [q.prompt for q in again.questions] == [q.prompt for q in parsed.questions]
    assert result.problems == []


def test_empty_input_is_refused():
    with pytest.raises(ImportFormatError):
        aiken.parse(b"")
