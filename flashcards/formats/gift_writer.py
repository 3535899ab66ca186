"""Moodle GIFT, the writer: a GIFT file of what GIFT can express, and a warning per question
for the rest (the reader is `flashcards.formats.gift`, whose escaping rules this follows)."""

from __future__ import annotations

from decimal import Decimal

from flashcards.formats.base import (
    WARNING,
    ExportResult,
    ParsedNumericalAnswer,
    ParsedQuestion,
    ParsedSet,
    Problem,
)
from flashcards.formats.gift_text import BLANK, escape
from flashcards.models import Question

Kind = Question.Kind


def _number(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _weight(weight: Decimal) -> str:
    normalized = weight.normalize()
    text = format(normalized, "f")
    return f"%{text}%"


def _text(value: str) -> str:
    value = escape(value.strip())
    # A leading "[name]" would be read back as a text format; say the format explicitly.
    return f"[markdown]{value}" if value.startswith("[") else value


def export(parsed: ParsedSet) -> ExportResult:
    """Write a GIFT file; what GIFT cannot carry comes back as warnings, one per question."""
    out: list[str] = []
    problems: list[Problem] = []
    for number, question in enumerate(parsed.questions, start=1):
        lost: list[str] = []
        lines: list[str] = []
        for tag in question.tags:
            if "]" in tag or "\n" in tag:
                lost.append(f"tag {tag!r}")
            else:
                lines.append(f"// [tag:{tag}]")
        body = _body(question, lost)
        if body is None:
            problems.append(
                Problem(
                    number,
                    1,
                    f"Question {number} ({question.kind}) has no GIFT form; it was left out.",
                    WARNING,
                )
            )
            continue
        # The "[markdown]" written below already protects a prompt that starts with "[".
        prompt = escape(question.prompt.strip())
        head = f"::{escape(question.title)}::" if question.title else ""
        if question.prompt:
            head += "[markdown]"
        if question.kind == Kind.DESCRIPTION:
            lines.append(head + prompt)
        else:
            index = prompt.find(BLANK)
            if index != -1 and prompt[index + len(BLANK) :].strip():
                lines.append(head + prompt[:index] + body + prompt[index + len(BLANK) :])
            else:
                lines.append(head + prompt + body)
        _report_lost(question, lost)
        if lost:
            problems.append(
                Problem(
                    number, 1, f"Question {number}: GIFT cannot carry {', '.join(lost)}.", WARNING
                )
            )
        out.append("\n".join(lines))
    content = ("\n\n".join(out) + "\n").encode("utf-8")
    return ExportResult(content, problems, ".gift.txt", "text/plain; charset=utf-8")


def _report_lost(question: ParsedQuestion, lost: list[str]) -> None:
    if question.answer and question.kind not in (Kind.FLASHCARD, Kind.FREE_TEXT):
        lost.append("the answer explanation")
    if question.points != Decimal(1):
        lost.append("points")
    if question.has_reverse:
        lost.append("the reverse card")
    if question.case_sensitive or not question.normalize_whitespace or question.ignore_accents:
        lost.append("answer matching options")
    if question.rubric:
        lost.append("the rubric")


def _is_any_other_number(answer: ParsedNumericalAnswer) -> bool:
    return answer.value is None and answer.minimum is None and answer.maximum is None


def _general(question: ParsedQuestion) -> str:
    return f"####{_text(question.general_feedback)}" if question.general_feedback else ""


def _body(question: ParsedQuestion, lost: list[str]) -> str | None:
    kind = question.kind
    if kind == Kind.DESCRIPTION:
        if question.general_feedback:
            lost.append("general feedback")
        return ""
    if kind in (Kind.FREE_TEXT, Kind.FLASHCARD):
        # An essay's general feedback is what the importer reads as the reference answer.
        if kind == Kind.FLASHCARD:
            lost.append("the flashcard kind (written as an essay with the back as its answer)")
        if question.general_feedback:
            lost.append("general feedback")
        back = question.answer
        return "{" + (f"####{_text(back)}" if back else "") + "}"
    if kind == Kind.TRUE_FALSE:
        word = "TRUE" if question.correct_boolean else "FALSE"
        # GIFT's first '#' is for the wrong answer, the second for the right one.
        if question.correct_boolean:
            wrong, right = question.false_feedback, question.true_feedback
        else:
            wrong, right = question.true_feedback, question.false_feedback
        feedback = ""
        if wrong or right:
            feedback = f"#{_text(wrong)}" if wrong else "#"
            feedback += f"#{_text(right)}" if right else ""
        return "{" + word + feedback + _general(question) + "}"
    if kind == Kind.MULTIPLE_CHOICE:
        parts = []
        for choice in question.choices:
            if question.allow_multiple:
                weight = choice.weight
                if weight is None:
                    weight = Decimal(100) if choice.is_correct else None
                    if choice.is_correct:
                        lost.append(
                            "an unweighted right answer in a several-answer question "
                            "(written as 100%)"
                        )
                marker = "~" + (_weight(weight) if weight is not None else "")
            elif choice.is_correct:
                marker = "=" + (_weight(choice.weight) if choice.weight is not None else "")
            else:
                marker = "~" + (_weight(choice.weight) if choice.weight is not None else "")
            feedback = f"#{_text(choice.feedback)}" if choice.feedback else ""
            if choice.match_text:
                lost.append("matching text on a choice")
            parts.append(f"\t{marker}{_text(choice.text)}{feedback}")
        return "{\n" + "\n".join(parts) + "\n" + _general(question) + "}"
    if kind == Kind.SHORT_ANSWER:
        parts = []
        for choice in question.choices:
            weight = choice.weight
            if weight is None and not choice.is_correct:
                weight = Decimal(0)
            prefix = "=" + (_weight(weight) if weight is not None else "")
            feedback = f"#{_text(choice.feedback)}" if choice.feedback else ""
            parts.append(f"\t{prefix}{_text(choice.text)}{feedback}")
        return "{\n" + "\n".join(parts) + "\n" + _general(question) + "}"
    if kind == Kind.MATCHING:
        parts = []
        for choice in question.choices:
            if choice.feedback:
                lost.append("feedback on a matching pair")
            # The right-hand side is read without a text format, so it gets no "[...]" prefix.
            parts.append(f"\t={_text(choice.text)} -> {escape(choice.match_text.strip())}")
        return "{\n" + "\n".join(parts) + "\n" + _general(question) + "}"
    if kind == Kind.NUMERICAL:
        parts = []
        # "Any other number" is written last: everything after GIFT's '~' is its feedback.
        answers = sorted(question.numerical_answers, key=_is_any_other_number)
        for answer in answers:
            feedback = f"#{_text(answer.feedback)}" if answer.feedback else ""
            if _is_any_other_number(answer):
                parts.append(f"\t~#{_text(answer.feedback)}")
                continue
            if answer.minimum is not None and answer.maximum is not None:
                spec = f"{_number(answer.minimum)}..{_number(answer.maximum)}"
                if answer.value is not None or answer.tolerance:
                    lost.append("a value given together with a range")
            elif answer.value is not None:
                spec = f"{_number(answer.value)}:{_number(answer.tolerance)}"
            else:
                lost.append("a range with one end only")
                continue
            weight = "" if answer.weight == 100 else _weight(answer.weight)
            parts.append(f"\t={weight}{spec}{feedback}")
        return "{#\n" + "\n".join(parts) + "\n" + _general(question) + "}"
    return None
