"""Moodle GIFT, the reader: a parser written from Moodle's documentation and its reference
importer's behaviour (the writer, which writes what GIFT can express and reports the rest, is
`flashcards.formats.gift_writer`).

Syntax covered: questions separated by blank lines; `//` comment lines (with Moodle's
`[tag:...]` annotations read as tags); `::title::`; `$CATEGORY:` (imported as a tag);
`[markdown]`/`[html]`/`[plain]`/`[moodle]` text formats; escapes `\\~ \\= \\# \\{ \\} \\: \\\\` and
`\\n`; multiple choice with `=`/`~`, weights `~%50%` (also negative) and several right answers;
true/false `{T}` `{TRUE}` `{F}` `{FALSE}` with wrong/right feedback; short answer; numerical
`{#3:0.5}`, `{#1..5}` and several weighted answers `{#=%100%3:0 =%50%3:1 ~#wrong}`; matching
`{=a -> b}`; essay `{}`; description (no answer block); per-answer feedback `#`; general
feedback `####`; the missing-word form (answer block in the middle of the text).

Where GIFT and quizsite's questions differ, the content rules of
`flashcards.services.content` decide: an essay's general feedback is the free-text question's
reference answer, and an essay without one imports without one (imports may leave it empty;
the editor asks for it); numerical `~#feedback` is the "any other number" answer (Moodle's
`*`: no value, 0%); a true/false question's two feedbacks are kept apart, each shown to
whoever gave that answer (`true_feedback`, `false_feedback`).

`[html]` text is converted to Markdown (tables too); images Moodle keeps as its own files
(`@@PLUGINFILE@@/…`) or embeds (`data:`) cannot travel in a GIFT file: they are taken out,
their alt text kept, with one warning per question naming them (`flashcards.formats.images`).

Positions: every problem carries the line and column in the original file.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flashcards.formats import base
from flashcards.formats.base import (
    WARNING,
    ParsedChoice,
    ParsedQuestion,
    ParsedSet,
    Problem,
)
from flashcards.formats.encoding import decode_text
from flashcards.formats.gift_numerical import numerical
from flashcards.formats.gift_text import (
    BLANK,
    Block,
    blocks,
    category_tag,
    find,
    formatted_text,
    rfind,
    split_unescaped,
    unescape,
)
from flashcards.formats.images import image_problems
from flashcards.models import Question

Kind = Question.Kind

WEIGHT = re.compile(r"%\s*(-?\d+(?:\.\d*)?|-?\.\d+)\s*%")
TRUE_WORDS = {"T", "TRUE"}
FALSE_WORDS = {"F", "FALSE"}
CENT = Decimal("0.01")
NO_FILES = gettext_lazy("a GIFT file does not carry Moodle's files.")
CATEGORY_AS_TAG = "category-as-tag"


class QuestionParser:
    def __init__(self, block: Block, problems: list[Problem]):
        self.block = block
        self.text = block.text
        self.problems = problems
        self.ok = True
        # Sources of the [html] images taken out of this question's text.
        self.dropped_images: list[str] = []

    def error(self, offset: int, message: str) -> None:
        line, column = self.block.position(offset)
        self.problems.append(Problem(line, column, message))
        self.ok = False

    def warn(self, offset: int, message: str) -> None:
        line, column = self.block.position(offset)
        self.problems.append(Problem(line, column, message, WARNING))

    # --- text pieces -----------------------------------------------------------------------

    def formatted(self, start: int, end: int, default: str) -> tuple[str, str]:
        """Read text[start:end] with an optional [format] prefix; return Markdown and format."""
        return formatted_text(self.text[start:end], default, self.dropped_images)

    def weight(self, start: int, end: int) -> tuple[Decimal | None, int]:
        """Parse a `%n%` weight at text[start:]; return it and where the answer text begins."""
        while start < end and self.text[start] in " \t\n":
            start += 1
        match = WEIGHT.match(self.text, start, end)
        if not match:
            if start < end and self.text[start] == "%":
                close = self.text.find("%", start + 1, end)
                if close != -1 and close - start < 12:
                    self.error(
                        start,
                        _("A weight must be a number between -100 and 100, e.g. %%50%%.") % {},
                    )
                    return None, close + 1
            return None, start
        try:
            value = Decimal(match.group(1))
        except InvalidOperation:  # pragma: no cover - the regex admits only numbers
            value = Decimal(0)
        if not -100 <= value <= 100:
            self.error(
                start, _("Weight %(weight)s%% is outside -100..100.") % {"weight": match.group(1)}
            )
        return value.quantize(CENT), match.end()

    def feedback_split(self, start: int, end: int) -> tuple[int, int | None]:
        index = find(self.text, "#", start, end)
        return (end, None) if index == -1 else (index, index + 1)

    # --- the question ------------------------------------------------------------------------

    def parse(self, category_tags: list[str]) -> ParsedQuestion | None:
        text = self.text
        offset = 0
        while offset < len(text) and text[offset].isspace():
            offset += 1
        title = ""
        if text.startswith("::", offset):
            close = find(text, "::", offset + 2)
            if close == -1:
                self.error(offset, _("The question title is not closed with '::'."))
                return None
            title = unescape(text[offset + 2 : close]).strip()
            offset = close + 2
        opening = find(text, "{", offset)
        closing = find(text, "}", offset)
        if opening == -1 and closing == -1:
            prompt, fmt = self.formatted(offset, len(text), "moodle")
            question = ParsedQuestion(kind=Kind.DESCRIPTION, prompt=prompt, title=title)
            return self.finish(question, offset, category_tags)
        if closing == -1:
            self.error(opening, _("Unbalanced answer braces: '{' is never closed."))
            return None
        if opening == -1 or closing < opening:
            self.error(closing, _("Unbalanced answer braces: '}' without an opening '{'."))
            return None
        nested = find(text, "{", opening + 1, closing)
        if nested != -1:
            self.error(nested, _("A second '{' inside an answer block; escape it as '\\{'."))
            return None
        extra = find(text, "{", closing + 1)
        if extra == -1:
            extra = find(text, "}", closing + 1)
        if extra != -1:
            self.error(extra, _("Only one answer block is allowed per question."))
            return None
        before = text[offset:opening]
        after = text[closing + 1 :]
        prompt_source = before + BLANK + after if after.strip() else before
        # Format prefix and unescaping on the joined text; BLANK has nothing to escape.
        prompt, fmt = formatted_text(prompt_source, "moodle", self.dropped_images)
        body_start, body_end = opening + 1, closing
        general = ""
        separator = rfind(text, "####", body_start, body_end)
        if separator != -1:
            general, _format = self.formatted(separator + 4, body_end, fmt)
            body_end = separator
        question = self.answers(body_start, body_end, fmt, opening)
        if question is None:
            return None
        question.prompt = prompt
        question.title = title
        if question.kind == Kind.FREE_TEXT:
            # An essay's general feedback is shown after answering: our reference answer.
            question.answer = general
        else:
            question.general_feedback = general
        return self.finish(question, offset, category_tags)

    def finish(self, question: ParsedQuestion, offset: int, tags: list[str]) -> ParsedQuestion:
        question.line, question.column = self.block.position(offset)
        question.tags = list(dict.fromkeys([*tags, *question.tags]))
        if not question.prompt:
            self.error(offset, _("The question has no text."))
        if not self.ok:
            return None
        self.problems.extend(image_problems(question, self.dropped_images, NO_FILES))
        return question

    def answers(self, start: int, end: int, fmt: str, opening: int) -> ParsedQuestion | None:
        text = self.text
        body = text[start:end].strip()
        first = start
        while first < end and text[first].isspace():
            first += 1
        if not body:
            return ParsedQuestion(kind=Kind.FREE_TEXT, prompt="", answer_optional=True)
        if text[first] == "#":
            return numerical(self, first + 1, end, fmt)
        if find(text, "~", start, end) != -1:
            return self.multiple_choice(start, end, fmt)
        if find(text, "=", start, end) != -1 and find(text, "->", start, end) != -1:
            return self.matching(start, end, fmt)
        hash_at = find(text, "#", start, end)
        head = unescape(text[start : hash_at if hash_at != -1 else end]).strip()
        if head in TRUE_WORDS or head in FALSE_WORDS:
            return self.true_false(start, end, fmt, head in TRUE_WORDS)
        return self.short_answer(start, end, fmt, opening)

    def parts(self, start: int, end: int, markers: str) -> list[tuple[int, int, str]]:
        splits = split_unescaped(self.text, start, end, markers)
        parts = []
        for index, (offset, marker) in enumerate(splits):
            stop = splits[index + 1][0] if index + 1 < len(splits) else end
            parts.append((offset + len(marker), stop, marker))
        return parts

    def multiple_choice(self, start: int, end: int, fmt: str) -> ParsedQuestion | None:
        parts = self.parts(start, end, "~=")
        lead = parts.pop(0)
        if self.text[lead[0] : lead[1]].strip():
            self.error(
                lead[0], _("Text before the first answer; start each answer with '=' or '~'.")
            )
        choices = []
        has_equals = False
        for part_start, part_end, marker in parts:
            weight, text_start = self.weight(part_start, part_end)
            text_end, feedback_start = self.feedback_split(text_start, part_end)
            choice_text, _format = self.formatted(text_start, text_end, fmt)
            feedback = self.formatted(feedback_start, part_end, fmt)[0] if feedback_start else ""
            if marker == "=":
                has_equals = True
                correct = weight is None or weight > 0
            else:
                correct = weight is not None and weight > 0
            if not choice_text:
                self.error(part_start, _("An answer has no text."))
            choices.append(
                ParsedChoice(text=choice_text, is_correct=correct, weight=weight, feedback=feedback)
            )
        if len(choices) < 2:
            self.error(start, _("A multiple-choice question needs at least two answers."))
        elif not any(choice.is_correct for choice in choices):
            self.error(
                start, _("No answer is marked correct ('=' or a positive '~%%n%%' weight).") % {}
            )
        if not has_equals:
            weights = base.weights_adding_to_100([choice.weight for choice in choices])
            for choice, weight in zip(choices, weights, strict=True):
                choice.weight = weight
        return ParsedQuestion(
            kind=Kind.MULTIPLE_CHOICE, prompt="", choices=choices, allow_multiple=not has_equals
        )

    def matching(self, start: int, end: int, fmt: str) -> ParsedQuestion | None:
        parts = self.parts(start, end, "=")
        lead = parts.pop(0)
        if self.text[lead[0] : lead[1]].strip():
            self.error(lead[0], _("Text before the first pair; start each pair with '='."))
        choices = []
        for part_start, part_end, _marker in parts:
            arrow = find(self.text, "->", part_start, part_end)
            if arrow == -1:
                self.error(part_start, _("A matching pair needs '->' between its two sides."))
                continue
            left, _format = self.formatted(part_start, arrow, fmt)
            right = unescape(self.text[arrow + 2 : part_end]).strip()
            if not right:
                self.error(arrow, _("A matching pair has nothing after '->'."))
            choices.append(ParsedChoice(text=left, is_correct=True, match_text=right))
        if sum(1 for choice in choices if choice.text) < 2:
            self.error(start, _("A matching question needs at least two pairs."))
        return ParsedQuestion(kind=Kind.MATCHING, prompt="", choices=choices)

    def true_false(self, start: int, end: int, fmt: str, value: bool) -> ParsedQuestion:
        pieces = self.parts(start, end, "#")
        wrong = self.formatted(pieces[1][0], pieces[1][1], fmt)[0] if len(pieces) > 1 else ""
        right = self.formatted(pieces[2][0], end, fmt)[0] if len(pieces) > 2 else ""
        # The first '#' is shown to whoever answers wrong, the second to whoever answers right.
        if_true, if_false = (right, wrong) if value else (wrong, right)
        return ParsedQuestion(
            kind=Kind.TRUE_FALSE,
            prompt="",
            correct_boolean=value,
            true_feedback=if_true,
            false_feedback=if_false,
        )

    def short_answer(self, start: int, end: int, fmt: str, opening: int) -> ParsedQuestion:
        parts = self.parts(start, end, "=")
        if not self.text[parts[0][0] : parts[0][1]].strip():
            parts.pop(0)
        choices = []
        for part_start, part_end, _marker in parts:
            weight, text_start = self.weight(part_start, part_end)
            text_end, feedback_start = self.feedback_split(text_start, part_end)
            accepted, _format = self.formatted(text_start, text_end, fmt)
            feedback = self.formatted(feedback_start, part_end, fmt)[0] if feedback_start else ""
            if not accepted:
                self.error(part_start, _("An accepted answer is empty."))
            choices.append(
                ParsedChoice(
                    text=accepted,
                    is_correct=weight is None or weight > 0,
                    weight=weight,
                    feedback=feedback,
                )
            )
        if not choices:
            self.error(opening, _("A short-answer question needs at least one answer."))
        return ParsedQuestion(kind=Kind.SHORT_ANSWER, prompt="", choices=choices)


def parse(data: bytes | str) -> ParsedSet:
    text, problems = decode_text(data)
    result = ParsedSet(format="gift", problems=problems)
    category: list[str] = []
    warned_category = False
    for lines, tags in blocks(text):
        block = Block(lines)
        stripped = block.text.lstrip()
        if stripped.startswith("$CATEGORY:"):
            tag = category_tag(stripped[len("$CATEGORY:") :].split("\n", 1)[0])
            category = [tag] if tag else []
            if not warned_category:
                line, _column = block.position(0)
                result.problems.append(
                    Problem(
                        line,
                        1,
                        _(
                            "GIFT categories are imported as tags (the category path, e.g. 'Deep "
                            "learning/Chapter 4')."
                        ),
                        WARNING,
                        CATEGORY_AS_TAG,
                    )
                )
                warned_category = True
            continue
        parser = QuestionParser(block, result.problems)
        question = parser.parse([*category, *tags])
        if question is not None:
            result.questions.append(question)
    if not result.questions and not result.errors:
        result.problems.append(Problem(1, 1, _("No GIFT questions were found.")))
    return result
