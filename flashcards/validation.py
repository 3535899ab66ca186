"""The one definition of a well-formed question, of every kind.

`validate_question_data()` is pure (no database), so the REST API, the admin, the importers,
the sample course and the write services in `flashcards.services.content` all reject the same
things with the same messages.

Errors use `django.core.exceptions.ValidationError` keyed by field path: `"prompt"`,
`"choices"` (about the list as a whole), `"choices.2.text"` (about the third choice),
`"numerical_answers.0.tolerance"`, `"rubric.1.points"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from flashcards.models import Question
from flashcards.richtext import CLOZE_START, cloze_deletions, render_rich_text

Kind = Question.Kind

# Scalar fields of a question that a caller may set, with the model's defaults.
QUESTION_DEFAULTS: dict[str, Any] = {
    "title": "",
    "prompt": "",
    "answer": "",
    "general_feedback": "",
    "points": Decimal("1"),
    "has_reverse": False,
    "allow_multiple": False,
    "correct_boolean": None,
    "true_feedback": "",
    "false_feedback": "",
    "case_sensitive": False,
    "normalize_whitespace": True,
    "ignore_accents": False,
    "rubric": [],
}
CHOICE_DEFAULTS: dict[str, Any] = {
    "text": "",
    "is_correct": False,
    "weight": None,
    "feedback": "",
    "match_text": "",
}
NUMERICAL_DEFAULTS: dict[str, Any] = {
    "value": None,
    "tolerance": 0.0,
    "minimum": None,
    "maximum": None,
    "weight": Decimal("100"),
    "feedback": "",
}
# Kinds whose answers live in Choice rows, and the kind whose answers are NumericalAnswer rows.
CHOICE_KINDS = {Kind.MULTIPLE_CHOICE, Kind.SHORT_ANSWER, Kind.MATCHING}
NUMERICAL_KINDS = {Kind.NUMERICAL}
MAX_POINTS = Decimal("99999.99")
# `Kind.values` builds a new list on every access; imports validate thousands of questions.
KIND_VALUES = frozenset(Kind.values)


class FieldErrors:
    def __init__(self) -> None:
        self.by_key: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.by_key.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_key:
            raise ValidationError(self.by_key)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Decimal | None:
    """A Decimal for numbers and numeric strings; None for anything else (NaN and inf too)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def validate_question_data(
    data: Mapping[str, Any], *, nested: bool = True, imported: bool = False
) -> None:
    """Raise ValidationError unless `data` describes a well-formed question of its kind.

    `data` uses the model's field names, plus `choices` and `numerical_answers` as lists of
    dicts (missing lists count as empty).  `nested=False` checks only the question's own
    fields, for forms that edit the answers elsewhere (the admin's inlines).

    `imported=True` is the importers' rule for the one thing a file may lack that an author
    may not: a free-text question's reference answer.  Formats without one (Moodle essays:
    GIFT `{}`, Moodle XML `essay` without grader information) and lossless copies of stored
    questions mark their questions so (`ParsedQuestion.answer_optional`), because refusing
    them would stop a whole course's import; formats that do carry answers (Markdown
    questionnaires) still report a missing one.  The editor, the API and the admin (the
    default) require one for a question written here, including when an imported essay is
    edited.
    """
    errors = FieldErrors()
    kind = data.get("kind")
    if kind not in KIND_VALUES:
        errors.add("kind", _("Choose one of: %s.") % ", ".join(Kind.values))
        errors.raise_if_any()
    if is_blank(data.get("prompt")):
        errors.add("prompt", _("Write the question."))
    points = _number(data.get("points", QUESTION_DEFAULTS["points"]))
    if points is None or points < 0 or points > MAX_POINTS:
        errors.add("points", _("Points must be a number from 0 to %s.") % MAX_POINTS)
    _validate_rubric(data.get("rubric") or [], errors)

    if kind == Kind.FLASHCARD and is_blank(data.get("answer")):
        errors.add("answer", _("A flashcard needs a back: write the answer."))
    elif kind == Kind.FREE_TEXT and is_blank(data.get("answer")) and not imported:
        errors.add("answer", _("Write the reference answer students compare theirs with."))
    elif kind == Kind.TRUE_FALSE and data.get("correct_boolean") is None:
        errors.add("correct_boolean", _("Say whether the statement is true or false."))
    elif kind == Kind.CLOZE:
        _validate_cloze(data.get("prompt") or "", errors)
    if kind != Kind.TRUE_FALSE:
        for name in ("true_feedback", "false_feedback"):
            if not is_blank(data.get(name)):
                errors.add(name, _("Only true/false questions have feedback per answer."))

    if nested:
        choices = list(data.get("choices") or [])
        numerical = list(data.get("numerical_answers") or [])
        if kind in CHOICE_KINDS:
            _validate_choices(kind, data, choices, errors)
        elif choices:
            errors.add(
                "choices", _("A %s question has no choices.") % Kind(str(kind)).label.lower()
            )
        if kind in NUMERICAL_KINDS:
            _validate_numerical(numerical, errors)
        elif numerical:
            errors.add(
                "numerical_answers",
                _("Only numerical questions have numerical answers."),
            )
    errors.raise_if_any()


def _validate_rubric(rubric: Any, errors: FieldErrors) -> None:
    if not isinstance(rubric, list):
        errors.add("rubric", _("The rubric is a list of {criterion, points} items."))
        return
    for index, item in enumerate(rubric):
        key = f"rubric.{index}"
        if not isinstance(item, Mapping):
            errors.add(key, _("Each rubric item needs a criterion and points."))
            continue
        if is_blank(item.get("criterion")):
            errors.add(f"{key}.criterion", _("Describe what earns these points."))
        points = _number(item.get("points"))
        if points is None or points < 0:
            errors.add(f"{key}.points", _("Points must be a number, 0 or more."))


def _validate_cloze(prompt: str, errors: FieldErrors) -> None:
    deletions = cloze_deletions(prompt)
    if not deletions:
        errors.add("prompt", _("A cloze needs at least one deletion such as {{c1::answer}}."))
    elif len(CLOZE_START.findall(prompt)) != len(deletions):
        errors.add("prompt", _("A cloze deletion is not closed with }}."))
    elif render_rich_text(prompt).count('<span class="cloze"') != len(deletions):
        errors.add(
            "prompt",
            _("A cloze deletion inside `code` or a code block is shown as text, not as a gap."),
        )
    for deletion in deletions:
        if deletion.number < 1:
            errors.add("prompt", _("Cloze numbers start at c1."))
        if is_blank(deletion.text):
            errors.add("prompt", _("Cloze c%d hides nothing.") % deletion.number)


def _validate_weight(
    value: Any, key: str, errors: FieldErrors, low: int, high: int
) -> Decimal | None:
    if value is None:
        return None
    weight = _number(value)
    if weight is None or not low <= weight <= high:
        errors.add(
            key,
            _("The weight is a percentage from %(low)d to %(high)d.") % {"low": low, "high": high},
        )
        return None
    return weight


def _validate_choices(
    kind: str, data: Mapping[str, Any], choices: list[Mapping[str, Any]], errors: FieldErrors
) -> None:
    for index, choice in enumerate(choices):
        # A matching item with only a right-hand side is a distractor: one more option to
        # choose from (as in Moodle), so the last pair cannot be had by elimination.
        distractor = kind == Kind.MATCHING and not is_blank(choice.get("match_text"))
        if is_blank(choice.get("text")) and not distractor:
            errors.add(f"choices.{index}.text", _("Write the text of this choice."))
        if kind == Kind.MATCHING and is_blank(choice.get("match_text")):
            errors.add(f"choices.{index}.match_text", _("Write what this item matches."))
        if kind != Kind.MULTIPLE_CHOICE:
            # Multiple choice checks its weights below, with its own rules; the others only
            # need a percentage the database can hold.
            _validate_weight(choice.get("weight"), f"choices.{index}.weight", errors, -100, 100)

    if kind == Kind.MATCHING:
        if sum(1 for choice in choices if not is_blank(choice.get("text"))) < 2:
            errors.add("choices", _("A matching question needs at least two pairs."))
        return

    correct = [choice for choice in choices if choice.get("is_correct")]
    if kind == Kind.SHORT_ANSWER:
        if not correct:
            errors.add("choices", _("Give at least one accepted answer (marked correct)."))
        return

    # multiple choice
    if len(choices) < 2:
        errors.add("choices", _("A multiple-choice question needs at least two choices."))
    if not correct:
        errors.add("choices", _("Mark at least one choice as correct."))
    elif len(correct) > 1 and not data.get("allow_multiple"):
        errors.add(
            "choices",
            _("Only one choice can be correct unless the question allows several answers."),
        )
    positive_total = Decimal(0)
    weighted_correct = 0
    for index, choice in enumerate(choices):
        key = f"choices.{index}.weight"
        weight = _validate_weight(choice.get("weight"), key, errors, -100, 100)
        if weight is None:
            continue
        if choice.get("is_correct"):
            weighted_correct += 1
            if weight <= 0:
                errors.add(key, _("A correct choice must be worth more than 0%."))
        elif weight >= 100:
            errors.add(key, _("A wrong choice cannot be worth 100%."))
        if weight > 0:
            positive_total += weight
    if data.get("allow_multiple") and weighted_correct:
        if weighted_correct != len(correct):
            errors.add("choices", _("Give every correct choice a weight, or none of them."))
        elif abs(positive_total - 100) > Decimal("0.01"):
            errors.add(
                "choices",
                _("The positive weights add up to %s%%; they must add up to 100%%.")
                % format(positive_total.normalize(), "f"),
            )


def is_any_other_number(answer: Mapping[str, Any]) -> bool:
    """An answer with neither a value nor a range stands for every other number.

    It is Moodle's `*` answer (GIFT's `~#feedback`): worth 0%, it exists to give feedback to
    the answers no other row matches, and it matches only when none does.
    """
    return all(answer.get(name) is None for name in ("value", "minimum", "maximum"))


def _validate_numerical(answers: list[Mapping[str, Any]], errors: FieldErrors) -> None:
    if not answers:
        errors.add("numerical_answers", _("Give at least one accepted numerical answer."))
        return
    full_credit = False
    others = 0
    for index, answer in enumerate(answers):
        key = f"numerical_answers.{index}"
        tolerance = _number(answer.get("tolerance", 0) or 0)
        if tolerance is None:
            errors.add(f"{key}.tolerance", _("Enter a finite number."))
        elif tolerance < 0:
            errors.add(f"{key}.tolerance", _("The tolerance cannot be negative."))
        if is_any_other_number(answer):
            others += 1
            _validate_any_other_number(answer, key, errors)
            continue
        value, minimum, maximum = (answer.get(name) for name in ("value", "minimum", "maximum"))
        numbers = {}
        for name, raw in (("value", value), ("minimum", minimum), ("maximum", maximum)):
            if raw is not None:
                numbers[name] = _number(raw)
                if numbers[name] is None:
                    errors.add(f"{key}.{name}", _("Enter a finite number."))
        has_range = minimum is not None or maximum is not None
        if has_range and (minimum is None or maximum is None):
            missing = "minimum" if minimum is None else "maximum"
            errors.add(f"{key}.{missing}", _("A range needs both a minimum and a maximum."))
        if has_range and value is not None:
            errors.add(f"{key}.value", _("Give either a value with a tolerance or a range."))
        low, high = numbers.get("minimum"), numbers.get("maximum")
        if low is not None and high is not None and low > high:
            errors.add(f"{key}.minimum", _("The minimum is greater than the maximum."))
        weight = _validate_weight(
            answer.get("weight", NUMERICAL_DEFAULTS["weight"]), f"{key}.weight", errors, 0, 100
        )
        if weight is not None and weight == 100:
            full_credit = True
    if not full_credit:
        errors.add("numerical_answers", _("At least one answer must be worth 100%."))
    if others > 1:
        errors.add("numerical_answers", _("Only one answer can stand for any other number."))


def _validate_any_other_number(answer: Mapping[str, Any], key: str, errors: FieldErrors) -> None:
    weight = _number(answer.get("weight", NUMERICAL_DEFAULTS["weight"]))
    if weight != 0:
        # Most often a row whose number was forgotten, so say that first.
        errors.add(
            f"{key}.value",
            _(
                "Give the correct value (or a range). Leave both empty only for the answer "
                "that stands for any other number: worth 0%, with feedback."
            ),
        )
    elif is_blank(answer.get("feedback")):
        errors.add(
            f"{key}.feedback",
            _("Write the feedback for any other number; that is what this answer is for."),
        )
