"""Delimited text, the rows: Anki's file headers, the separator (named, given or detected),
and the file split into rows of cells, with CSV quoting, without it (Quizlet's plain lines) or
by a custom row separator (see `flashcards.formats.delimited` for when each applies).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from flashcards.formats.base import ImportFormatError, Problem

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
BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# csv's default field limit (128 KiB) is a guard we keep for export.
csv.field_size_limit(1 << 20)


def read_headers(lines: list[str]) -> tuple[dict[str, str], int]:
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


def choose_separator(headers: dict[str, str], body: str, forced: str | None) -> str:
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
        raise ImportFormatError(
            [Problem(1, 12, _("Unknown separator %(raw)r in '#separator:'.") % {"raw": raw})]
        )
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


@dataclass
class Row:
    line: int  # where the row starts, 1-based in the whole file
    end: int  # where it ends
    cells: list[str]


class BadQuote(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def quoted_rows(
    body: str, separator: str, first_line: int, *, suspicious: bool = True
) -> list[Row]:
    """Split CSV with quoting; raise BadQuote at the first `"` that CSV would not put there.

    With `suspicious`, a quoted field that spans lines and looks like rows between two stray
    quotes (see `_looks_stray`) is a bad quote too: two stray quotes on two lines of a
    Quizlet export must not make one card of them.

    A field is read with one regular expression, not character by character, so a 10 MB
    file is split in about a second.
    """
    sep = re.escape(separator)
    quoted = re.compile(r'"((?:[^"]|"")*)"')
    plain = re.compile(rf'(?:(?!{sep})[^"\n])*')
    rows: list[Row] = []
    position, line, length = 0, first_line, len(body)
    cells: list[str] = []
    start = line
    while position <= length:
        if body.startswith('"', position):
            match = quoted.match(body, position)
            if match is None:
                raise BadQuote(line, _("a quote opens a field and is never closed"))
            cell = match.group(1).replace('""', '"')
            line_after = line + body.count("\n", position, match.end())
            if suspicious and _looks_stray(cell, separator):
                raise BadQuote(
                    line,
                    _(
                        "a quote opened here closes only on line %(line)s, across lines "
                        "that look like rows of their own"
                    )
                    % {"line": line_after},
                )
            position = match.end()
            if (
                position < length
                and body[position] != "\n"
                and not body.startswith(separator, position)
            ):
                raise BadQuote(line_after, _("a quoted field goes on after its closing quote"))
            line = line_after
        else:
            match = plain.match(body, position)
            cell = match.group(0)
            position = match.end()
            if position < length and body[position] == '"':
                raise BadQuote(line, _("a quote stands inside a field"))
        cells.append(cell)
        if position >= length or body[position] == "\n":
            rows.append(Row(start, line, cells))
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


def plain_rows(body: str, separator: str, first_line: int) -> Iterator[Row]:
    """One row per line, made as they are read: reading may stop early (MAX_ROW_ERRORS)."""
    for index, line in enumerate(body.split("\n")):
        yield Row(first_line + index, first_line + index, line.split(separator))


def block_rows(body: str, row_separator: str, separator: str, first_line: int) -> list[Row]:
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
            rows.append(Row(line, end_line, cells))
        if piece is None:
            break
        position = piece.end()
    return rows
