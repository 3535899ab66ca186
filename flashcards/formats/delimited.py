"""Front/back cards in delimited text, as Anki, Quizlet and spreadsheets export them.

Anki's file headers are honoured: `#separator:`, `#html:`, `#columns:`, `#tags:`,
`#tags column:`, `#notetype:`, `#notetype column:`, `#deck:`/`#deck column:`/`#guid column:`
(read and ignored).  Without headers the separator is detected, a first row naming its
columns ("front,back,tags", "term,definition", "question,answer") is read as a header, and
the first two columns are the front and the back.  Cloze text (`{{c1::...}}`) becomes a cloze
question; a "Basic (and reversed card)" note type becomes a flashcard studied both ways.

Quoting is detected, not assumed: Quizlet writes unquoted `term<TAB>definition` lines in which
`"` is ordinary text, while Anki and spreadsheets quote fields that hold separators or line
breaks.  The file is read with CSV quoting only when every `"` in it stands where CSV puts one
(opening a field, closing it, or doubled inside it); one stray quote and the whole file is
read with quotes as text, with a warning naming its line — so an unbalanced quote can never
swallow the rows after it.  A quoted field that spans lines is reported with its lines
(unless Anki's headers say the file is Anki's, where that is the format).

Quizlet's custom separators are options (command, API, wizard): `separator` between term and
definition (any text: `;`, ` - `), `row_separator` between cards (`newline`, `blank` for
blank-line separated blocks whose definitions may span lines, or any text), and `quoting`
(`auto`, `on`, `off`).

Headers, separators and rows are `flashcards.formats.delimited_rows`'; the writer is
`flashcards.formats.delimited_writer`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from flashcards.formats.base import WARNING, ImportFormatError, ParsedQuestion, ParsedSet, Problem
from flashcards.formats.delimited_rows import (
    QUOTING,
    ROW_SEPARATORS,
    BadQuote,
    Row,
    block_rows,
    choose_separator,
    plain_rows,
    quoted_rows,
    read_headers,
    separator_value,
)
from flashcards.formats.encoding import decode_text
from flashcards.formats.html import html_to_markdown
from flashcards.models import Question

Kind = Question.Kind

CLOZE = re.compile(r"\{\{c\d+::")
FRONT_NAMES = {
    "front", "question", "term", "prompt", "text", "word", "frente", "pergunta", "termo",
    "conceito", "forside", "spørgsmål", "begreb", "udtryk",
}  # fmt: skip
BACK_NAMES = {
    "back", "answer", "definition", "back extra", "extra", "verso", "resposta", "definição",
    "explicação", "svar", "bagside", "forklaring",
}  # fmt: skip
TAG_NAMES = {"tags", "tag"}
NOTETYPE_NAMES = {"notetype", "note type", "type"}
# A file with this many broken rows is not a file of cards: reading stops (with an error).
MAX_ROW_ERRORS = 1000


def _column(headers: dict[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw.strip()) - 1
    except ValueError:
        return None


def parse(
    data: bytes | str,
    *,
    separator: str | None = None,
    fmt: str = "csv",
    row_separator: str | None = None,
    quoting: str = "auto",
) -> ParsedSet:
    text, problems = decode_text(data)
    result = ParsedSet(format=fmt, problems=problems)
    lines = text.split("\n")
    headers, header_lines = read_headers(lines)
    body = "\n".join(lines[header_lines:])
    separator = separator_value(separator)
    row_separator = ROW_SEPARATORS.get((row_separator or "").strip().lower(), row_separator)
    if quoting not in QUOTING:
        raise ImportFormatError(
            _("Unknown quoting %(quoting)r; use auto, on or off.") % {"quoting": quoting}
        )
    delimiter = choose_separator(headers, body, separator)
    from_anki = bool(headers)
    first_line = header_lines + 1
    custom_rows = row_separator not in (None, "", "\n")
    if custom_rows:
        rows = block_rows(body, row_separator, delimiter, first_line)
    elif quoting == "off" or (quoting == "auto" and '"' not in body):
        rows = plain_rows(body, delimiter, first_line)
    else:
        try:
            rows = quoted_rows(
                body, delimiter, first_line, suspicious=quoting == "auto" and not from_anki
            )
        except BadQuote as bad:
            if quoting == "on":
                raise ImportFormatError(
                    [
                        Problem(
                            bad.line,
                            1,
                            _("CSV quoting is broken here: %(message)s.")
                            % {"message": bad.message},
                        )
                    ]
                ) from None
            result.problems.append(
                Problem(
                    bad.line,
                    1,
                    _(
                        "Line %(line)s: %(message)s, so this file does not use CSV quoting; "
                        'every " in it was read as ordinary text and each line is one card.'
                    )
                    % {"line": bad.line, "message": bad.message},
                    WARNING,
                    code="quote-literal",
                )
            )
            rows = plain_rows(body, delimiter, first_line)
        else:
            if not from_anki:
                for row in rows:
                    if row.end > row.line:
                        result.problems.append(
                            Problem(
                                row.line,
                                1,
                                _(
                                    "Lines %(line)s–%(end)s were read as one card: a quoted field "
                                    "holds their line breaks."
                                )
                                % {"line": row.line, "end": row.end},
                                WARNING,
                                code="row-merged",
                            )
                        )
    _read_rows(rows, headers, delimiter, result)
    if not result.questions and not result.errors:
        result.problems.append(Problem(1, 1, _("No rows with a front and a back were found.")))
    return result


def _read_rows(rows: Iterable[Row], headers: dict, delimiter: str, result: ParsedSet) -> None:
    html = headers.get("html", "").strip().lower() == "true"
    global_tags = headers.get("tags", "").split()
    default_notetype = headers.get("notetype", "").strip()
    columns = {
        "tags": _column(headers, "tags column"),
        "notetype": _column(headers, "notetype column"),
        "deck": _column(headers, "deck column"),
        "guid": _column(headers, "guid column"),
    }
    field_columns: list[int] = []
    names = headers.get("columns")
    if names is not None:
        _assign(names.split(delimiter), columns, field_columns)
    ignored: dict[int, list[int]] = {}
    first = True
    errors = 0
    for row in rows:
        cells = row.cells
        if not any(cell.strip() for cell in cells):
            continue
        # Only the first row can name the columns.
        if first and not field_columns and names is None and _looks_like_header(cells):
            _assign(cells, columns, field_columns)
            names = ""
            first = False
            continue
        first = False
        special = {c for c in columns.values() if c is not None}
        fields = field_columns or [i for i in range(len(cells)) if i not in special]
        question = _question(cells, row.line, columns, fields, html, result, default_notetype)
        if question is None:
            errors += 1
            if errors >= MAX_ROW_ERRORS:
                result.problems.append(
                    Problem(
                        row.line,
                        1,
                        _(
                            "Reading stopped at line %(line)s after %(errors)s rows that are not "
                            "cards: this does not look like a file of cards. Nothing was imported; "
                            "check the format and the separator."
                        )
                        % {"line": row.line, "errors": format(errors, ",")},
                        code="too-many-errors",
                    )
                )
                break
            continue
        question.tags = list(dict.fromkeys([*global_tags, *question.tags]))
        used = {*fields[:2], *special}
        for index, cell in enumerate(cells):
            if index not in used and cell.strip():
                ignored.setdefault(index, []).append(row.line)
        result.questions.append(question)
    for index, where in sorted(ignored.items()):
        shown = ", ".join(str(line) for line in where[:10])
        more = _(" and %(count)s more") % {"count": len(where) - 10} if len(where) > 10 else ""
        result.problems.append(
            Problem(
                where[0],
                1,
                _(
                    "Column %(index)s was not imported (only front, back, tags and note "
                    "type are read); it has text on %(where)s row(s): line(s) "
                    "%(shown)s%(more)s."
                )
                % {"index": index + 1, "where": len(where), "shown": shown, "more": more},
                WARNING,
                code="columns-ignored",
                dropped=True,
            )
        )


def _looks_like_header(row: list[str]) -> bool:
    cells = [cell.strip().lower() for cell in row if cell.strip()]
    known = FRONT_NAMES | BACK_NAMES | TAG_NAMES | NOTETYPE_NAMES
    return (
        len(cells) >= 2
        and all(cell in known for cell in cells)
        and any(cell in FRONT_NAMES for cell in cells)
        and any(cell in BACK_NAMES for cell in cells)
    )


def _assign(names: list[str], columns: dict, field_columns: list[int]) -> None:
    for index, name in enumerate(names):
        key = name.strip().lower()
        if key in TAG_NAMES and columns["tags"] is None:
            columns["tags"] = index
        elif key in NOTETYPE_NAMES and columns["notetype"] is None:
            columns["notetype"] = index
        elif key in {"deck"} and columns["deck"] is None:
            columns["deck"] = index
        elif key in {"guid"} and columns["guid"] is None:
            columns["guid"] = index
        elif index not in columns.values():
            field_columns.append(index)
    # The front comes first and the back second, whatever order the columns are in.
    lowered = [name.strip().lower() for name in names]
    field_columns.sort(
        key=lambda i: 0 if lowered[i] in FRONT_NAMES else 1 if lowered[i] in BACK_NAMES else 2
    )


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row) or index < 0:
        return ""
    return row[index]


def _question(row, line, columns, fields, html, result, default_notetype):
    if len(fields) < 2 or len(row) < 2:
        result.problems.append(
            Problem(
                line,
                1,
                _("Expected a front and a back; this row has one column. Check the separator."),
            )
        )
        return None
    front, back = _cell(row, fields[0]), _cell(row, fields[1])
    if html:
        front, front_media = html_to_markdown(front)
        back, back_media = html_to_markdown(back)
        media = [*front_media, *back_media]
        if media:
            result.problems.append(
                Problem(
                    line,
                    1,
                    _("Media not imported (kept as links): %(media)s.")
                    % {"media": ", ".join(media)},
                    WARNING,
                )
            )
    else:
        front, back = front.strip(), back.strip()
    notetype = (_cell(row, columns["notetype"]).strip() or default_notetype).lower()
    tags = _cell(row, columns["tags"]).split()
    if not front:
        result.problems.append(Problem(line, 1, _("The front is empty.")))
        return None
    if "cloze" in notetype or (not notetype and CLOZE.search(front)):
        return ParsedQuestion(kind=Kind.CLOZE, prompt=front, answer=back, tags=tags, line=line)
    return ParsedQuestion(
        kind=Kind.FLASHCARD,
        prompt=front,
        answer=back,
        tags=tags,
        has_reverse="reverse" in notetype and "optional" not in notetype,
        line=line,
    )
