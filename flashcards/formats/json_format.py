"""quizsite's own lossless JSON: every field of a set's questions, choices and numerical
answers, so that export → import gives back an identical set.

Decimals (points, weights) are written as strings so that "33.33" stays exactly that; floats
are JSON numbers (Python writes the shortest text that reads back as the same float).
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from flashcards.formats.base import (
    ExportResult,
    ImportFormatError,
    ParsedChoice,
    ParsedNumericalAnswer,
    ParsedQuestion,
    ParsedSet,
    Problem,
    line_col,
)
from flashcards.formats.encoding import decode_text
from flashcards.models import Question
from flashcards.validation import KIND_VALUES

Kind = Question.Kind

FORMAT_NAME = "quizsite-questions"
VERSION = 1
QUESTIONS_KEY = re.compile(r'"questions"\s*:\s*\[')

TEXT = ("title", "prompt", "answer", "general_feedback", "true_feedback", "false_feedback")
FLAGS = {
    "has_reverse": False,
    "allow_multiple": False,
    "case_sensitive": False,
    "normalize_whitespace": True,
    "ignore_accents": False,
}


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def question_to_dict(question: ParsedQuestion) -> dict:
    return {
        "position": question.position,
        "kind": question.kind,
        "title": question.title,
        "prompt": question.prompt,
        "answer": question.answer,
        "general_feedback": question.general_feedback,
        "points": _decimal(question.points),
        "tags": list(question.tags),
        "has_reverse": question.has_reverse,
        "allow_multiple": question.allow_multiple,
        "correct_boolean": question.correct_boolean,
        "true_feedback": question.true_feedback,
        "false_feedback": question.false_feedback,
        "case_sensitive": question.case_sensitive,
        "normalize_whitespace": question.normalize_whitespace,
        "ignore_accents": question.ignore_accents,
        "rubric": question.rubric,
        "version": question.version,
        "choices": [
            {
                "position": choice.position,
                "text": choice.text,
                "is_correct": choice.is_correct,
                "weight": _decimal(choice.weight),
                "feedback": choice.feedback,
                "match_text": choice.match_text,
            }
            for choice in question.choices
        ],
        "numerical_answers": [
            {
                "position": answer.position,
                "value": answer.value,
                "tolerance": answer.tolerance,
                "minimum": answer.minimum,
                "maximum": answer.maximum,
                "weight": _decimal(answer.weight),
                "feedback": answer.feedback,
            }
            for answer in question.numerical_answers
        ],
    }


def export(parsed: ParsedSet) -> ExportResult:
    document = {
        "format": FORMAT_NAME,
        "version": VERSION,
        "set": {
            "title": parsed.title,
            "description": parsed.description,
            "language": parsed.language,
            "tags": list(parsed.tags),
        },
        "questions": [question_to_dict(question) for question in parsed.questions],
    }
    content = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    return ExportResult(content.encode("utf-8"), [], ".json", "application/json")


class _Reader:
    """Type-checks one question object, collecting problems at the question's position."""

    def __init__(self, line: int, column: int, index: int, problems: list[Problem]):
        self.line, self.column, self.index = line, column, index
        self.problems = problems
        self.ok = True

    def error(self, message: str) -> None:
        self.problems.append(
            Problem(
                self.line,
                self.column,
                _("Question %(index)s: %(message)s") % {"index": self.index, "message": message},
            )
        )
        self.ok = False

    def get(self, data: dict, key: str, kind, default, *, nullable: bool = False, where=""):
        if key not in data:
            return default
        value = data[key]
        if value is None and nullable:
            return None
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.error(_("%(where)s%(key)r must be a number.") % {"where": where, "key": key})
                return default
            if not math.isfinite(value):
                self.error(_("%(where)s%(key)r must be finite.") % {"where": where, "key": key})
                return default
            return float(value)
        if kind is Decimal:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.error(
                    _("%(where)s%(key)r must be a decimal number written as a string.")
                    % {"where": where, "key": key}
                )
                return default
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                self.error(
                    _("%(where)s%(key)r is not a decimal number: %(value)r.")
                    % {"where": where, "key": key, "value": value}
                )
                return default
            if not number.is_finite():
                self.error(_("%(where)s%(key)r must be finite.") % {"where": where, "key": key})
                return default
            return number
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            self.error(_("%(where)s%(key)r must be a whole number.") % {"where": where, "key": key})
            return default
        if not isinstance(value, kind):
            self.error(
                _("%(where)s%(key)r must be %(type_name)s.")
                % {"where": where, "key": key, "type_name": _type_name(kind)}
            )
            return default
        return value


def _type_name(kind) -> str:
    return {
        str: _("text"),
        bool: _("true or false"),
        list: _("a list"),
        int: _("a whole number"),
    }.get(kind, kind.__name__)


def _question(data, line: int, column: int, index: int, problems: list) -> ParsedQuestion | None:
    reader = _Reader(line, column, index, problems)
    if not isinstance(data, dict):
        reader.error(_("each question must be an object."))
        return None
    kind = reader.get(data, "kind", str, "")
    if kind not in KIND_VALUES:
        reader.error(
            _("unknown kind %(kind)r; expected one of %(values)s.")
            % {"kind": kind, "values": ", ".join(Kind.values)}
        )
    question = ParsedQuestion(kind=kind, prompt=reader.get(data, "prompt", str, ""))
    # A lossless copy: the database may hold an imported essay without a reference answer.
    question.answer_optional = kind == Kind.FREE_TEXT
    question.line, question.column = line, column
    for key in TEXT[:1] + TEXT[2:]:
        setattr(question, key, reader.get(data, key, str, ""))
    for key, default in FLAGS.items():
        setattr(question, key, reader.get(data, key, bool, default))
    question.position = reader.get(data, "position", int, None, nullable=True)
    question.points = reader.get(data, "points", Decimal, Decimal(1))
    question.correct_boolean = reader.get(data, "correct_boolean", bool, None, nullable=True)
    question.rubric = reader.get(data, "rubric", list, [])
    question.version = reader.get(data, "version", int, 1)
    tags = reader.get(data, "tags", list, [])
    if any(not isinstance(tag, str) for tag in tags):
        reader.error(_("'tags' must be a list of text."))
        tags = []
    question.tags = tags
    for number, item in enumerate(reader.get(data, "choices", list, []), start=1):
        where = _("choice %(number)s: ") % {"number": number}
        if not isinstance(item, dict):
            reader.error(_("%(where)smust be an object.") % {"where": where})
            continue
        question.choices.append(
            ParsedChoice(
                text=reader.get(item, "text", str, "", where=where),
                is_correct=reader.get(item, "is_correct", bool, False, where=where),
                weight=reader.get(item, "weight", Decimal, None, nullable=True, where=where),
                feedback=reader.get(item, "feedback", str, "", where=where),
                match_text=reader.get(item, "match_text", str, "", where=where),
                position=reader.get(item, "position", int, None, nullable=True, where=where),
            )
        )
    for number, item in enumerate(reader.get(data, "numerical_answers", list, []), start=1):
        where = _("numerical answer %(number)s: ") % {"number": number}
        if not isinstance(item, dict):
            reader.error(_("%(where)smust be an object.") % {"where": where})
            continue
        question.numerical_answers.append(
            ParsedNumericalAnswer(
                value=reader.get(item, "value", float, None, nullable=True, where=where),
                tolerance=reader.get(item, "tolerance", float, 0.0, where=where),
                minimum=reader.get(item, "minimum", float, None, nullable=True, where=where),
                maximum=reader.get(item, "maximum", float, None, nullable=True, where=where),
                weight=reader.get(item, "weight", Decimal, Decimal(100), where=where),
                feedback=reader.get(item, "feedback", str, "", where=where),
                position=reader.get(item, "position", int, None, nullable=True, where=where),
            )
        )
    return question if reader.ok else None


def _question_offsets(text: str, count: int) -> list[int]:
    """Character offsets where each element of the top-level "questions" array starts."""
    match = QUESTIONS_KEY.search(text)
    if not match:
        return []
    decoder = json.JSONDecoder()
    offsets, index = [], match.end()
    try:
        while len(offsets) < count:
            while index < len(text) and text[index] in " \t\r\n,":
                index += 1
            if index >= len(text) or text[index] == "]":
                break
            offsets.append(index)
            _, index = decoder.raw_decode(text, index)
    except ValueError:
        return []
    return offsets


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def parse(data: bytes | str) -> ParsedSet:
    text, problems = decode_text(data)
    result = ParsedSet(format="json", problems=problems)
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ImportFormatError(
            [Problem(error.lineno, error.colno, _("Invalid JSON: %(msg)s.") % {"msg": error.msg})]
        ) from None
    except (ValueError, RecursionError) as error:
        raise ImportFormatError(
            [Problem(1, 1, _("Invalid JSON: %(error)s.") % {"error": error})]
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise ImportFormatError(
            [
                Problem(
                    1,
                    1,
                    _('This JSON is not a quizsite export (expected "format": "%(format_name)s").')
                    % {"format_name": FORMAT_NAME},
                )
            ]
        )
    version = document.get("version")
    if version != VERSION:
        raise ImportFormatError(
            [Problem(1, 1, _("Unsupported export version %(version)r.") % {"version": version})]
        )
    meta = document.get("set") or {}
    if not isinstance(meta, dict):
        raise ImportFormatError([Problem(1, 1, _('"set" must be an object.'))])
    for key in ("title", "description", "language"):
        value = meta.get(key, "")
        if not isinstance(value, str):
            result.problems.append(Problem(1, 1, _("set %(key)r must be text.") % {"key": key}))
            value = ""
        setattr(result, key, value)
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or any(not isinstance(tag, str) for tag in tags):
        result.problems.append(Problem(1, 1, _("set 'tags' must be a list of text.")))
        tags = []
    result.tags = tags
    questions = document.get("questions", [])
    if not isinstance(questions, list):
        raise ImportFormatError([Problem(1, 1, _('"questions" must be a list.'))])
    offsets = _question_offsets(text, len(questions))
    for index, item in enumerate(questions):
        line, column = line_col(text, offsets[index]) if index < len(offsets) else (1, 1)
        question = _question(item, line, column, index + 1, result.problems)
        if question is not None:
            result.questions.append(question)
    return result
