"""Moodle XML import: the shapes Moodle writes, a safe parser, and honest warnings."""

from __future__ import annotations

import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from flashcards import formats
from flashcards.formats import moodlexml, moodlexml_computed
from flashcards.formats.base import ImportFormatError
from flashcards.models import QuestionSet
from flashcards.services.import_preview import preview_import
from tests.flashcards.factories import InstructorFactory


def quiz(*questions: str) -> bytes:
    body = "\n".join(questions)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}\n</quiz>\n'.encode()


def question(kind: str, inner: str, text: str = "<p>Which one?</p>", name: str = "Q") -> str:
    return (
        f'  <question type="{kind}">\n'
        f"    <name><text>{name}</text></name>\n"
        f'    <questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>\n'
        f"{inner}\n"
        "  </question>"
    )


def answer(fraction, text: str, feedback: str = "", extra: str = "") -> str:
    return (
        f'    <answer fraction="{fraction}" format="html"><text>{text}</text>'
        f'<feedback format="html"><text>{feedback}</text></feedback>{extra}</answer>'
    )


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&secret;</text></name>
<questiontext format="html"><text>Leak</text></questiontext></question></quiz>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="essay"><name><text>&lol9;</text></name>
<questiontext format="html"><text>&lol9;</text></questiontext></question></quiz>
"""


@pytest.mark.parametrize("data", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_it_refuses_a_file_that_declares_entities_with_a_clear_error(data):
    started = time.perf_counter()
    with pytest.raises(ImportFormatError, match="declares a DTD") as refused:
        formats.parse(data, fmt="moodlexml")
    assert time.perf_counter() - started < 1
    assert "passwd" not in str(refused.value)


def test_a_doctype_is_refused_even_when_the_format_is_detected():
    with pytest.raises(ImportFormatError, match="DTD"):
        preview_import(data=XXE)


def test_malformed_xml_is_refused_with_the_line_of_the_fault():
    data = quiz(question("essay", "    <graderinfo><text>x</text></graderinfo"))
    with pytest.raises(ImportFormatError) as refused:
        moodlexml.parse(data)
    (problem,) = refused.value.problems
    assert problem.line == 7  # where the unclosed tag's '>' was expected
    assert "not well-formed XML" in problem.message


def test_a_root_other_than_quiz_is_refused():
    with pytest.raises(ImportFormatError, match="starts with <quiz>"):
        moodlexml.parse(b"<questions><question/></questions>")


def test_moodle_xml_is_detected_by_its_quiz_root_and_by_its_extension():
    data = quiz(question("essay", ""))
    assert formats.detect_format(data) == "moodlexml"
    assert formats.detect_format(b"\xef\xbb\xbf<!-- export -->\n<quiz>\n</quiz>") == "moodlexml"
    assert formats.detect_format(b"not a quiz yet", filename="bank.xml") == "moodlexml"


def test_several_answer_fractions_of_sixths_become_weights_adding_up_to_100():
    answers = "\n".join(answer("16.66667", f"right {n}") for n in range(6))
    data = quiz(
        question("multichoice", f"<single>false</single>\n{answers}\n" + answer("-50", "wrong"))
    )
    parsed = preview_import(data=data, fmt="moodlexml")
    assert parsed.errors == []
    weights = [choice.weight for choice in parsed.questions[0].choices]
    assert sum(weight for weight in weights if weight > 0) == 100
    assert weights[-1] == Decimal("-50.00")
    assert parsed.questions[0].allow_multiple is True


def test_single_answer_multichoice_keeps_partial_credit_on_the_other_answers():
    inner = "<single>true</single>\n" + "\n".join(
        [answer(100, "ReLU", "Yes"), answer(50, "Leaky ReLU"), answer(0, "Softmax")]
    )
    (q,) = preview_import(data=quiz(question("multichoice", inner)), fmt="moodlexml").questions
    assert [(c.text, c.is_correct, c.weight, c.feedback) for c in q.choices] == [
        ("ReLU", True, None, "Yes"),
        ("Leaky ReLU", False, Decimal("50.00"), ""),
        ("Softmax", False, Decimal("0.00"), ""),
    ]


def test_truefalse_keeps_the_feedback_of_each_answer_for_that_answer():
    inner = "\n".join([answer(0, "true", "Look again."), answer(100, "false", "Right.")])
    (q,) = moodlexml.parse(quiz(question("truefalse", inner))).questions
    assert (q.correct_boolean, q.true_feedback, q.false_feedback) == (
        False,
        "Look again.",
        "Right.",
    )
    assert q.general_feedback == ""


def test_an_essay_without_grader_information_imports_without_a_reference_answer():
    parsed = preview_import(data=quiz(question("essay", "<graderinfo/>")), fmt="moodlexml")
    assert parsed.errors == []
    assert (parsed.questions[0].kind, parsed.questions[0].answer) == ("free_text", "")


def test_a_multianswer_question_becomes_a_cloze_with_what_a_gap_cannot_hold_named():
    text = "<p>Use {1:SHORTANSWER:=loss~%50%error} and {2:MULTICHOICE:~Adam~=SGD}.</p>"
    parsed = preview_import(data=quiz(question("multianswer", "", text)), fmt="moodlexml")
    assert parsed.errors == []
    (q,) = parsed.questions
    assert q.kind == "cloze"
    assert q.prompt == "Use {{c1::loss}} and {{c2::SGD::Adam / SGD}}."
    assert q.points == 3
    (warning,) = parsed.warnings
    assert "gap 1's other answers ('error')" in warning.message
    assert "different grades" in warning.message
    assert (warning.line, warning.code) == (3, "lost-in-conversion")


def test_a_calculated_question_becomes_numerical_for_the_first_data_set_with_a_warning():
    datasets = (
        "<dataset_definitions>"
        + "".join(
            f"<dataset_definition><name><text>{name}</text></name><dataset_items>"
            f"<dataset_item><number>2</number><value>{second}</value></dataset_item>"
            f"<dataset_item><number>1</number><value>{first}</value></dataset_item>"
            "</dataset_items></dataset_definition>"
            for name, first, second in (("a", 3, 9), ("b", 4, 1))
        )
        + "</dataset_definitions>"
    )
    inner = answer(100, "sqrt({a}^2 + {b}**2)", extra="<tolerance>0.1</tolerance>") + datasets
    text = "<p>A right triangle has legs {a} and {b}. How long is the third side?</p>"
    parsed = preview_import(data=quiz(question("calculated", inner, text)), fmt="moodlexml")
    assert parsed.errors == []
    (q,) = parsed.questions
    assert q.kind == "numerical"
    assert q.prompt == "A right triangle has legs 3 and 4. How long is the third side?"
    (numerical,) = q.numerical_answers
    assert (numerical.value, numerical.tolerance) == (5.0, pytest.approx(0.5))  # 10% of 5
    (warning,) = parsed.warnings
    assert "no calculated questions" in warning.message
    assert "a = 3, b = 4" in warning.message


def test_a_calculated_question_that_cannot_be_computed_is_skipped_with_a_warning_naming_it():
    inner = answer(100, "__import__('os').system('true')")
    parsed = moodlexml.parse(quiz(question("calculated", inner, name="Sneaky")))
    assert parsed.questions == []
    (warning,) = parsed.warnings
    assert "'Sneaky' was not imported" in warning.message
    assert warning.code == "question-skipped"


@pytest.mark.parametrize(
    ("formula", "values", "expected"),
    [
        ("{a} + {b}", {"a": 1, "b": 2}, 3.0),
        ("pow({a}, 2) - pi()", {"a": 2}, 4 - 3.141592653589793),
        ("max({a}, 3) * abs(-2)", {"a": 1}, 6.0),
    ],
)
def test_formulas_use_moodles_arithmetic_and_functions(formula, values, expected):
    assert moodlexml_computed.evaluate_formula(formula, values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("formula", "why"),
    [
        ("().__class__", "not allowed"),
        ("open('x')", "not allowed"),
        ("{a} if 1 else 2", "not allowed"),
        ("9**9**9", "too large"),
        ("{missing} + 1", "no value"),
    ],
)
def test_formulas_refuse_anything_but_arithmetic(formula, why):
    with pytest.raises(ValueError, match=why):
        moodlexml_computed.evaluate_formula(formula, {"a": 1.0})


def test_a_type_quizsite_lacks_is_skipped_with_a_warning_naming_the_type_and_line():
    data = quiz(question("essay", ""), question("ordering", "", name="Order the layers"))
    parsed = moodlexml.parse(data)
    assert [q.kind for q in parsed.questions] == ["free_text"]
    (warning,) = parsed.warnings
    assert "'Order the layers' was not imported" in warning.message
    assert "ordering" in warning.message
    assert warning.line == 8


def test_a_broken_question_is_an_error_at_its_line_and_the_others_still_read():
    inner = "\n".join([answer(0, "a"), answer(0, "b")])
    data = quiz(question("essay", ""), question("multichoice", inner))
    parsed = moodlexml.parse(data)
    assert [q.kind for q in parsed.questions] == ["free_text"]
    (error,) = parsed.errors
    assert error.line == 8
    assert "worth anything" in error.message


@pytest.mark.django_db
def test_the_command_imports_moodle_xml_with_its_format_name(tmp_path):
    InstructorFactory(username="teacher")
    path = tmp_path / "bank.xml"
    path.write_bytes(quiz(question("essay", ""), question("truefalse", answer(100, "true"))))
    out = StringIO()
    call_command(
        "import_questions", str(path), "--format", "moodlexml", "--owner", "teacher", stdout=out
    )
    assert "moodlexml, 2 questions" in out.getvalue()
    assert QuestionSet.objects.get().questions.count() == 2
