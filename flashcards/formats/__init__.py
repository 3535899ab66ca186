"""Import and export formats: one module per format, one entry point for callers.

`parse(data, fmt=None, filename=None)` decodes, detects the format from the content when none
is given, and returns a `ParsedSet`; the only exception it raises is `ImportFormatError`.
`export(parsed, fmt)` returns an `ExportResult` (bytes plus what the format could not carry).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from flashcards.formats.base import (
    ERROR,
    WARNING,
    ExportResult,
    ImportFormatError,
    ParsedChoice,
    ParsedMedia,
    ParsedNumericalAnswer,
    ParsedQuestion,
    ParsedSet,
    Problem,
)

IMPORT_FORMATS = ("gift", "moodlexml", "aiken", "csv", "tsv", "markdown", "apkg", "json")
EXPORT_FORMATS = ("json", "gift", "csv", "tsv", "apkg", "aiken")
EXTENSIONS = {
    ".apkg": "apkg",
    ".gift": "gift",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".aiken": "aiken",
    ".xml": "moodlexml",
}

GIFT_BLOCK = re.compile(
    r"\{\s*(?:[~=#]|T\s*\}|F\s*\}|TRUE\s*[}#]|FALSE\s*[}#])|^\s*::[^\n]*?::|^\$CATEGORY:",
    re.MULTILINE,
)
AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Za-z]\s*$", re.MULTILINE)
AIKEN_OPTION = re.compile(r"^\s*[A-Z][.)][ \t]+\S", re.MULTILINE)
ANKI_HEADER = re.compile(
    r"\A(?:#[a-z ]+:[^\n]*\n)*#(?:separator|html|columns|tags column|"
    r"notetype|deck|guid column|notetype column|deck column|tags):",
    re.IGNORECASE,
)
# An XML declaration, comments and perhaps a DTD (refused by the parser), then <quiz>.
MOODLE_XML = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"(?:<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)?(?:<!--.*?-->\s*)*<quiz[\s>]",
    re.S,
)
MARKDOWN_HINTS = re.compile(
    r"^\s*(?:#{1,6}\s|Q:|A:|[-*+]\s.*\((?:correct|x)\)\s*$)", re.MULTILINE | re.IGNORECASE
)


def detect_format(data: bytes | str, filename: str | None = None) -> str:
    """Guess the format from the content; the file name only breaks ties."""
    from flashcards.formats.encoding import decode_text

    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"PK\x05\x06"):
        return "apkg"
    if MOODLE_XML.match(raw[:4096]):
        return "moodlexml"
    text, _ = decode_text(data)
    head = text.lstrip()
    if head.startswith("{") and '"quizsite-questions"' in text[:4096]:
        return "json"
    if ANKI_HEADER.match(text):
        return "tsv" if re.search(r"^#separator:\s*(tab|\t)", text, re.I | re.M) else "csv"
    if AIKEN_ANSWER.search(text) and AIKEN_OPTION.search(text):
        return "aiken"
    if GIFT_BLOCK.search(text):
        return "gift"
    by_name = _from_filename(filename)
    if by_name in {"json", "markdown"}:
        return by_name
    if head.startswith("{") or head.startswith("["):
        return "json"
    delimited = _delimited(text)
    if MARKDOWN_HINTS.search(text) and by_name not in {"csv", "tsv"}:
        return "markdown"
    if delimited:
        return delimited
    return by_name or "markdown"


def _from_filename(filename: str | None) -> str | None:
    if not filename:
        return None
    lowered = filename.lower()
    for extension, fmt in EXTENSIONS.items():
        if lowered.endswith(extension):
            return fmt
    return None


def _delimited(text: str) -> str | None:
    """'tsv' or 'csv' when most lines split into the same number (≥ 2) of columns."""
    lines = [line for line in text.split("\n")[:200] if line.strip()]
    if not lines:
        return None
    from flashcards.formats.delimited_rows import count_outside_quotes

    for separator, name in (("\t", "tsv"), (";", "csv"), (",", "csv"), ("|", "csv")):
        counts = [count_outside_quotes(line, separator) for line in lines]
        with_it = sum(1 for count in counts if count >= 1)
        if with_it / len(lines) >= 0.8 and (separator != "," or _steady(counts)):
            return name
    return None


def _steady(counts: list[int]) -> bool:
    common = max(set(counts), key=counts.count)
    return common >= 1 and counts.count(common) / len(counts) >= 0.6


DELIMITED_OPTIONS = ("separator", "row_separator", "quoting")


def parse(
    data: bytes | str,
    fmt: str | None = None,
    filename: str | None = None,
    options: dict | None = None,
) -> ParsedSet:
    """`options` are the CSV/TSV reader's (`separator`, `row_separator`, `quoting`); other
    formats have none and ignore them."""
    from flashcards.formats import (
        aiken,
        apkg,
        delimited,
        gift,
        json_format,
        markdown,
        moodlexml,
    )

    options = {key: value for key, value in (options or {}).items() if value}
    fmt = fmt or ("csv" if options.get("row_separator") else detect_format(data, filename))
    delimited_options = {key: options[key] for key in DELIMITED_OPTIONS if key in options}
    if fmt == "gift":
        parsed = gift.parse(data)
    elif fmt == "moodlexml":
        parsed = moodlexml.parse(data)
    elif fmt == "aiken":
        parsed = aiken.parse(data)
    elif fmt == "csv":
        parsed = delimited.parse(data, fmt="csv", **delimited_options)
    elif fmt == "tsv":
        delimited_options.setdefault("separator", "\t")
        parsed = delimited.parse(data, fmt="tsv", **delimited_options)
    elif fmt == "markdown":
        parsed = markdown.parse(data)
    elif fmt == "apkg":
        parsed = apkg.parse(data)
    elif fmt == "json":
        parsed = json_format.parse(data)
    else:
        raise ImportFormatError(_("Unknown import format %(fmt)r.") % {"fmt": fmt})
    parsed.format = fmt
    return parsed


def export(parsed: ParsedSet, fmt: str) -> ExportResult:
    from flashcards.formats import aiken, apkg_writer, delimited_writer, gift_writer, json_format

    if fmt == "json":
        return json_format.export(parsed)
    if fmt == "gift":
        return gift_writer.export(parsed)
    if fmt == "csv":
        return delimited_writer.export(parsed, separator=",")
    if fmt == "tsv":
        return delimited_writer.export(parsed, separator="\t")
    if fmt == "apkg":
        return apkg_writer.export(parsed)
    if fmt == "aiken":
        return aiken.export(parsed)
    raise ValueError(f"Unknown export format {fmt!r}.")


__all__ = [
    "ERROR",
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "WARNING",
    "ExportResult",
    "ImportFormatError",
    "ParsedChoice",
    "ParsedMedia",
    "ParsedNumericalAnswer",
    "ParsedQuestion",
    "ParsedSet",
    "Problem",
    "detect_format",
    "export",
    "parse",
]
