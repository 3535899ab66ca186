"""Anki packages, the writer: an .apkg Anki opens, made with genanki (a development and
export dependency; the reader is `flashcards.formats.apkg`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from flashcards.formats.base import WARNING, ExportResult, ParsedSet, Problem, card_back, card_front
from flashcards.models import Question

Kind = Question.Kind


def _stable_id(text: str) -> int:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return (1 << 30) + int(digest[:8], 16) % (1 << 30)


def _html(markdown_source: str, *, cloze: bool = False) -> str:
    from flashcards.richtext import render_rich_text

    # Anki makes a cloze note's cards from its `{{cN::...}}` markers, so they stay markers.
    return render_rich_text(markdown_source, anki_cloze=cloze)


def export(parsed: ParsedSet, *, deck_name: str | None = None) -> ExportResult:
    """An .apkg that Anki opens; non-card kinds become Basic notes with their options listed."""
    import genanki

    name = deck_name or parsed.title or "quizsite"
    deck = genanki.Deck(_stable_id(f"quizsite-deck:{name}"), name)
    problems: list[Problem] = []
    for number, question in enumerate(parsed.questions, start=1):
        tags = []
        for tag in question.tags:
            if any(char.isspace() for char in tag):
                problems.append(
                    Problem(
                        number,
                        1,
                        f"Question {number}: Anki tags have no spaces; "
                        f"{tag!r} was written with underscores.",
                        WARNING,
                    )
                )
            tags.append("_".join(tag.split()))
        guid = genanki.guid_for(question.ref or f"{name}\x1f{question.kind}\x1f{question.prompt}")
        if question.kind == Kind.CLOZE:
            model, fields = genanki.CLOZE_MODEL, [question.prompt, question.answer]
        elif question.kind == Kind.FLASHCARD:
            model = (
                genanki.BASIC_AND_REVERSED_CARD_MODEL
                if question.has_reverse
                else genanki.BASIC_MODEL
            )
            fields = [question.prompt, question.answer]
        else:
            model = genanki.BASIC_MODEL
            fields = [card_front(question), card_back(question)]
            problems.append(
                Problem(
                    number,
                    1,
                    f"Question {number} ({question.kind}) was written as a "
                    "front/back card: Anki does not grade it.",
                    WARNING,
                )
            )
        note = genanki.Note(
            model=model,
            fields=[_html(field, cloze=question.kind == Kind.CLOZE) for field in fields],
            tags=tags,
            guid=guid,
        )
        deck.add_note(note)
    handle, path = tempfile.mkstemp(suffix=".apkg")
    os.close(handle)
    try:
        genanki.Package(deck).write_to_file(path)
        with open(path, "rb") as package:
            content = package.read()
    finally:
        os.unlink(path)
    return ExportResult(content, problems, ".apkg", "application/apkg")
