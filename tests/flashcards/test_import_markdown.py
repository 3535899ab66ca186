"""Markdown questionnaires and notes in the shapes students write them."""

from __future__ import annotations

from flashcards.formats import detect_format, markdown
from flashcards.services.import_preview import preview_import


def test_q_and_a_blocks_become_flashcards():
    parsed = markdown.parse(
        "Q: What does a loss function measure?\nA: How far predictions are from targets.\n\n"
        "Q: Name a non-linearity\nA: ReLU\n"
    )
    assert parsed.errors == []
    assert [(q.kind, q.prompt, q.answer) for q in parsed.questions] == [
        (
            "flashcard",
            "What does a loss function measure?",
            "How far predictions are from targets.",
        ),
        ("flashcard", "Name a non-linearity", "ReLU"),
    ]


def test_bare_q_and_a_lines_with_card_numbers_and_rating_prompts_are_understood():
    parsed = markdown.parse(
        "My deck\n\n1\nQ\n\nWhat is an epoch?\n\nA\n\nOne pass over the data.\n\n"
        "How well did you know this?\n1\nNot at all\n5\nPerfectly\n2\nQ\n\nWhat is a batch?\n\n"
        "A\n\nA few samples processed together.\n"
    )
    assert [(q.prompt, q.answer) for q in parsed.questions] == [
        ("What is an epoch?", "One pass over the data."),
        ("What is a batch?", "A few samples processed together."),
    ]
    messages = [p.message for p in parsed.warnings]
    assert any("rating" in m for m in messages)
    assert any("before the first question" in m for m in messages)


def test_a_questionnaire_of_headings_questions_and_required_markers_becomes_free_text():
    parsed = markdown.parse(
        "# Chapter 2 questionnaire\n\n"
        "What is a tensor? \\*\n\nA grid of numbers with any number of axes.\n\n"
        "## Why normalise inputs? \\*\n\nSo that gradients have similar scales.\n\n"
        "Explain weight decay. \\*\n\nA penalty on large weights.\n"
    )
    assert parsed.title == "Chapter 2 questionnaire"
    assert [(q.kind, q.prompt) for q in parsed.questions] == [
        ("free_text", "What is a tensor?"),
        ("free_text", "Why normalise inputs?"),
        ("free_text", "Explain weight decay."),
    ]
    assert parsed.questions[2].answer == "A penalty on large weights."


def test_numbered_questions_keep_numbered_lists_inside_their_answers():
    parsed = markdown.parse(
        "1. Name the training steps\nThey are:\n1. predict\n2. compute the loss\n\n"
        "2. What is overfitting\n\nLearning the noise of the training set.\n"
    )
    assert [q.prompt for q in parsed.questions] == [
        "Name the training steps",
        "What is overfitting",
    ]
    assert "2. compute the loss" in parsed.questions[0].answer


def test_marked_lists_become_multiple_choice():
    parsed = markdown.parse(
        "Which of these are optimisers?\n- Adam (correct)\n- ReLU\n- SGD (correct)\n\n"
        "Which is a loss?\n- [ ] Dropout\n- [x] Cross-entropy\n"
    )
    first, second = parsed.questions
    assert first.kind == second.kind == "multiple_choice"
    assert [(c.text, c.is_correct) for c in first.choices] == [
        ("Adam", True),
        ("ReLU", False),
        ("SGD", True),
    ]
    assert first.allow_multiple
    assert not second.allow_multiple
    assert [c.text for c in second.choices if c.is_correct] == ["Cross-entropy"]


def test_a_question_written_twice_in_a_row_is_read_once():
    parsed = markdown.parse(
        "What does softmax return?\nWhat does softmax return?\n- probabilities (correct)\n"
        "- logits\nDropout\nDropout\nRandomly zeroing activations while training.\n"
    )
    assert [q.prompt for q in parsed.questions] == ["What does softmax return?", "Dropout"]
    assert parsed.questions[1].kind == "flashcard"


def test_code_blocks_are_kept_verbatim_and_never_read_as_questions():
    parsed = markdown.parse(
        "How do you zero gradients?\n\n```python\n# why?\nopt.zero_grad()\n\nprint('done?')\n```\n"
    )
    (question,) = parsed.questions
    assert "```python\n# why?\nopt.zero_grad()\n\nprint('done?')\n```" in question.answer


def test_a_question_without_an_answer_is_reported_at_its_line_and_blocks_the_import():
    parsed = preview_import(
        data=b"What is momentum?\n\nWhat is Adam?\n\nAn optimiser.\n", fmt="markdown"
    )
    assert [q.answer for q in parsed.questions] == ["", "An optimiser."]
    (error,) = parsed.errors
    assert error.line == 1
    # The content rules' own message, named the way the file's author thinks of it.
    assert error.message == (
        "Question 1, reference answer: Write the reference answer students compare theirs with."
    )


def test_an_answer_without_a_question_is_an_error():
    parsed = markdown.parse("A: floating answer\n\nQ: real question\nA: real answer\n")
    assert parsed.errors[0].line == 1
    assert [q.prompt for q in parsed.questions] == ["real question"]


def test_text_with_no_recognisable_question_is_reported():
    parsed = markdown.parse("Just some notes.\nNothing to ask here.\n")
    assert parsed.questions == []
    assert "No questions" in parsed.errors[0].message


def test_markdown_is_detected_from_content():
    assert detect_format("Q: a\nA: b\n") == "markdown"
    assert detect_format("## What is a GPU?\n\nA processor for parallel work.\n") == "markdown"


def test_time_stamp_headings_are_sections_not_questions_and_their_prose_is_reported():
    parsed = markdown.parse(
        "# Week 2\n\n### 10:15 - Lab 1\n\nRoom 204.\n\n## What is a tensor?\n\nA grid of numbers.\n"
    )
    assert [(q.line, q.prompt) for q in parsed.questions] == [(7, "What is a tensor?")]
    (warning,) = parsed.warnings
    assert (warning.line, warning.code, warning.dropped) == (3, "prose-skipped", True)
    assert "lines 3–5" in warning.message


def test_a_numbered_line_inside_a_code_block_is_never_a_question():
    parsed = markdown.parse(
        "- 1. What does this print?\n  ```\n  1. not a question\n  - 2. nor this\n  ```\n"
        "- 2. Why?\n  Because.\n"
    )
    assert [q.prompt for q in parsed.questions] == ["What does this print?", "Why?"]
    assert "1. not a question" in parsed.questions[0].answer


def test_an_answer_over_fifteen_hundred_characters_is_flagged_at_its_question():
    parsed = markdown.parse("## What is SGD?\n\n" + "Step after step. " * 100 + "\n")
    (warning,) = parsed.warnings
    assert (warning.line, warning.code) == (1, "long-answer")
