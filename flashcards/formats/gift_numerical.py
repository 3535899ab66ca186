"""Moodle GIFT, numerical answers: `{#3:0.5}`, `{#1..5}`, several weighted answers
`{#=%100%3:0 =%50%3:1}` and the "any other number" answer `~#feedback` (Moodle's `*`), read
for the question parser of `flashcards.formats.gift`.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from flashcards.formats.base import ParsedNumericalAnswer, ParsedQuestion
from flashcards.formats.gift_text import find, unescape
from flashcards.models import Question

if TYPE_CHECKING:
    from flashcards.formats.gift import QuestionParser

Kind = Question.Kind


def read_number(parser: QuestionParser, offset: int, raw: str) -> float | None:
    cleaned = unescape(raw).strip()
    try:
        value = float(cleaned)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        parser.error(offset, _("'%(text)s' is not a number.") % {"text": cleaned})
        return None
    return value


def numerical(parser: QuestionParser, start: int, end: int, fmt: str) -> ParsedQuestion | None:
    text = parser.text
    wrong_feedback = None
    tilde = find(text, "~", start, end)
    if tilde != -1:
        hash_at = find(text, "#", tilde, end)
        wrong_feedback = parser.formatted(hash_at + 1, end, fmt)[0] if hash_at != -1 else ""
        end = tilde
    parts = parser.parts(start, end, "=")
    if not text[parts[0][0] : parts[0][1]].strip():
        parts.pop(0)
    answers = []
    for part_start, part_end, _marker in parts:
        weight, value_start = parser.weight(part_start, part_end)
        value_end, feedback_start = parser.feedback_split(value_start, part_end)
        feedback = parser.formatted(feedback_start, part_end, fmt)[0] if feedback_start else ""
        spec = text[value_start:value_end]
        answer = ParsedNumericalAnswer(
            weight=Decimal(100) if weight is None else weight, feedback=feedback
        )
        dots = spec.find("..")
        colon = find(text, ":", value_start, value_end)
        if dots > 0:
            answer.minimum = read_number(parser, value_start, spec[:dots])
            answer.maximum = read_number(parser, value_start + dots + 2, spec[dots + 2 :])
            if (
                answer.minimum is not None
                and answer.maximum is not None
                and answer.minimum > answer.maximum
            ):
                parser.error(value_start, _("The range's lower end is above its upper end."))
        elif colon != -1:
            answer.value = read_number(parser, value_start, text[value_start:colon])
            tolerance = read_number(parser, colon + 1, text[colon + 1 : value_end])
            answer.tolerance = tolerance if tolerance is not None else 0.0
            if answer.tolerance < 0:
                parser.error(colon + 1, _("The tolerance cannot be negative."))
        else:
            if not spec.strip():
                parser.error(value_start, _("A numerical answer is empty."))
                continue
            answer.value = read_number(parser, value_start, spec)
        answers.append(answer)
    if not answers:
        parser.error(start, _("A numerical question needs at least one number, e.g. {#3:0.5}."))
    if wrong_feedback:
        # Moodle's `*` answer: it speaks for every number the others do not accept.
        answers.append(ParsedNumericalAnswer(weight=Decimal(0), feedback=wrong_feedback))
    return ParsedQuestion(kind=Kind.NUMERICAL, prompt="", numerical_answers=answers)
