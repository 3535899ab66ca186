"""Moodle's Aiken format: single-answer multiple choice in plain text.

    What does ReLU return for negative inputs?
    A. The input itself
    B) Zero
    ANSWER: B

The question text comes first (Moodle's docs ask for one line; several lines are accepted),
then at least two options lettered `A.` or `A)` followed by a space, then `ANSWER: X`.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from flashcards.formats import base
from flashcards.formats.base import ParsedChoice, ParsedQuestion, ParsedSet, Problem
from flashcards.formats.encoding import decode_text
from flashcards.models import Question

Kind = Question.Kind

OPTION = re.compile(r"^\s*([A-Z])[.)][ \t]+(\S.*)$")
ANSWER = re.compile(r"^\s*ANSWER\s*:\s*(.*)$", re.IGNORECASE)


class _Pending:
    def __init__(self, line: int):
        self.line = line
        self.text: list[str] = []
        self.options: list[tuple[str, str, int]] = []


def parse(data: bytes | str) -> ParsedSet:
    text, problems = decode_text(data)
    result = ParsedSet(format="aiken", problems=problems)
    pending: _Pending | None = None

    def unfinished(item: _Pending) -> None:
        result.problems.append(
            Problem(item.line, 1, _("This question has no 'ANSWER:' line after its options."))
        )

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        answer = ANSWER.match(line)
        option = OPTION.match(line)
        if answer:
            if pending is None or not pending.options:
                result.problems.append(
                    Problem(number, 1, _("'ANSWER:' without a question and its options before it."))
                )
                pending = None
                continue
            _finish(pending, answer, number, line, result)
            pending = None
        elif option:
            if pending is None or not pending.text:
                result.problems.append(
                    Problem(number, 1, _("An option without a question before it."))
                )
                pending = pending or _Pending(number)
                pending.text.append("")
            letters = [letter for letter, _, _ in pending.options]
            if option.group(1) in letters:
                result.problems.append(
                    Problem(
                        number,
                        1,
                        _("Option %(option)s appears twice.") % {"option": option.group(1)},
                    )
                )
            pending.options.append((option.group(1), option.group(2).strip(), number))
        else:
            if pending is not None and pending.options:
                unfinished(pending)
                pending = None
            if pending is None:
                pending = _Pending(number)
            pending.text.append(line.strip())
    if pending is not None:
        unfinished(pending)
    if not result.questions and not result.errors:
        result.problems.append(Problem(1, 1, _("No Aiken questions were found.")))
    return result


def _finish(pending: _Pending, answer, number: int, line: str, result: ParsedSet) -> None:
    letter = answer.group(1).strip()
    column = answer.start(1) + 1
    letters = [option_letter for option_letter, _, _ in pending.options]
    if len(pending.options) < 2:
        result.problems.append(
            Problem(pending.line, 1, _("A question needs at least two options."))
        )
        return
    if len(letter) != 1 or letter.upper() not in letters:
        shown = letter or "nothing"
        result.problems.append(
            Problem(
                number,
                column,
                _("'ANSWER: %(shown)s' does not name one of the options (%(letters)s).")
                % {"shown": shown, "letters": ", ".join(letters)},
            )
        )
        return
    letter = letter.upper()
    choices = [
        ParsedChoice(text=option_text, is_correct=option_letter == letter)
        for option_letter, option_text, _ in pending.options
    ]
    result.questions.append(
        ParsedQuestion(
            kind=Kind.MULTIPLE_CHOICE,
            prompt="\n".join(pending.text).strip(),
            choices=choices,
            line=pending.line,
        )
    )


def export(parsed: base.ParsedSet) -> base.ExportResult:
    """Aiken carries single-answer multiple choice only; everything else is reported."""
    out: list[str] = []
    problems: list[Problem] = []
    for number, question in enumerate(parsed.questions, start=1):
        correct = [choice for choice in question.choices if choice.is_correct]
        if (
            question.kind != Kind.MULTIPLE_CHOICE
            or len(correct) != 1
            or len(question.choices) > 26
            or any("\n" in choice.text for choice in question.choices)
        ):
            problems.append(
                Problem(
                    number,
                    1,
                    _(
                        "Question %(number)s is not a single-answer multiple-choice question "
                        "Aiken can hold; it was left out."
                    )
                    % {"number": number},
                    base.WARNING,
                )
            )
            continue
        lines = [" ".join(question.prompt.split("\n"))]
        for index, choice in enumerate(question.choices):
            lines.append(f"{chr(65 + index)}. {choice.text.strip()}")
        lines.append(f"ANSWER: {chr(65 + question.choices.index(correct[0]))}")
        out.append("\n".join(lines))
    content = ("\n\n".join(out) + "\n").encode("utf-8")
    return base.ExportResult(content, problems, ".aiken.txt", "text/plain; charset=utf-8")
