"""Delimited text, the writer: Anki-style CSV/TSV with headers, each question a front/back
row (the reader is `flashcards.formats.delimited`).
"""

from __future__ import annotations

import csv
import io

from flashcards.formats.base import WARNING, ExportResult, ParsedSet, Problem, card_back, card_front
from flashcards.formats.delimited_rows import SEPARATOR_NAMES
from flashcards.models import Question

Kind = Question.Kind


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
        if question.kind == Kind.CLOZE:
            notetype = "Cloze"
        elif question.has_reverse:
            notetype = "Basic (and reversed card)"
        else:
            notetype = "Basic"
        if question.kind not in (Kind.FLASHCARD, Kind.CLOZE):
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
        if question.kind in (Kind.FLASHCARD, Kind.CLOZE):
            front, back = question.prompt, question.answer
        else:
            front, back = card_front(question), card_back(question)
        if not back.strip() and question.kind != Kind.CLOZE:
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
