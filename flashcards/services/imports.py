"""Importing a parsed file into a question set: all or nothing.

The parsers (flashcards.formats) turn bytes into a `ParsedSet` with problems; this module
checks who may import, validates every question, and saves the whole set in one transaction.
Any error — in the file, in a question, or in the database — leaves nothing behind.  The API
(upload → preview → confirm) and the `import_questions` command are thin adapters over
`preview_import`, `create_import_session`, `confirm_import_session` and `save_import`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from flashcards import formats
from flashcards.formats import base
from flashcards.formats.base import ImportFormatError, ParsedQuestion, ParsedSet, Problem
from flashcards.models import (
    Choice,
    ImportSession,
    NumericalAnswer,
    Question,
    QuestionSet,
    Tag,
    User,
)
from flashcards.selectors.content import can_edit_set

DEFAULT_IMPORT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TITLE = "Imported questions"
TWO_PLACES = Decimal("0.01")


def import_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES))


def can_import(user: User, target_set: QuestionSet | None = None) -> bool:
    """Editors of the target set may import into it; only instructors may start a new set."""
    if not user.is_authenticated:
        return False
    if target_set is not None:
        return can_edit_set(user, target_set)
    return user.is_instructor


class FileTooLarge(ImportFormatError):
    """The upload is over IMPORT_MAX_BYTES; the API answers 413 rather than 400."""


def check_size(size: int) -> None:
    limit = import_max_bytes()
    if size > limit:
        raise FileTooLarge(
            [Problem(1, 1, f"The file is {size:,} bytes; the limit is {limit:,} bytes.")]
        )


# --- validation --------------------------------------------------------------------------------


def validate_parsed_question(question: ParsedQuestion) -> list[str]:
    """Kind-specific rules a question must meet before it is saved; one message per breach.

    Deliberately the single place imports validate content, so that it can be switched to the
    question-sets service's own validation once that exists.
    """
    messages: list[str] = []
    kind = question.kind
    if kind not in base.KINDS:
        return [f"Unknown question kind {kind!r}."]
    if not question.prompt.strip():
        messages.append("The question has no text.")
    if len(question.title) > 200:
        messages.append("The title is longer than 200 characters.")
    messages.extend(_decimal_problems("points", question.points, 5, minimum=Decimal(0)))
    if question.version < 1:
        messages.append("The version must be 1 or more.")
    for tag in question.tags:
        if not tag.strip() or len(tag) > 64:
            messages.append(f"Tag {tag[:70]!r} must be 1 to 64 characters.")
    if not isinstance(question.rubric, list):
        messages.append("The rubric must be a list.")
    for number, choice in enumerate(question.choices, start=1):
        if choice.weight is not None:
            messages.extend(
                _decimal_problems(f"choice {number} weight", choice.weight, 4, limit=100)
            )
    for number, answer in enumerate(question.numerical_answers, start=1):
        messages.extend(
            _decimal_problems(f"numerical answer {number} weight", answer.weight, 4, limit=100)
        )
        for name in ("value", "tolerance", "minimum", "maximum"):
            value = getattr(answer, name)
            if value is not None and not math.isfinite(value):
                messages.append(f"Numerical answer {number}: the {name} must be a finite number.")
    correct = [choice for choice in question.choices if choice.is_correct]
    if kind == base.MULTIPLE_CHOICE:
        if len(question.choices) < 2:
            messages.append("A multiple-choice question needs at least two options.")
        if not correct:
            messages.append("A multiple-choice question needs at least one correct option.")
        if any(not choice.text.strip() for choice in question.choices):
            messages.append("An option has no text.")
    elif kind == base.TRUE_FALSE:
        if question.correct_boolean is None:
            messages.append("A true/false question needs its answer (true or false).")
    elif kind == base.SHORT_ANSWER:
        if not correct:
            messages.append("A short-answer question needs at least one accepted answer.")
    elif kind == base.NUMERICAL:
        if not any(
            answer.value is not None or (answer.minimum is not None and answer.maximum is not None)
            for answer in question.numerical_answers
        ):
            messages.append("A numerical question needs at least one accepted number or range.")
    elif kind == base.MATCHING:
        pairs = [choice for choice in question.choices if choice.text.strip()]
        if len(pairs) < 2:
            messages.append("A matching question needs at least two pairs.")
        if any(not choice.match_text.strip() for choice in question.choices):
            messages.append("A matching pair has no right-hand side.")
    elif kind == base.FLASHCARD:
        if not question.answer.strip():
            messages.append("A flashcard needs a back (the answer).")
    elif kind == base.CLOZE and "{{c" not in question.prompt:
        messages.append("A cloze question needs at least one deletion written as {{c1::text}}.")
    return messages


def _decimal_problems(
    name: str, value: Decimal, whole_digits: int, *, limit=None, minimum=None
) -> list[str]:
    if not value.is_finite():
        return [f"The {name} must be a finite number."]
    problems = []
    if value != value.quantize(TWO_PLACES):
        problems.append(f"The {name} {value} has more than two decimal places.")
    if abs(value) >= Decimal(10) ** whole_digits:
        problems.append(f"The {name} {value} is too large.")
    if limit is not None and abs(value) > limit:
        problems.append(f"The {name} {value} is outside -{limit}..{limit}.")
    if minimum is not None and value < minimum:
        problems.append(f"The {name} cannot be negative.")
    return problems


def validate_parsed_set(parsed: ParsedSet) -> None:
    """Append a problem, positioned at the question, for every rule a question breaks."""
    if parsed.validated:
        return
    parsed.validated = True
    if len(parsed.title) > 200:
        parsed.title = parsed.title[:200]
    for index, question in enumerate(parsed.questions, start=1):
        for message in validate_parsed_question(question):
            parsed.problems.append(
                Problem(question.line, question.column, f"Question {index}: {message}")
            )


# --- preview and save ----------------------------------------------------------------------


def preview_import(
    *, data: bytes, fmt: str | None = None, filename: str | None = None
) -> ParsedSet:
    """Parse and validate without saving; raises ImportFormatError when nothing is readable."""
    check_size(len(data))
    parsed = formats.parse(data, fmt=fmt, filename=filename)
    validate_parsed_set(parsed)
    return parsed


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
        raise PermissionDenied("You may not import into this question set.")
    validate_parsed_set(parsed)
    errors = parsed.errors
    if errors:
        raise ImportFormatError(errors)
    if not parsed.questions:
        raise ImportFormatError([Problem(1, 1, "The file holds no questions to import.")])
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
    _create_questions(question_set, parsed.questions, base_position)
    question_set.save(update_fields=["updated_at"])
    return ImportOutcome(question_set, len(parsed.questions), parsed, saved=True)


def _tags(names) -> dict[str, Tag]:
    wanted = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    if not wanted:
        return {}
    Tag.objects.bulk_create([Tag(name=name) for name in wanted], ignore_conflicts=True)
    return {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}


def _create_questions(question_set: QuestionSet, questions: list[ParsedQuestion], base_position):
    rows = []
    for index, parsed in enumerate(questions):
        position = parsed.position if parsed.position is not None else index
        question = Question(
            question_set=question_set,
            position=base_position + position,
            kind=parsed.kind,
            title=parsed.title,
            prompt=parsed.prompt,
            answer=parsed.answer,
            general_feedback=parsed.general_feedback,
            points=parsed.points,
            has_reverse=parsed.has_reverse,
            allow_multiple=parsed.allow_multiple,
            correct_boolean=parsed.correct_boolean,
            case_sensitive=parsed.case_sensitive,
            normalize_whitespace=parsed.normalize_whitespace,
            ignore_accents=parsed.ignore_accents,
            rubric=parsed.rubric,
            version=parsed.version,
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
        for index, item in enumerate(parsed.numerical_answers):
            answer = NumericalAnswer(
                question=question,
                position=item.position if item.position is not None else index,
                value=item.value,
                tolerance=item.tolerance,
                minimum=item.minimum,
                maximum=item.maximum,
                weight=item.weight,
                feedback=item.feedback,
            )
            answer.render_rich_text_fields()
            numericals.append(answer)
        for name in dict.fromkeys(tag.strip() for tag in parsed.tags if tag.strip()):
            links.append(through(question_id=question.pk, tag_id=tags[name].pk))
    Choice.objects.bulk_create(choices, batch_size=1000)
    NumericalAnswer.objects.bulk_create(numericals, batch_size=1000)
    through.objects.bulk_create(links, batch_size=1000)


def import_questions(
    *,
    user: User | None,
    data: bytes,
    fmt: str | None = None,
    filename: str | None = None,
    target_set: QuestionSet | None = None,
    title: str | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Parse, validate and (unless `dry_run` or the file has errors) save in one call."""
    parsed = preview_import(data=data, fmt=fmt, filename=filename)
    if dry_run or parsed.errors:
        return ImportOutcome(None, 0, parsed, saved=False, problems=parsed.problems)
    outcome = save_import(user=user, parsed=parsed, target_set=target_set, title=title)
    outcome.problems = parsed.problems
    return outcome


# --- the API's pending uploads -------------------------------------------------------------


def create_import_session(
    *,
    user: User,
    data: bytes,
    filename: str = "",
    fmt: str | None = None,
    target_set: QuestionSet | None = None,
    title: str = "",
) -> tuple[ImportSession, ParsedSet]:
    """Store an upload for confirmation; raises ImportFormatError when nothing is readable."""
    if not can_import(user, target_set):
        raise PermissionDenied("You may not import into this question set.")
    parsed = preview_import(data=data, fmt=fmt, filename=filename)
    session = ImportSession.objects.create(
        owner=user,
        filename=filename[:255],
        format=parsed.format,
        data=data,
        size=len(data),
        target_set=target_set,
        title=title[:200],
    )
    return session, parsed


def preview_session(session: ImportSession) -> ParsedSet:
    return preview_import(data=bytes(session.data), fmt=session.format, filename=session.filename)


class AlreadyImported(Exception):
    pass


@transaction.atomic
def confirm_import_session(*, user: User, session: ImportSession) -> ImportOutcome:
    session = ImportSession.objects.select_for_update().get(pk=session.pk)
    if session.owner_id != user.pk:
        raise PermissionDenied("This upload belongs to someone else.")
    if session.status != ImportSession.Status.PENDING:
        raise AlreadyImported("This upload has already been imported.")
    parsed = preview_session(session)
    outcome = save_import(
        user=user, parsed=parsed, target_set=session.target_set, title=session.title or None
    )
    session.status = ImportSession.Status.IMPORTED
    session.question_set = outcome.question_set
    session.created_count = outcome.created
    session.imported_at = timezone.now()
    session.data = b""
    session.save(update_fields=["status", "question_set", "created_count", "imported_at", "data"])
    return outcome


def delete_stale_import_sessions(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Pending uploads nobody confirmed; called from a periodic job or by hand."""
    cutoff = timezone.now() - older_than
    deleted, _ = ImportSession.objects.filter(
        status=ImportSession.Status.PENDING, created_at__lt=cutoff
    ).delete()
    return deleted
