"""Moodle XML, the mapping of Moodle's own question types to quizsite's kinds: multichoice,
truefalse, shortanswer, numerical, matching and essay (each as described in
`flashcards.formats.moodlexml`).  Calculated and cloze questions are `moodlexml_computed`'s.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flashcards.formats import base
from flashcards.formats.base import ParsedChoice, ParsedNumericalAnswer, ParsedQuestion
from flashcards.formats.moodlexml_reader import CENT, Reader, child_text, text_of
from flashcards.models import Question

Kind = Question.Kind

DEFAULT_COMBINED_FEEDBACK = {
    "",
    "Your answer is correct.",
    "Your answer is partially correct.",
    "Your answer is incorrect.",
}


def multichoice(reader: Reader) -> ParsedQuestion:
    element = reader.element
    single = child_text(element, "single", "true").lower() in {"true", "1"}
    choices = []
    for answer in element.findall("answer"):
        fraction = reader.fraction(answer)
        if fraction is None:
            continue
        text = reader.rich(answer)
        if not text:
            reader.error(answer, _("An answer has no text."))
        choices.append(
            ParsedChoice(
                text=text,
                weight=fraction.quantize(CENT),
                feedback=reader.rich(answer.find("feedback")),
            )
        )
    weights = [choice.weight for choice in choices]
    if not single:
        weights = base.weights_adding_to_100(weights)
    best = max(weights, default=Decimal(0))
    for choice, weight in zip(choices, weights, strict=True):
        choice.weight = weight
        # One right answer: the best one; several: every answer worth something.
        choice.is_correct = weight > 0 and (not single or weight == best)
        # Moodle's plain "right" (100% of one) and "wrong" (0% of several) need no weight.
        plain = weight == 100 if single else weight == 0
        if plain and (choice.is_correct or not single):
            choice.weight = None
    if len(choices) < 2:
        reader.error(element, _("A multiple-choice question needs at least two answers."))
    elif not any(choice.is_correct for choice in choices):
        reader.error(element, _("No answer of this multiple-choice question is worth anything."))
    _combined_feedback(reader)
    return ParsedQuestion(
        kind=Kind.MULTIPLE_CHOICE, prompt="", choices=choices, allow_multiple=not single
    )


COMBINED_FEEDBACK = {
    "correctfeedback": gettext_lazy("feedback for any correct response"),
    "partiallycorrectfeedback": gettext_lazy("feedback for any partially correct response"),
    "incorrectfeedback": gettext_lazy("feedback for any incorrect response"),
}


def _combined_feedback(reader: Reader) -> None:
    for name, label in COMBINED_FEEDBACK.items():
        text = text_of(reader.element.find(name))
        plain = re.sub(r"<[^>]+>", "", text).strip()
        if plain not in DEFAULT_COMBINED_FEEDBACK:
            reader.lost.append(
                _("the %(label)s (%(plain)r)") % {"label": label, "plain": plain[:40]}
            )


def truefalse(reader: Reader) -> ParsedQuestion:
    question = ParsedQuestion(kind=Kind.TRUE_FALSE, prompt="")
    for answer in reader.element.findall("answer"):
        word = text_of(answer).lower()
        fraction = reader.fraction(answer)
        if word not in {"true", "false"}:
            reader.error(
                answer,
                _("A true/false answer must be 'true' or 'false', not %(word)r.") % {"word": word},
            )
            continue
        feedback = reader.rich(answer.find("feedback"))
        if word == "true":
            question.true_feedback = feedback
        else:
            question.false_feedback = feedback
        if fraction is not None and fraction == 100:
            question.correct_boolean = word == "true"
    if question.correct_boolean is None:
        reader.error(reader.element, _("Neither 'true' nor 'false' is worth 100%%.") % {})
    return question


def shortanswer(reader: Reader) -> ParsedQuestion:
    element = reader.element
    choices = []
    for answer in element.findall("answer"):
        fraction = reader.fraction(answer)
        if fraction is None:
            continue
        text = text_of(answer)
        if not text:
            reader.error(answer, _("An accepted answer is empty."))
        weight = fraction.quantize(CENT)
        choices.append(
            ParsedChoice(
                text=text,
                is_correct=weight > 0,
                weight=None if weight == 100 else weight,
                feedback=reader.rich(answer.find("feedback")),
            )
        )
    if not any(choice.is_correct for choice in choices):
        reader.error(
            element, _("A short-answer question needs an answer worth more than 0%%.") % {}
        )
    return ParsedQuestion(
        kind=Kind.SHORT_ANSWER,
        prompt="",
        choices=choices,
        case_sensitive=child_text(element, "usecase", "0") == "1",
    )


def read_float(reader: Reader, element, raw: str, what: str) -> float | None:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        reader.error(
            element, _("The %(what)s %(raw)r is not a number.") % {"what": what, "raw": raw}
        )
        return None
    return value


def report_units(reader: Reader) -> None:
    names = [child_text(unit, "unit_name") for unit in reader.element.iter("unit")]
    names = [name for name in names if name]
    if names:
        reader.lost.append(_("units (%(names)s)") % {"names": ", ".join(names)})


def numerical(reader: Reader) -> ParsedQuestion:
    element = reader.element
    answers = []
    for answer in element.findall("answer"):
        fraction = reader.fraction(answer)
        if fraction is None:
            continue
        text = text_of(answer)
        feedback = reader.rich(answer.find("feedback"))
        if text == "*":
            answers.append(ParsedNumericalAnswer(weight=Decimal(0), feedback=feedback))
            continue
        value = read_float(reader, answer, text, "answer")
        tolerance = read_float(reader, answer, child_text(answer, "tolerance", "0"), "tolerance")
        if tolerance is not None and tolerance < 0:
            reader.error(answer, _("The tolerance cannot be negative."))
        answers.append(
            ParsedNumericalAnswer(
                value=value,
                tolerance=abs(tolerance or 0.0),
                weight=fraction.quantize(CENT),
                feedback=feedback,
            )
        )
    if not any(answer.weight == 100 for answer in answers):
        reader.error(element, _("A numerical question needs an answer worth 100%%.") % {})
    report_units(reader)
    return ParsedQuestion(kind=Kind.NUMERICAL, prompt="", numerical_answers=answers)


def matching(reader: Reader) -> ParsedQuestion:
    choices = []
    for sub in reader.element.findall("subquestion"):
        left = reader.rich(sub)
        right = text_of(sub.find("answer"))
        if not right:
            reader.error(sub, _("A matching pair has no answer."))
        choices.append(ParsedChoice(text=left, is_correct=True, match_text=right))
    if sum(1 for choice in choices if choice.text) < 2:
        reader.error(reader.element, _("A matching question needs at least two pairs."))
    return ParsedQuestion(kind=Kind.MATCHING, prompt="", choices=choices)


def essay(reader: Reader) -> ParsedQuestion:
    return ParsedQuestion(
        kind=Kind.FREE_TEXT,
        prompt="",
        answer=reader.child_rich("graderinfo"),
        answer_optional=True,
    )
