"""Markdown questionnaires and notes, as students actually write or export them.

Recognised, in one pass over the lines (fenced code blocks are kept verbatim and never read
as structure):

* explicit cards: `Q:` / `A:` (also `Question:`/`Answer:`, Portuguese `Pergunta:`/`Resposta:`,
  Danish `Spørgsmål:`/`Svar:`, and bare `Q` / `A` lines as flashcard sites export them);
  these become flashcards;
* questionnaire items: a heading, a line ending in `?`, a line ending in a form's "required"
  marker (`*`), a numbered line continuing the question numbering, or a line written twice in
  a row; the lines up to the next item are its reference answer (a free-text question);
* a list after a question in which at least one option is marked — `- option (correct)`,
  `- [x] option` — becomes multiple choice (several marked: several right answers).

Whatever is skipped (text before the first question, a flashcard site's rating prompts) or
guessed (a question with no answer) is reported as a warning with its line.

Notes that carry their questions in Markdown structure — numbered list items, question
headings below the title, bold question lines — are read from markdown-it's tokens by
`markdown_notes` instead (see there); this module still builds their questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from flashcards.formats import markdown_notes
from flashcards.formats.base import WARNING, ParsedChoice, ParsedQuestion, ParsedSet, Problem
from flashcards.formats.encoding import decode_text
from flashcards.models import Question

Kind = Question.Kind
FENCE = re.compile(r"^\s*(```+|~~~+)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
NUMBERED = re.compile(r"^\s{0,3}(\d{1,4})[.)]\s+(\S.*)$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
BULLET = re.compile(r"^(?:[-*+])\s+(.*)$")
Q_MARK = re.compile(
    r"^\s*(?:\*\*)?(?:Q|Question|Pergunta|Questão|Spørgsmål)\s*[:：](?:\*\*)?\s*(.*)$",
    re.IGNORECASE,
)
A_MARK = re.compile(
    r"^\s*(?:\*\*)?(?:A|Answer|Resposta|Svar)\s*[:：](?:\*\*)?\s*(.*)$", re.IGNORECASE
)
# A form's "required" marker: an asterisk (often escaped) after a space, ending the line.
REQUIRED = re.compile(r"(?:^|\s)(?:\\\*|\*)\s*$")
CORRECT = re.compile(
    r"\s*(?:\((?:correct|right|correta|correto|certa|certo|rigtig|korrekt|x)\)|[✓✔])\s*$",
    re.IGNORECASE,
)

TASK = re.compile(r"^\[([ xX])\]\s+(.*)$")
RATING = re.compile(r"^\s*how well did you know this\??\s*$", re.IGNORECASE)
INTEGER = re.compile(r"^\s*\d+\s*$")


@dataclass
class _Item:
    line: int
    question: list[str]
    explicit: bool = False
    term: bool = False  # a line written twice: a term and its definition
    phase: str = "answer"
    body: list[tuple[int, str]] = field(default_factory=list)
    skipping: bool = False


def _strip_question(text: str) -> str:
    text = text.strip()
    heading = HEADING.match(text)
    if heading:
        text = heading.group(2)
    text = REQUIRED.sub("", text).strip()
    return text


def _ends_question(text: str) -> bool:
    text = REQUIRED.sub("", text.strip()).rstrip("*_ ")
    return text.endswith(("?", "？"))


def _has_card_marks(lines: list[str]) -> bool:
    return any(Q_MARK.match(line) or line.strip() == "Q" for line in lines)


def parse(data: bytes | str) -> ParsedSet:
    text, problems = decode_text(data)
    result = ParsedSet(format="markdown", problems=problems)
    lines = text.split("\n")
    if not _has_card_marks(lines) and markdown_notes.has_note_structure(text):
        return _parse_notes(text, result)
    return _parse_lines(text, lines, result)


def _parse_notes(text: str, result: ParsedSet) -> ParsedSet:
    for found in markdown_notes.parse_notes(text, result):
        item = _Item(found.line, [found.text], body=found.body)
        question = _build(item, result)
        if question is not None:
            _check_length(question, result)
            result.questions.append(question)
    result.problems.sort(key=lambda problem: (problem.line, problem.column))
    _none_found(result)
    return result


def _check_length(question: ParsedQuestion, result: ParsedSet) -> None:
    warning = markdown_notes.long_answer_warning(question.line, question.answer)
    if warning is not None:
        result.problems.append(warning)


def _none_found(result: ParsedSet) -> None:
    if not result.questions and not result.errors:
        result.problems.append(
            Problem(
                1,
                1,
                _(
                    "No questions were found: write each question on its own line ending "
                    "in '?', as a heading, numbered, or as 'Q:' / 'A:' blocks."
                ),
            )
        )


def _parse_lines(text: str, lines: list[str], result: ParsedSet) -> ParsedSet:
    items: list[_Item] = []
    preface: list[tuple[int, str]] = []
    in_code = False
    next_number = 1
    skip_duplicate = -1
    warned_rating = False
    title_taken = False

    def current() -> _Item | None:
        return items[-1] if items else None

    def add(number: int, line: str) -> None:
        item = current()
        if item is None:
            preface.append((number, line))
        elif item.skipping:
            return
        elif item.phase == "question":
            item.question.append(line)
        else:
            item.body.append((number, line))

    for index, line in enumerate(lines):
        number = index + 1
        if index == skip_duplicate:
            continue
        if FENCE.match(line):
            in_code = not in_code
            add(number, line)
            continue
        if in_code:
            add(number, line)
            continue
        stripped = line.strip()
        if not stripped:
            add(number, line)
            continue
        item = current()
        if item is not None and not item.skipping and RATING.match(stripped):
            item.skipping = True
            if not warned_rating:
                result.problems.append(
                    Problem(
                        number,
                        1,
                        _("Self-rating prompts ('How well did you know this?') were skipped."),
                        WARNING,
                    )
                )
                warned_rating = True
            continue
        q_mark = Q_MARK.match(line)
        a_mark = A_MARK.match(line)
        if q_mark or stripped == "Q":
            if item is not None:
                _drop_card_number(item)
            rest = q_mark.group(1) if q_mark else ""
            items.append(_Item(number, [rest] if rest else [], explicit=True, phase="question"))
            continue
        if a_mark or stripped == "A":
            if item is None or not item.explicit or item.phase != "question":
                result.problems.append(
                    Problem(number, 1, _("'A:' without a 'Q:' before it; the text was skipped."))
                )
                if item is not None:
                    item.skipping = True
                else:
                    items.append(_Item(number, [], phase="answer", skipping=True))
                continue
            item.phase = "answer"
            rest = a_mark.group(1) if a_mark else ""
            if rest:
                item.body.append((number, rest))
            continue
        if item is not None and item.explicit and item.phase == "question":
            item.question.append(line)
            continue
        following = _next_nonblank(lines, index)
        is_list = bool(LIST_ITEM.match(line))
        heading = HEADING.match(line)
        numbered = NUMBERED.match(line)
        duplicate = following is not None and lines[following].strip() == stripped
        question = False
        if heading:
            if (
                not items
                and not title_taken
                and len(heading.group(1)) == 1
                and not (_ends_question(heading.group(2)))
            ):
                result.title = heading.group(2).strip()[:200]
                title_taken = True
                continue
            question = True
        elif duplicate and not is_list:
            question = True
            skip_duplicate = following
        else:
            continues_numbering = (
                numbered is not None
                and int(numbered.group(1)) == next_number
                and (next_number > 1 or not items)
                and not (item is not None and item.explicit)
                and not _after_list(item)
            )
            asks = not is_list and (_ends_question(line) or bool(REQUIRED.search(line)))
            question = continues_numbering or asks
        if question:
            if numbered and int(numbered.group(1)) == next_number and not heading:
                text_line = numbered.group(2)
                next_number += 1
            else:
                text_line = line
            items.append(
                _Item(
                    number,
                    [_strip_question(text_line)],
                    term=duplicate and not _ends_question(line),
                )
            )
            continue
        if item is not None and item.skipping:
            continue
        add(number, line)
    if in_code:
        result.problems.append(
            Problem(
                len(lines),
                1,
                _("A code block is not closed with ```; it runs to the end."),
                WARNING,
            )
        )
    _report_preface(preface, result)
    for item in items:
        question = _build(item, result)
        if question is not None:
            _check_length(question, result)
            result.questions.append(question)
    _none_found(result)
    return result


def _next_nonblank(lines: list[str], index: int) -> int | None:
    for following in range(index + 1, min(len(lines), index + 3)):
        if lines[following].strip():
            return following
        return None
    return None


def _after_list(item: _Item | None) -> bool:
    """A numbered line right after a list item (or its indented continuation) continues that
    list rather than the question numbering."""
    if item is None or not item.body:
        return False
    line = item.body[-1][1]
    return bool(line.strip()) and (bool(LIST_ITEM.match(line)) or line[:1] in (" ", "\t"))


def _drop_card_number(item: _Item) -> None:
    """Flashcard exports number each card on the line above its 'Q'; that is not answer text."""
    while item.body and not item.body[-1][1].strip():
        item.body.pop()
    if item.body and INTEGER.match(item.body[-1][1]):
        item.body.pop()


def _report_preface(preface: list[tuple[int, str]], result: ParsedSet) -> None:
    content = [(number, line) for number, line in preface if line.strip()]
    if content:
        first, last = content[0][0], content[-1][0]
        where = (
            _("line %(line)s") % {"line": first}
            if first == last
            else _("lines %(first)s–%(last)s") % {"first": first, "last": last}
        )
        result.problems.append(
            Problem(
                first,
                1,
                _("Text before the first question (%(where)s) was not imported.")
                % {"where": where},
                WARNING,
            )
        )


def _build(item: _Item, result: ParsedSet) -> ParsedQuestion | None:
    prompt = "\n".join(item.question).strip()
    if not prompt:
        if item.explicit:
            result.problems.append(Problem(item.line, 1, _("A 'Q:' block has no question text.")))
        return None
    body = list(item.body)
    while body and not body[-1][1].strip():
        body.pop()
    while body and not body[0][1].strip():
        body.pop(0)
    choices: list[ParsedChoice] = []
    rest: list[str] = []
    marked = [line for _number, line in body if BULLET.match(line) and _choice(line)[1]]
    if marked and not item.explicit:
        for _number, line in body:
            if BULLET.match(line):
                text, correct = _choice(line)
                choices.append(ParsedChoice(text=text, is_correct=correct))
            else:
                rest.append(line)
        answer = "\n".join(rest).strip()
        if len(choices) < 2:
            result.problems.append(
                Problem(item.line, 1, _("A multiple-choice question needs at least two options."))
            )
            return None
        return ParsedQuestion(
            kind=Kind.MULTIPLE_CHOICE,
            prompt=prompt,
            answer=answer,
            choices=choices,
            allow_multiple=sum(choice.is_correct for choice in choices) > 1,
            line=item.line,
        )
    answer = "\n".join(line.rstrip() for _number, line in body).strip()
    if not answer and item.explicit:
        result.problems.append(Problem(item.line, 1, _("This card has no answer ('A:').")))
        return None
    # A question without an answer is kept: the content rules report the missing reference
    # answer at its line, so the preview says what to add.
    kind = Kind.FLASHCARD if item.explicit or item.term else Kind.FREE_TEXT
    return ParsedQuestion(kind=kind, prompt=prompt, answer=answer, line=item.line)


def _choice(line: str) -> tuple[str, bool]:
    match = BULLET.match(line)
    text = match.group(1).strip() if match else line.strip()
    task = TASK.match(text)
    if task:
        return task.group(2).strip(), task.group(1) in "xX"
    if CORRECT.search(text):
        return CORRECT.sub("", text).strip(), True
    return text, False
