"""Moodle XML, the reading level: the `<quiz>` tree, parsed safely, and one question's
element read as text, numbers and Markdown (`Reader`), for the mapping of each Moodle type
(`moodlexml_kinds`, `moodlexml_computed`) and the file as a whole (`flashcards.formats.moodlexml`).

Safety: the file is parsed by lxml with entity resolution, DTD loading and network access
off, and any file that declares a DTD is refused (Moodle never writes one), so XXE and
"billion laughs" files cannot read the server's files or expand to gigabytes.  Positions are
the lines lxml reports for each element.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree

from flashcards.formats.base import ERROR, WARNING, ImportFormatError, Problem
from flashcards.formats.html import convert_html
from flashcards.formats.images import keep_moodle_image

CENT = Decimal("0.01")

QUESTION_SKIPPED = "question-skipped"

PROLOG_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)

PLUGINFILE_LINK = re.compile(r"\[([^\]]*)\]\(@@PLUGINFILE@@[^)]*\)")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _prolog(raw: bytes) -> bytes:
    """The bytes before the root element, where a DTD would have to be."""
    for match in re.finditer(rb"<([^?!])", raw[:65536]):
        return raw[: match.start()]
    return raw[:65536]


def parse_tree(data: bytes | str):
    """The `<quiz>` element, or ImportFormatError naming the line of what is wrong."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not raw.strip():
        raise ImportFormatError(_("The file is empty."))
    if PROLOG_DTD.search(_prolog(raw)):
        raise ImportFormatError(
            _(
                "The file declares a DTD (<!DOCTYPE> or <!ENTITY>), which Moodle's "
                "exports never do; it is refused because entity declarations can read "
                "files on the server or expand to gigabytes."
            )
        )
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (1, 1)
        raise ImportFormatError(
            Problem(
                line or 1,
                column or 1,
                _("This is not well-formed XML: %(msg)s") % {"msg": error.msg},
            )
        ) from None
    if root.getroottree().docinfo.internalDTD is not None:  # pragma: no cover - caught above
        raise ImportFormatError(_("The file declares a DTD, which is refused."))
    if root.tag != "quiz":
        raise ImportFormatError(
            Problem(
                root.sourceline or 1,
                1,
                _("A Moodle XML export starts with <quiz>, not <%(tag)s>.") % {"tag": root.tag},
            )
        )
    return root


def text_of(element) -> str:
    """The `<text>` child's content, or the element's own text (Moodle writes both)."""
    if element is None:
        return ""
    child = element.find("text")
    value = child.text if child is not None else element.text
    return (value or "").strip()


def child_text(element, name: str, default: str = "") -> str:
    child = element.find(name)
    if child is None:
        return default
    return text_of(child) or default


class Reader:
    """One question: its element, the problems found in it, and the images taken out."""

    def __init__(self, element, problems: list[Problem], number: int):
        self.element = element
        self.problems = problems
        self.number = number
        self.ok = True
        self.dropped: list[str] = []
        self.lost: list[str] = []

    @property
    def line(self) -> int:
        return self.element.sourceline or 1

    def error(self, element, message: str) -> None:
        line = element.sourceline if element is not None else self.line
        self.problems.append(Problem(line or self.line, 1, message, ERROR))
        self.ok = False

    def rich(self, element) -> str:
        """A text element (`format` html, moodle_auto_format, plain_text, markdown) as Markdown."""
        if element is None:
            return ""
        value = text_of(element)
        fmt = element.get("format", "html")
        if fmt == "html" and value:
            converted = convert_html(value, keep_image=keep_moodle_image)
            self.dropped.extend(converted.dropped_images)
            value = PLUGINFILE_LINK.sub(r"\1", converted.markdown)
        elif fmt in {"moodle_auto_format", "plain_text"}:
            value = value.replace("\r\n", "\n")
        return value

    def child_rich(self, name: str) -> str:
        return self.rich(self.element.find(name))

    def fraction(self, answer) -> Decimal | None:
        raw = answer.get("fraction", "0")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.error(answer, _("The answer's fraction %(raw)r is not a number.") % {"raw": raw})
            return None
        if not value.is_finite() or not -100 <= value <= 100:
            self.error(
                answer, _("The answer's fraction %(raw)s is outside -100..100.") % {"raw": raw}
            )
            return None
        return value

    def files(self) -> list[str]:
        names = []
        for file in self.element.iter("file"):
            name = file.get("name") or ""
            if name:
                names.append(name)
        return names


def skip(reader: Reader, why: str) -> None:
    name = text_of(reader.element.find("name")) or _("question %(number)s") % {
        "number": reader.number
    }
    reader.problems.append(
        Problem(
            reader.line,
            1,
            _("Question %(name)r was not imported: %(why)s.") % {"name": name, "why": why},
            WARNING,
            QUESTION_SKIPPED,
        )
    )
    reader.ok = False
