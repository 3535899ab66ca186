"""Saving a checked import into a question set: all or nothing, in one transaction.

Any error, in the file, in a question or in the database, leaves nothing behind; the images
the questions use are stored by their SHA-256 before the transaction commits (a rolled-back
import leaves only content-addressed files the next import of the same image reuses).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from flashcards.formats import base
from flashcards.formats.base import ImportFormatError, ParsedQuestion, ParsedSet, Problem
from flashcards.models import (
    Choice,
    NumericalAnswer,
    Question,
    QuestionMedia,
    QuestionSet,
    Tag,
    User,
)
from flashcards.services.content import normalize_tag_names, question_fields, tag_rows
from flashcards.services.import_preview import can_import, question_data, validate_parsed_set
from flashcards.services.study.cards import sync_cards

DEFAULT_TITLE = "Imported questions"


@dataclass
class ImportOutcome:
    question_set: QuestionSet | None
    created: int
    parsed: ParsedSet
    saved: bool = False
    problems: list[Problem] = field(default_factory=list)


@transaction.atomic
def save_import(
    *,
    user: User,
    parsed: ParsedSet,
    target_set: QuestionSet | None = None,
    title: str | None = None,
) -> ImportOutcome:
    """Save every question of `parsed` into `target_set` (or a new set), or nothing at all."""
    if not can_import(user, target_set):
        raise PermissionDenied(_("You may not import into this question set."))
    validate_parsed_set(parsed)
    errors = parsed.errors
    if errors:
        raise ImportFormatError(errors)
    if not parsed.questions:
        raise ImportFormatError([Problem(1, 1, _("The file holds no questions to import."))])
    if target_set is None:
        question_set = QuestionSet.objects.create(
            title=(title or parsed.title or DEFAULT_TITLE)[:200],
            description=parsed.description,
            language=(parsed.language or "en")[:16],
            owner=user,
        )
        if parsed.tags:
            question_set.tags.set(_tags(parsed.tags).values())
        base_position = 0
    else:
        # Lock the set so two concurrent imports do not interleave positions.
        question_set = QuestionSet.objects.select_for_update().get(pk=target_set.pk)
        highest = question_set.questions.aggregate(highest=Max("position"))["highest"]
        base_position = 0 if highest is None else highest + 1
    created = _create_questions(question_set, parsed.questions, base_position, _store_media(parsed))
    sync_cards(questions=created)  # studyable, and counted on dashboards, from this commit on
    question_set.save(update_fields=["updated_at"])
    return ImportOutcome(question_set, len(parsed.questions), parsed, saved=True)


def _tags(names: Iterable[str]) -> dict[str, Tag]:
    """Tag rows by their normalised name, created in bulk where missing (case kept)."""
    return tag_rows(names)


@dataclass
class _StoredMedia:
    digest: str
    path: str
    url: str
    media: base.ParsedMedia


def _store_media(parsed: ParsedSet) -> dict[str, _StoredMedia]:
    """Write the images the questions use to MEDIA, named by their SHA-256 (an image already
    stored is not written again); return them by the name the question texts use.

    Files are written before the transaction commits; a rolled-back import leaves only
    content-addressed files that the next import of the same image reuses.
    """
    wanted = {name for question in parsed.questions for name in question.media}
    stored_media = {}
    for name in sorted(wanted):
        media = parsed.media.get(name)
        if media is None:
            continue
        digest = hashlib.sha256(media.data).hexdigest()
        path = f"question-media/{digest[:2]}/{digest}/{media.name}"
        if not default_storage.exists(path):
            saved = default_storage.save(path, ContentFile(media.data))
            path = saved
        stored_media[name] = _StoredMedia(digest, path, default_storage.url(path), media)
    return stored_media


def _link_media(text: str, stored_media: dict[str, _StoredMedia]) -> str:
    """Point the question's `![alt](name)` images at their stored files."""
    if not text or "](" not in text:
        return text

    def replace(match: re.Match) -> str:
        item = stored_media.get(match.group(2))
        return f"![{match.group(1)}]({item.url})" if item else match.group(0)

    return re.sub(r"!\[([^\]]*)\]\(([^)\s]*)\)", replace, text)


def _create_questions(
    question_set: QuestionSet,
    questions: list[ParsedQuestion],
    base_position: int,
    stored_media: dict[str, _StoredMedia] | None = None,
) -> list[Question]:
    stored_media = stored_media or {}
    rows = []
    for index, parsed in enumerate(questions):
        position = parsed.position if parsed.position is not None else index
        if parsed.media:
            parsed.prompt = _link_media(parsed.prompt, stored_media)
            parsed.answer = _link_media(parsed.answer, stored_media)
        question = Question(
            question_set=question_set,
            position=base_position + position,
            kind=parsed.kind,
            version=parsed.version,
            **question_fields(question_data(parsed)),
        )
        question.render_rich_text_fields()
        rows.append(question)
    created = Question.objects.bulk_create(rows, batch_size=500)
    if any(question.pk is None for question in created):  # pragma: no cover - old databases
        raise RuntimeError("The database did not return the new questions' ids.")
    choices, numericals, links = [], [], []
    tags = _tags(tag for parsed in questions for tag in parsed.tags)
    through = Question.tags.through
    for question, parsed in zip(created, questions, strict=True):
        for index, item in enumerate(parsed.choices):
            choice = Choice(
                question=question,
                position=item.position if item.position is not None else index,
                text=item.text,
                is_correct=item.is_correct,
                weight=item.weight,
                feedback=item.feedback,
                match_text=item.match_text,
            )
            choice.render_rich_text_fields()
            choices.append(choice)
        for index, numerical in enumerate(parsed.numerical_answers):
            answer = NumericalAnswer(
                question=question,
                position=numerical.position if numerical.position is not None else index,
                value=numerical.value,
                tolerance=numerical.tolerance,
                minimum=numerical.minimum,
                maximum=numerical.maximum,
                weight=numerical.weight,
                feedback=numerical.feedback,
            )
            answer.render_rich_text_fields()
            numericals.append(answer)
        for name in normalize_tag_names(parsed.tags):
            links.append(through(question_id=question.pk, tag_id=tags[name].pk))
    Choice.objects.bulk_create(choices, batch_size=1000)
    NumericalAnswer.objects.bulk_create(numericals, batch_size=1000)
    through.objects.bulk_create(links, batch_size=1000)
    media_rows = []
    for question, parsed in zip(created, questions, strict=True):
        for name in dict.fromkeys(parsed.media):
            stored = stored_media.get(name)
            if stored is None:
                continue
            media_row = QuestionMedia(
                question=question,
                digest=stored.digest,
                name=stored.media.name,
                original_name=stored.media.original_name[:255],
                content_type=stored.media.content_type,
                size=len(stored.media.data),
            )
            media_row.file.name = stored.path
            media_rows.append(media_row)
    QuestionMedia.objects.bulk_create(media_rows, batch_size=1000, ignore_conflicts=True)
    return created
