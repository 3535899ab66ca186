"""Reading an import without saving it: who may import, the size and question-count limits,
and every question checked against the content rules (`validate_question_data`, the same the
editor, the API and the admin apply) and the database columns, each problem placed at its
question.  `preview_import` is what every import path calls first (`flashcards.services.imports`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flashcards import formats
from flashcards.formats.base import WARNING, ImportFormatError, ParsedQuestion, ParsedSet, Problem
from flashcards.models import Question, QuestionSet, Tag, User
from flashcards.selectors.content import can_edit_set
from flashcards.services.content import (
    CHOICE_DEFAULTS,
    NUMERICAL_DEFAULTS,
    QUESTION_DEFAULTS,
    validate_question_data,
)

Kind = Question.Kind


def import_max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def import_max_questions() -> int:
    return settings.IMPORT_MAX_QUESTIONS


def can_import(user: User, target_set: QuestionSet | None = None) -> bool:
    """Editors of the target set may import into it; only instructors may start a new set."""
    if not user.is_authenticated:
        return False
    if target_set is not None:
        return can_edit_set(user, target_set)
    return user.is_instructor


class FileTooLarge(ImportFormatError):
    """The upload is over IMPORT_MAX_BYTES; the API answers 413 rather than 400."""


def check_size(size: int) -> None:
    limit = import_max_bytes()
    if size > limit:
        raise FileTooLarge(
            [
                Problem(
                    1,
                    1,
                    _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                    % {"size": format(size, ","), "limit": format(limit, ",")},
                )
            ]
        )


# --- validation --------------------------------------------------------------------------------

# The database's integer columns (positions, version) hold at most this.
MAX_INTEGER = 2**31 - 1
TITLE_LENGTH: int = Question._meta.get_field("title").max_length or 0
TAG_LENGTH: int = Tag._meta.get_field("name").max_length or 0

# Readable names for validate_question_data's field paths ("choices.1.text" → "option 2 text").
FIELD_LABELS: dict[str, Any] = {
    "kind": gettext_lazy("kind"),
    "prompt": gettext_lazy("question text"),
    "general_feedback": gettext_lazy("general feedback"),
    "points": gettext_lazy("points"),
    "correct_boolean": gettext_lazy("true/false answer"),
    "rubric": gettext_lazy("rubric"),
    "numerical_answers": gettext_lazy("numerical answers"),
}
ANSWER_LABELS: dict[str, Any] = {
    Kind.FLASHCARD: gettext_lazy("back of the card"),
    Kind.FREE_TEXT: gettext_lazy("reference answer"),
}
CHOICE_LABELS: dict[str, tuple[Any, Any]] = {  # kind: (one, all)
    Kind.MULTIPLE_CHOICE: (gettext_lazy("option"), gettext_lazy("options")),
    Kind.SHORT_ANSWER: (gettext_lazy("accepted answer"), gettext_lazy("accepted answers")),
    Kind.MATCHING: (gettext_lazy("pair"), gettext_lazy("pairs")),
}
ROW_LABELS: dict[str, Any] = {
    "numerical_answers": gettext_lazy("numerical answer"),
    "rubric": gettext_lazy("rubric item"),
}
PART_LABELS: dict[str, Any] = {"match_text": gettext_lazy("right-hand side")}


def field_label(path: str, kind: str) -> str:
    """The field a content error is about, as the person who wrote the file would name it."""
    name, *rest = path.split(".")
    if name == "answer":
        return str(ANSWER_LABELS.get(kind, _("answer explanation")))
    if name == "choices":
        one, every = CHOICE_LABELS.get(kind, (_("choice"), _("choices")))
    else:
        one, every = ROW_LABELS.get(name, name.replace("_", " ")), FIELD_LABELS.get(name)
    if not rest:
        return str(every or name.replace("_", " "))
    label = f"{one} {int(rest[0]) + 1}" if rest[0].isdigit() else str(one)
    if len(rest) > 1:
        label += " " + str(PART_LABELS.get(rest[1], rest[1].replace("_", " ")))
    return label


def question_data(question: ParsedQuestion) -> dict:
    """A parsed question as the mapping the content service validates and saves."""
    data = {name: getattr(question, name) for name in QUESTION_DEFAULTS}
    data["kind"] = question.kind
    data["tags"] = list(question.tags)
    data["choices"] = [
        {name: getattr(choice, name) for name in CHOICE_DEFAULTS} for choice in question.choices
    ]
    data["numerical_answers"] = [
        {name: getattr(answer, name) for name in NUMERICAL_DEFAULTS}
        for answer in question.numerical_answers
    ]
    return data


def question_problems(question: ParsedQuestion) -> list[tuple[str, str]]:
    """(field, message) for every rule the question breaks.

    The kind rules are the content service's (`validate_question_data`), the same the editor,
    the API and the admin apply.  What is checked here is only what a file can get wrong and a
    form cannot: sizes and precision the database columns hold.
    """
    found: list[tuple[str, str]] = []
    try:
        validate_question_data(question_data(question), imported=question.answer_optional)
    except ValidationError as error:
        for path, messages in error.message_dict.items():
            found.extend((field_label(path, question.kind), message) for message in messages)
    if len(question.title) > TITLE_LENGTH:
        found.append(
            (_("title"), _("It is longer than %(length)s characters.") % {"length": TITLE_LENGTH})
        )
    found.extend(_precision(_("points"), question.points))
    if not 1 <= question.version <= MAX_INTEGER:
        found.append(
            (
                _("version"),
                _("It must be a whole number from 1 to %(maximum)s.")
                % {"maximum": format(MAX_INTEGER, ",")},
            )
        )
    found.extend(_position(_("position"), question.position))
    rows_by_name: tuple[tuple[str, list[Any]], ...] = (
        ("choices", question.choices),
        ("numerical_answers", question.numerical_answers),
    )
    for name, rows in rows_by_name:
        for index, row in enumerate(rows):
            found.extend(
                _precision(field_label(f"{name}.{index}.weight", question.kind), row.weight)
            )
            label = field_label(f"{name}.{index}.position", question.kind)
            found.extend(_position(label, row.position))
    return found


def _position(label: str, value: int | None) -> list[tuple[str, str]]:
    if value is None or 0 <= value <= MAX_INTEGER:
        return []
    return [
        (
            label,
            _("It must be a whole number from 0 to %(maximum)s.")
            % {"maximum": format(MAX_INTEGER, ",")},
        )
    ]


def _precision(label: str, value: Decimal | None) -> list[tuple[str, str]]:
    """The columns keep two decimal places and would round silently; the range is the content
    rules' (so no quantize here: it raises on numbers far out of range)."""
    if value is None or not value.is_finite():
        return []
    _sign, digit_tuple, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # pragma: no cover - finite numbers have int exponents
        return []
    digits = list(digit_tuple)
    while exponent < -2 and digits and digits[-1] == 0:  # 1.500 is 1.50
        digits.pop()
        exponent += 1
    if exponent >= -2 or not digits:
        return []
    return [(label, _("%(value)s has more than two decimal places.") % {"value": value})]


def _tag_warnings(tags: list[str]) -> list[str]:
    long = [tag for tag in tags if len(" ".join(tag.split())) > TAG_LENGTH]
    return [
        _("Tag %(tag)r… was shortened to %(length)s characters.")
        % {"tag": tag[:40], "length": TAG_LENGTH}
        for tag in long
    ]


def validate_parsed_set(parsed: ParsedSet) -> None:
    """Append a problem, positioned at the question, for every rule a question breaks."""
    if parsed.validated:
        return
    parsed.validated = True
    if len(parsed.title) > 200:
        parsed.title = parsed.title[:200]
    for message in _tag_warnings(parsed.tags):
        parsed.problems.append(Problem(1, 1, _("Set: %(message)s") % {"message": message}, WARNING))
    for index, question in enumerate(parsed.questions, start=1):
        for label, message in question_problems(question):
            parsed.problems.append(
                Problem(
                    question.line,
                    question.column,
                    _("Question %(index)s, %(label)s: %(message)s")
                    % {"index": index, "label": label, "message": message},
                )
            )
        for message in _tag_warnings(question.tags):
            parsed.problems.append(
                Problem(
                    question.line,
                    question.column,
                    _("Question %(index)s: %(message)s") % {"index": index, "message": message},
                    WARNING,
                )
            )


def check_question_count(parsed: ParsedSet) -> None:
    """Refuse (as an error at the first question past the limit) a file with more questions
    than one import takes; the rest are not validated, as nothing will be saved."""
    limit = import_max_questions()
    if len(parsed.questions) <= limit:
        return
    first_over = parsed.questions[limit]
    total = len(parsed.questions)
    parsed.problems.append(
        Problem(
            first_over.line,
            first_over.column,
            _(
                "The file holds %(total)s questions; one import takes at most "
                "%(limit)s. Nothing was imported: split the file (this is where the "
                "limit is passed)."
            )
            % {"total": format(total, ","), "limit": format(limit, ",")},
            code="too-many-questions",
        )
    )
    del parsed.questions[limit:]
    parsed.validated = True


def preview_import(
    *,
    data: bytes,
    fmt: str | None = None,
    filename: str | None = None,
    options: dict | None = None,
) -> ParsedSet:
    """Parse and validate without saving; raises ImportFormatError when nothing is readable.

    `options` are the format's own (for CSV/TSV: `separator`, `row_separator`, `quoting`).
    """
    check_size(len(data))
    parsed = formats.parse(data, fmt=fmt, filename=filename, options=options)
    check_question_count(parsed)
    validate_parsed_set(parsed)
    return parsed
