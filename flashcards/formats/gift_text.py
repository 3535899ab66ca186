"""Moodle GIFT, the text level: a file's blank-line separated blocks (comments and tag
comments taken out), GIFT's escapes, the `[format]` prefixes of its texts, and category paths
as tags.  The reader (`flashcards.formats.gift`) and the writer
(`flashcards.formats.gift_writer`) both follow these rules.

Categories (`$CATEGORY: $course$/top/Deep learning/Chapter 4`) become a tag holding the
path below the course's top category, case kept (`Deep learning/Chapter 4`): one import is
one set, and a tag keeps every question's place in the bank without splitting the import.
"""

from __future__ import annotations

import bisect
import re

from flashcards.formats.html import convert_html
from flashcards.formats.images import keep_moodle_image

ESCAPABLE = "\\:#={}~n"
BLANK = "_____"
TAG_COMMENT = re.compile(r"\[tag:([^\]]+)\]")
TEXT_FORMATS = {"html", "markdown", "plain", "moodle"}
MARKER_PATTERNS: dict[str, re.Pattern] = {}


class Block:
    """One question's lines with comments removed, and a map back to file positions."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.numbers = [number for number, _ in lines]
        self.text = "\n".join(line for _, line in lines)
        self.starts: list[int] = []
        offset = 0
        for _, line in lines:
            self.starts.append(offset)
            offset += len(line) + 1

    def position(self, offset: int) -> tuple[int, int]:
        index = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return self.numbers[index], offset - self.starts[index] + 1


def _skip_escape(text: str, index: int) -> bool:
    return text[index] == "\\" and index + 1 < len(text) and text[index + 1] in ESCAPABLE


def _escaped(text: str, index: int) -> bool:
    """Whether text[index] is the second character of an escape.

    Escapes are read left to right and `\\\\` is itself one, so a character is escaped exactly
    when an odd run of backslashes precedes it (and it is one that can be escaped).
    """
    if text[index] not in ESCAPABLE:
        return False
    run = 0
    index -= 1
    while index >= 0 and text[index] == "\\":
        run += 1
        index -= 1
    return run % 2 == 1


def find(text: str, needle: str, start: int = 0, end: int | None = None) -> int:
    """Index of the first unescaped `needle` in text[start:end], or -1."""
    end = len(text) if end is None else end
    index = text.find(needle, start, end)
    while index != -1 and _escaped(text, index):
        index = text.find(needle, index + 1, end)
    return index


def rfind(text: str, needle: str, start: int, end: int) -> int:
    index = text.rfind(needle, start, end)
    while index != -1 and _escaped(text, index):
        index = text.rfind(needle, start, index + len(needle) - 1)
    return index


def split_unescaped(text: str, start: int, end: int, markers: str) -> list[tuple[int, str]]:
    """Split text[start:end] before every unescaped marker character.

    Returns (offset, marker) pairs where a part begins; the first part has marker "".
    """
    parts = [(start, "")]
    pattern = MARKER_PATTERNS.get(markers)
    if pattern is None:
        pattern = MARKER_PATTERNS[markers] = re.compile("[" + re.escape(markers) + "]")
    for match in pattern.finditer(text, start, end):
        index = match.start()
        if not _escaped(text, index):
            parts.append((index, text[index]))
    return parts


UNESCAPE = re.compile(r"\\([\\:#={}~n])")


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return UNESCAPE.sub(lambda match: "\n" if match.group(1) == "n" else match.group(1), text)


def escape(text: str) -> str:
    """Escape our text for GIFT.  Newlines become `\\n`: blank lines would end the question."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def formatted_text(source: str, default: str, dropped: list[str] | None = None) -> tuple[str, str]:
    """GIFT text with an optional [format] prefix, unescaped: Markdown and the format name.

    Images of `[html]` text that cannot be shown are taken out and added to `dropped`.
    """
    raw = source.strip()
    fmt = default
    if raw.startswith("["):
        close = raw.find("]")
        name = raw[1:close] if close > 0 else ""
        if name in TEXT_FORMATS:
            fmt = name
            raw = raw[close + 1 :]
    value = unescape(raw).strip()
    if fmt == "html":
        converted = convert_html(value, keep_image=keep_moodle_image)
        value = converted.markdown
        if dropped is not None:
            dropped.extend(converted.dropped_images)
    return value, fmt


def category_tag(raw: str) -> str:
    """A Moodle category path below the course's top category, case kept: the tag."""
    path = raw.strip()
    for prefix in ("$course$/", "$system$/", "$module$/", "$cat1$/", "$coursecategory$/"):
        if path.startswith(prefix):
            path = path[len(prefix) :]
    if path.startswith("top/"):
        path = path[4:]
    # Not shortened here: the import reports a tag longer than the column holds, by line.
    return path.strip().strip("/")


def blocks(text: str):
    """Yield (lines, tags) per blank-line separated block, comment lines removed.

    Tag comments (`// [tag:x]`) belong to the next question, even across a blank line, as
    Moodle writes them on the lines just above it.
    """
    current: list[tuple[int, str]] = []
    tags: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            if current:
                yield current, tags
                current, tags = [], []
        elif stripped.startswith("//"):
            tags.extend(tag.strip() for tag in TAG_COMMENT.findall(stripped) if tag.strip())
        else:
            current.append((number, line))
    if current:
        yield current, tags
