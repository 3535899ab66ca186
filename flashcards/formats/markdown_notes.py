"""Students' Markdown notes with questions in them, read from markdown-it's block tokens.

Notes written in an editor (Obsidian, Notion, a course wiki) carry their questions in the
document's structure rather than on lines of their own:

* list items that carry a number: `- 1. Explain …`, `- 10. How …?`, or an ordered list item
  whose text asks something: `1. What …`;
* headings that ask something: `#### 3. What is …`, `## What is SGD?` (a heading that does
  not — a time stamp `### 10:15 - Assignment 3`, a topic `## Optimisers` — is a section: it
  ends the answer before it and is not imported);
* bold lines that ask something: `**Why do we shuffle the data?**`;
* a line of its own ending in "?" (as in the plain questionnaires `markdown` reads).

Everything after a question up to the next one (lists, code blocks, images, tables, deeper
sub-headings) is its answer, kept as Markdown.  The token stream, not a regular expression
per line, decides what a line is: a `1.` inside a fenced code block or a nested list is never
mistaken for a question.  Where the reading is a guess, it says so with the line: a numbered
item that does not look like a question, an answer over LONG_ANSWER characters, a gap in the
numbering, and every piece of prose that was not imported (keeping prose as notes is for a
later version).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from flashcards.formats.base import WARNING, ParsedSet, Problem

LONG_ANSWER = 1500
BULLET_NUMBER = re.compile(r"^\s*[-*+]\s+(\d{1,4})[.)]\s+(\S.*)$")
ORDERED = re.compile(r"^\s*(\d{1,4})[.)]\s+(\S.*)$")
NUMBER_PREFIX = re.compile(r"^(\d{1,4})[.):]\s+(\S.*)$")
BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:.]?\s*$")
REQUIRED = re.compile(r"(?:^|\s)(?:\\\*|\*)\s*$")
# Words a question or a task starts with, in English, Portuguese and Danish.
ASKING = re.compile(
    r"^(?:what|why|how|when|where|which|who|whom|whose|is|are|can|could|does|do|did|should|"
    r"would|will|explain|describe|define|name|list|give|compare|contrast|state|show|write|"
    r"calculate|compute|derive|prove|draw|discuss|summari[sz]e|identify|outline|"
    r"o que|qual|quais|quando|onde|como|por que|porque|quem|explique|descreva|defina|cite|"
    r"liste|compare|calcule|mostre|"
    r"hvad|hvorfor|hvordan|hvornår|hvor|hvilke|hvilken|hvilket|hvem|er|kan|forklar|beskriv|"
    r"definer|nævn|giv|sammenlign|beregn|vis)\b",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """Does the text have the shape of a question or a task?"""
    text = REQUIRED.sub("", text.strip()).strip().strip("*_ ").strip()
    return text.endswith(("?", "？")) or bool(ASKING.match(text))


@dataclass
class Question:
    line: int  # 1-based
    text: str
    number: int | None = None
    level: int = 7  # a heading question's level; deeper headings stay in its answer
    unsure: bool = False
    bold: bool = False  # written as a bold line: a bold line that asks nothing ends it
    body: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Unit:
    kind: str  # heading, item, paragraph, other
    start: int  # 0-based first line
    end: int  # 0-based line after the last
    level: int = 0
    inline: str = ""


def _units(text: str) -> list[_Unit]:
    """Top-level blocks, with the items of top-level lists as units of their own."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    units: list[_Unit] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.level != 0 or token.map is None:
            index += 1
            continue
        start, end = token.map
        if token.type == "heading_open":
            inline = tokens[index + 1].content if index + 1 < len(tokens) else ""
            units.append(_Unit("heading", start, end, int(token.tag[1]), inline))
        elif token.type == "paragraph_open":
            inline = tokens[index + 1].content if index + 1 < len(tokens) else ""
            units.append(_Unit("paragraph", start, end, 0, inline))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            depth = 0
            inner = index
            while inner < len(tokens):
                item = tokens[inner]
                if item.type == "list_item_open" and item.level == 1 and item.map:
                    units.append(_Unit("item", item.map[0], item.map[1], 0, item.info))
                if item.type.endswith("_list_open"):
                    depth += 1
                elif item.type.endswith("_list_close"):
                    depth -= 1
                    if depth == 0:
                        break
                inner += 1
            index = inner
        else:
            units.append(_Unit("other", start, end))
        index += 1
    return units


def has_note_structure(text: str) -> bool:
    """True when the notes carry their questions in Markdown structure (list items with
    numbers, headings below the title, bold question lines): read by `parse_notes`."""
    for unit in _units(text):
        first = _first_line(text, unit)
        if unit.kind == "item" and BULLET_NUMBER.match(first):
            return True
        if unit.kind == "heading" and unit.level >= 2:
            return True
        if (
            unit.kind == "paragraph"
            and BOLD_LINE.match(first)
            and asks(BOLD_LINE.match(first).group(1))
        ):
            return True
    return False


def _first_line(text: str, unit: _Unit, lines: list[str] | None = None) -> str:
    lines = lines if lines is not None else text.split("\n")
    return lines[unit.start] if unit.start < len(lines) else ""


def parse_notes(text: str, result: ParsedSet) -> list[Question]:
    """Find the questions and their answers; report prose and guesses on `result`."""
    lines = text.split("\n")
    questions: list[Question] = []
    prose: list[tuple[int, int]] = []  # 1-based line ranges not imported
    current: Question | None = None
    title_taken = False

    def content(start: int, end: int) -> None:
        chunk = [(number + 1, lines[number]) for number in range(start, min(end, len(lines)))]
        if current is None:
            if any(line.strip() for _, line in chunk):
                prose.append((start + 1, _last_nonblank(chunk, start + 1)))
            return
        current.body.extend(chunk)

    for unit in _units(text):
        first = lines[unit.start] if unit.start < len(lines) else ""
        question = _question(unit, first)
        if unit.kind == "heading" and question is None:
            if not questions and not title_taken and unit.level == 1 and current is None:
                result.title = unit.inline.strip()[:200]
                title_taken = True
                continue
            if current is not None and unit.level > current.level:
                content(unit.start, unit.end)  # a sub-heading inside a heading question's answer
                continue
            current = None
            prose.append((unit.start + 1, unit.start + 1))
            continue
        if (
            question is None
            and current is not None
            and current.bold
            and unit.kind == "paragraph"
            and BOLD_LINE.match(first)
        ):
            # Among bold questions, a bold line that asks nothing is a heading of the notes.
            current = None
            content(unit.start, unit.end)
            continue
        if question is not None:
            current = question
            questions.append(question)
            if unit.kind == "item":
                rest = [
                    lines[number] for number in range(unit.start + 1, min(unit.end, len(lines)))
                ]
                dedented = textwrap.dedent("\n".join(rest)).split("\n") if rest else []
                question.body.extend(
                    (unit.start + 2 + offset, line) for offset, line in enumerate(dedented)
                )
            elif unit.kind == "paragraph":
                content(unit.start + 1, unit.end)
            continue
        content(unit.start, unit.end)
    _report(questions, prose, result)
    return questions


def _question(unit: _Unit, first: str) -> Question | None:
    question = _shape(unit, first)
    if question is not None:
        question.text = REQUIRED.sub("", question.text).strip()
    return question


def _shape(unit: _Unit, first: str) -> Question | None:
    line = unit.start + 1
    if unit.kind == "heading":
        text = unit.inline.strip()
        numbered = NUMBER_PREFIX.match(text)
        if numbered:
            rest = numbered.group(2)
            return Question(line, rest, int(numbered.group(1)), unit.level, unsure=not asks(rest))
        return Question(line, text, None, unit.level) if asks(text) else None
    if unit.kind == "item":
        numbered = BULLET_NUMBER.match(first)
        if numbered:
            rest = numbered.group(2)
            return Question(line, rest, int(numbered.group(1)), unsure=not asks(rest))
        ordered = ORDERED.match(first)
        if ordered and asks(ordered.group(2)):
            return Question(line, ordered.group(2), int(ordered.group(1)))
        return None
    if unit.kind == "paragraph":
        bold = BOLD_LINE.match(first)
        if bold and asks(bold.group(1)):
            text = bold.group(1).strip()
            numbered = NUMBER_PREFIX.match(text)
            if numbered:
                return Question(line, numbered.group(2), int(numbered.group(1)), bold=True)
            return Question(line, text, bold=True)
        if unit.end - unit.start == 1 and asks(first) and first.rstrip().endswith(("?", "*")):
            return Question(line, REQUIRED.sub("", first).strip())
    return None


def _last_nonblank(chunk: list[tuple[int, str]], default: int) -> int:
    numbers = [number for number, line in chunk if line.strip()]
    return numbers[-1] if numbers else default


def _report(questions: list[Question], prose: list[tuple[int, int]], result: ParsedSet) -> None:
    previous: int | None = None
    for question in questions:
        if question.unsure:
            result.problems.append(
                Problem(
                    question.line,
                    1,
                    _(
                        "Line %(line)s was read as a question because it is numbered, though "
                        "it does not ask anything (no '?'): check it."
                    )
                    % {"line": question.line},
                    WARNING,
                    code="unsure-question",
                )
            )
        if question.number is not None:
            if previous is None and question.number > 1:
                result.problems.append(
                    Problem(
                        question.line,
                        1,
                        _(
                            "Line %(line)s: the numbering starts at %(number)s (are the questions "
                            "before it missing?)."
                        )
                        % {"line": question.line, "number": question.number},
                        WARNING,
                        code="numbering-gap",
                    )
                )
            if previous is not None and question.number not in (previous + 1, 1):
                missing = (
                    _("question %(number)s is missing") % {"number": previous + 1}
                    if question.number == previous + 2
                    else _("questions %(first)s–%(last)s are missing")
                    % {"first": previous + 1, "last": question.number - 1}
                    if question.number > previous
                    else _("the numbering goes back")
                )
                result.problems.append(
                    Problem(
                        question.line,
                        1,
                        _(
                            "Line %(line)s: the numbering jumps from %(previous)s to %(number)s "
                            "(%(missing)s?)."
                        )
                        % {
                            "line": question.line,
                            "previous": previous,
                            "number": question.number,
                            "missing": missing,
                        },
                        WARNING,
                        code="numbering-gap",
                    )
                )
            previous = question.number
    merged: list[tuple[int, int]] = []
    for start, end in prose:
        if merged and start <= merged[-1][1] + 2:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    for start, end in merged:
        where = (
            _("line %(line)s") % {"line": start}
            if start == end
            else _("lines %(first)s–%(last)s") % {"first": start, "last": end}
        )
        result.problems.append(
            Problem(
                start,
                1,
                _("Notes that are not questions (%(where)s) were not imported.") % {"where": where},
                WARNING,
                code="prose-skipped",
                dropped=True,
            )
        )


def long_answer_warning(line: int, answer: str) -> Problem | None:
    if len(answer) <= LONG_ANSWER:
        return None
    return Problem(
        line,
        1,
        _(
            "The answer to the question on line %(line)s is %(answer)s characters "
            "long: check that it does not run into notes or the next question."
        )
        % {"line": line, "answer": format(len(answer), ",")},
        WARNING,
        code="long-answer",
    )
