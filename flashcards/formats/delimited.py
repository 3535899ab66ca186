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
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flashcards.formats import base
from flashcards.formats.base import (
    WARNING,
    ExportResult,
    ImportFormatError,
    ParsedQuestion,
    ParsedSet,
    Problem,
    card_back,
    card_front,
)
from flashcards.formats.encoding import decode_text
from flashcards.formats.html import html_to_markdown

SEPARATOR_NAMES = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
    "colon": ":",
}
ROW_SEPARATORS = {"newline": "\n", "blank": "blank", "semicolon": ";"}
QUOTING = ("auto", "on", "off")
HEADER = re.compile(r"^#([a-z ]+):(.*)$", re.IGNORECASE)
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
BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# csv's default field limit (128 KiB) is a guard we keep for export.
csv.field_size_limit(1 << 20)


def _headers(lines: list[str]) -> tuple[dict[str, str], int]:
    headers: dict[str, str] = {}
    count = 0
    for line in lines:
        match = HEADER.match(line)
        if not match:
            break
        headers[match.group(1).strip().lower()] = match.group(2).rstrip("\n")
        count += 1
    return headers, count


def separator_value(raw: str | None) -> str | None:
    """A separator option as given by a person: a name ('tab', 'semicolon'), `\\t`, or text."""
    if raw is None or raw == "":
        return None
    named = SEPARATOR_NAMES.get(raw.strip().lower())
    if named:
        return named
    return raw.replace("\\t", "\t").replace("\\n", "\n")


def _separator(headers: dict[str, str], body: str, forced: str | None) -> str:
    raw = headers.get("separator")
    if raw is not None:
        value = raw.strip()
        named = SEPARATOR_NAMES.get(value.lower())
        if named:
            return named
        if len(raw) == 1:
            return raw
        if value and len(value) == 1:
            return value
        raise ImportFormatError([Problem(1, 12, f"Unknown separator {raw!r} in '#separator:'.")])
    if forced:
        return forced
    sample_lines = [line for line in body.split("\n")[:50] if line.strip()]
    if sample_lines and all("\t" in line for line in sample_lines[:20]):
        return "\t"
    best, best_score = ",", -1.0
    for candidate in (",", ";", "\t", "|"):
        counts = [count_outside_quotes(line, candidate) for line in sample_lines[:20]]
        if not counts:
            continue
        with_it = sum(1 for count in counts if count > 0)
        score = with_it / len(counts) + (0.5 if len(set(counts)) == 1 and counts[0] else 0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for current in line:
        if current == '"':
            quoted = not quoted
        elif current == char and not quoted:
            count += 1
    return count


def _column(headers: dict[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw.strip()) - 1
    except ValueError:
        return None


@dataclass
class _Row:
    line: int  # where the row starts, 1-based in the whole file
    end: int  # where it ends
    cells: list[str]


class _BadQuote(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def _quoted_rows(
    body: str, separator: str, first_line: int, *, suspicious: bool = True
) -> list[_Row]:
    """Split CSV with quoting; raise _BadQuote at the first `"` that CSV would not put there.

    With `suspicious`, a quoted field that spans lines and looks like rows between two stray
    quotes (see `_looks_stray`) is a bad quote too: two stray quotes on two lines of a
    Quizlet export must not make one card of them.

    A field is read with one regular expression, not character by character, so a 10 MB
    file is split in about a second.
    """
    sep = re.escape(separator)
    quoted = re.compile(r'"((?:[^"]|"")*)"')
    plain = re.compile(rf'(?:(?!{sep})[^"\n])*')
    rows: list[_Row] = []
    position, line, length = 0, first_line, len(body)
    cells: list[str] = []
    start = line
    while position <= length:
        if body.startswith('"', position):
            match = quoted.match(body, position)
            if match is None:
                raise _BadQuote(line, "a quote opens a field and is never closed")
            cell = match.group(1).replace('""', '"')
            line_after = line + body.count("\n", position, match.end())
            if suspicious and _looks_stray(cell, separator):
                raise _BadQuote(
                    line,
                    f"a quote opened here closes only on line {line_after}, across lines "
                    "that look like rows of their own",
                )
            position = match.end()
            if (
                position < length
                and body[position] != "\n"
                and not body.startswith(separator, position)
            ):
                raise _BadQuote(line_after, "a quoted field goes on after its closing quote")
            line = line_after
        else:
            match = plain.match(body, position)
            cell = match.group(0)
            position = match.end()
            if position < length and body[position] == '"':
                raise _BadQuote(line, "a quote stands inside a field")
        cells.append(cell)
        if position >= length or body[position] == "\n":
            rows.append(_Row(start, line, cells))
            cells = []
            position += 1
            line += 1
            start = line
        else:
            position += len(separator)
    return rows


def _looks_stray(cell: str, separator: str) -> bool:
    """A "cell" holding only separators and spaces, or a multi-line one that starts or ends
    with a line break or whose later lines hold the separator, is text between two stray
    quotes rather than a cell (with line breaks)."""
    if not cell.replace(separator, "").strip():
        return separator in cell or "\n" in cell
    first, *rest = cell.split("\n")
    if not rest:
        return False
    return not first.strip() or not rest[-1].strip() or any(separator in line for line in rest)


def _plain_rows(body: str, separator: str, first_line: int) -> Iterator[_Row]:
    """One row per line, made as they are read: reading may stop early (MAX_ROW_ERRORS)."""
    for index, line in enumerate(body.split("\n")):
        yield _Row(first_line + index, first_line + index, line.split(separator))


def _block_rows(body: str, row_separator: str, separator: str, first_line: int) -> list[_Row]:
    """Cards separated by a custom row separator (or blank lines); each card is split at the
    first term separator only, so a definition may hold the separator and line breaks."""
    rows = []
    pattern = BLANK_LINES if row_separator == "blank" else re.compile(re.escape(row_separator))
    position = 0
    for piece in [*pattern.finditer(body), None]:
        end = piece.start() if piece else len(body)
        chunk = body[position:end]
        offset = len(chunk) - len(chunk.lstrip())
        line = first_line + body.count("\n", 0, position + offset)
        text = chunk.strip()
        if text:
            end_line = line + text.count("\n")
            cells = text.split(separator, 1) if separator in text else [text]
            rows.append(_Row(line, end_line, cells))
        if piece is None:
            break
        position = piece.end()
    return rows


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
    headers, header_lines = _headers(lines)
    body = "\n".join(lines[header_lines:])
    separator = separator_value(separator)
    row_separator = ROW_SEPARATORS.get((row_separator or "").strip().lower(), row_separator)
    if quoting not in QUOTING:
        raise ImportFormatError(f"Unknown quoting {quoting!r}; use auto, on or off.")
    delimiter = _separator(headers, body, separator)
    from_anki = bool(headers)
    first_line = header_lines + 1
    custom_rows = row_separator not in (None, "", "\n")
    if custom_rows:
        rows = _block_rows(body, row_separator, delimiter, first_line)
    elif quoting == "off" or (quoting == "auto" and '"' not in body):
        rows = _plain_rows(body, delimiter, first_line)
    else:
        try:
            rows = _quoted_rows(
                body, delimiter, first_line, suspicious=quoting == "auto" and not from_anki
            )
        except _BadQuote as bad:
            if quoting == "on":
                raise ImportFormatError(
                    [Problem(bad.line, 1, f"CSV quoting is broken here: {bad.message}.")]
                ) from None
            result.problems.append(
                Problem(
                    bad.line,
                    1,
                    f"Line {bad.line}: {bad.message}, so this file does not use CSV quoting; "
                    'every " in it was read as ordinary text and each line is one card.',
                    WARNING,
                    code="quote-literal",
                )
            )
            rows = _plain_rows(body, delimiter, first_line)
        else:
            if not from_anki:
                for row in rows:
                    if row.end > row.line:
                        result.problems.append(
                            Problem(
                                row.line,
                                1,
                                f"Lines {row.line}–{row.end} were read as one card: a quoted "
                                "field holds their line breaks.",
                                WARNING,
                                code="row-merged",
                            )
                        )
    _read_rows(rows, headers, delimiter, result)
    if not result.questions and not result.errors:
        result.problems.append(Problem(1, 1, "No rows with a front and a back were found."))
    return result


def _read_rows(rows: Iterable[_Row], headers: dict, delimiter: str, result: ParsedSet) -> None:
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
                        f"Reading stopped at line {row.line} after {errors:,} rows that are "
                        "not cards: this does not look like a file of cards. Nothing was "
                        "imported; check the format and the separator.",
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
        more = f" and {len(where) - 10} more" if len(where) > 10 else ""
        result.problems.append(
            Problem(
                where[0],
                1,
                f"Column {index + 1} was not imported (only front, back, tags and note type "
                f"are read); it has text on {len(where)} row(s): line(s) {shown}{more}.",
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
                "Expected a front and a back; this row has one column. Check the separator.",
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
                    line, 1, f"Media not imported (kept as links): {', '.join(media)}.", WARNING
                )
            )
    else:
        front, back = front.strip(), back.strip()
    notetype = (_cell(row, columns["notetype"]).strip() or default_notetype).lower()
    tags = _cell(row, columns["tags"]).split()
    if not front:
        result.problems.append(Problem(line, 1, "The front is empty."))
        return None
    if "cloze" in notetype or (not notetype and CLOZE.search(front)):
        return ParsedQuestion(kind=base.CLOZE, prompt=front, answer=back, tags=tags, line=line)
    return ParsedQuestion(
        kind=base.FLASHCARD,
        prompt=front,
        answer=back,
        tags=tags,
        has_reverse="reverse" in notetype and "optional" not in notetype,
        line=line,
    )


def export(parsed: ParsedSet, *, separator: str = "\t") -> ExportResult:
    """Anki-style delimited text with headers; non-card kinds are written as front/back."""
    name = {value: key for key, value in SEPARATOR_NAMES.items()}[separator]
    buffer = io.StringIO()
    buffer.write(f"#separator:{name}\n#html:false\n#notetype column:3\n#tags column:4\n")
    buffer.write(f"#columns:{separator.join(['Front', 'Back', 'Notetype', 'Tags'])}\n")
    writer = csv.writer(buffer, delimiter=separator, quotechar='"', lineterminator="\n")
    # A row whose first cell starts with "#" would be read back as a header line: quote it.
    quoting = csv.writer(
        buffer, delimiter=separator, quotechar='"', lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    problems: list[Problem] = []
    for number, question in enumerate(parsed.questions, start=1):
        lost = []
        if question.kind == base.CLOZE:
            notetype = "Cloze"
        elif question.has_reverse:
            notetype = "Basic (and reversed card)"
        else:
            notetype = "Basic"
        if question.kind not in (base.FLASHCARD, base.CLOZE):
            lost.append(f"the {question.kind} kind and its answers (written as front/back)")
        for label, value in (
            ("title", question.title),
            ("general feedback", question.general_feedback),
        ):
            if value:
                lost.append(label)
        tags = []
        for tag in question.tags:
            if any(char.isspace() for char in tag):
                lost.append(f"spaces in tag {tag!r}")
                tag = "_".join(tag.split())
            tags.append(tag)
        if lost:
            problems.append(
                Problem(
                    number, 1, f"Question {number}: CSV cannot carry {', '.join(lost)}.", WARNING
                )
            )
        if question.kind in (base.FLASHCARD, base.CLOZE):
            front, back = question.prompt, question.answer
        else:
            front, back = card_front(question), card_back(question)
        if not back.strip() and question.kind != base.CLOZE:
            problems.append(
                Problem(
                    number,
                    1,
                    f"Question {number} ({question.kind}) has no answer to "
                    "write as the back of a card; it was left out.",
                    WARNING,
                )
            )
            continue
        row = [front, back, notetype, " ".join(tags)]
        (quoting if front.startswith("#") else writer).writerow(row)
    extension = ".tsv" if separator == "\t" else ".csv"
    media_type = "text/tab-separated-values" if separator == "\t" else "text/csv"
    return ExportResult(buffer.getvalue().encode("utf-8"), problems, extension, media_type)
