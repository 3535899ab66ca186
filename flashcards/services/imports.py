"""Importing a parsed file into a question set: all or nothing.

The parsers (flashcards.formats) turn bytes into a `ParsedSet` with problems; this module
checks who may import, validates every question, and saves the whole set in one transaction.
Any error — in the file, in a question, or in the database — leaves nothing behind.  The API
(upload → preview → confirm) and the `import_questions` command are thin adapters over
`preview_import`, `create_import_session`, `confirm_import_session` and `save_import`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from flashcards import formats
from flashcards.formats import base
from flashcards.formats.base import (
    WARNING,
    ImportFormatError,
    ParsedQuestion,
    ParsedSet,
    Problem,
)
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
from flashcards.services.content import (
    CHOICE_DEFAULTS,
    NUMERICAL_DEFAULTS,
    QUESTION_DEFAULTS,
    normalize_tag_names,
    question_fields,
    tag_rows,
    validate_question_data,
)

DEFAULT_TITLE = "Imported questions"


def import_max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


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

# The database's integer columns (positions, version) hold at most this.
MAX_INTEGER = 2**31 - 1
TITLE_LENGTH = Question._meta.get_field("title").max_length
TAG_LENGTH = Tag._meta.get_field("name").max_length

# Readable names for validate_question_data's field paths ("choices.1.text" → "option 2 text").
FIELD_LABELS = {
    "kind": "kind",
    "prompt": "question text",
    "general_feedback": "general feedback",
    "points": "points",
    "correct_boolean": "true/false answer",
    "rubric": "rubric",
    "numerical_answers": "numerical answers",
}
ANSWER_LABELS = {
    base.FLASHCARD: "back of the card",
    base.FREE_TEXT: "reference answer",
}
CHOICE_LABELS = {  # kind: (one, all)
    base.MULTIPLE_CHOICE: ("option", "options"),
    base.SHORT_ANSWER: ("accepted answer", "accepted answers"),
    base.MATCHING: ("pair", "pairs"),
}
ROW_LABELS = {"numerical_answers": "numerical answer", "rubric": "rubric item"}
PART_LABELS = {"match_text": "right-hand side"}


def field_label(path: str, kind: str) -> str:
    """The field a content error is about, as the person who wrote the file would name it."""
    name, *rest = path.split(".")
    if name == "answer":
        return ANSWER_LABELS.get(kind, "answer explanation")
    if name == "choices":
        one, every = CHOICE_LABELS.get(kind, ("choice", "choices"))
    else:
        one, every = ROW_LABELS.get(name, name.replace("_", " ")), FIELD_LABELS.get(name)
    if not rest:
        return every or name.replace("_", " ")
    label = f"{one} {int(rest[0]) + 1}" if rest[0].isdigit() else one
    if len(rest) > 1:
        label += " " + PART_LABELS.get(rest[1], rest[1].replace("_", " "))
    return label


def question_data(question: ParsedQuestion) -> dict:
    """A parsed question as the mapping the content service validates and saves."""
    data = {name: getattr(question, name) for name in QUESTION_DEFAULTS}
    data["kind"] = question.kind
    data["tags"] = list(question.tags)
    data["choices"] = [
        {name: getattr(choice, name) for name in CHOICE_DEFAULTS} for choice in question.choices
    ]
    data["numerical_answers"] = [
        {name: getattr(answer, name) for name in NUMERICAL_DEFAULTS}
        for answer in question.numerical_answers
    ]
    return data


def question_problems(question: ParsedQuestion) -> list[tuple[str, str]]:
    """(field, message) for every rule the question breaks.

    The kind rules are the content service's (`validate_question_data`), the same the editor,
    the API and the admin apply.  What is checked here is only what a file can get wrong and a
    form cannot: sizes and precision the database columns hold.
    """
    found: list[tuple[str, str]] = []
    try:
        validate_question_data(question_data(question), imported=question.answer_optional)
    except ValidationError as error:
        for path, messages in error.message_dict.items():
            found.extend((field_label(path, question.kind), message) for message in messages)
    if len(question.title) > TITLE_LENGTH:
        found.append(("title", f"It is longer than {TITLE_LENGTH} characters."))
    found.extend(_precision("points", question.points))
    if not 1 <= question.version <= MAX_INTEGER:
        found.append(("version", f"It must be a whole number from 1 to {MAX_INTEGER:,}."))
    found.extend(_position("position", question.position))
    for name, rows in (
        ("choices", question.choices),
        ("numerical_answers", question.numerical_answers),
    ):
        for index, row in enumerate(rows):
            found.extend(
                _precision(field_label(f"{name}.{index}.weight", question.kind), row.weight)
            )
            label = field_label(f"{name}.{index}.position", question.kind)
            found.extend(_position(label, row.position))
    return found


def _position(label: str, value: int | None) -> list[tuple[str, str]]:
    if value is None or 0 <= value <= MAX_INTEGER:
        return []
    return [(label, f"It must be a whole number from 0 to {MAX_INTEGER:,}.")]


def _precision(label: str, value: Decimal | None) -> list[tuple[str, str]]:
    """The columns keep two decimal places and would round silently; the range is the content
    rules' (so no quantize here: it raises on numbers far out of range)."""
    if value is None or not value.is_finite():
        return []
    _sign, digits, exponent = value.as_tuple()
    digits = list(digits)
    while exponent < -2 and digits and digits[-1] == 0:  # 1.500 is 1.50
        digits.pop()
        exponent += 1
    if exponent >= -2 or not digits:
        return []
    return [(label, f"{value} has more than two decimal places.")]


def _tag_warnings(tags: list[str]) -> list[str]:
    long = [tag for tag in tags if len(" ".join(tag.split())) > TAG_LENGTH]
    return [f"Tag {tag[:40]!r}… was shortened to {TAG_LENGTH} characters." for tag in long]


def validate_parsed_set(parsed: ParsedSet) -> None:
    """Append a problem, positioned at the question, for every rule a question breaks."""
    if parsed.validated:
        return
    parsed.validated = True
    if len(parsed.title) > 200:
        parsed.title = parsed.title[:200]
    for message in _tag_warnings(parsed.tags):
        parsed.problems.append(Problem(1, 1, f"Set: {message}", WARNING))
    for index, question in enumerate(parsed.questions, start=1):
        for label, message in question_problems(question):
            parsed.problems.append(
                Problem(question.line, question.column, f"Question {index}, {label}: {message}")
            )
        for message in _tag_warnings(question.tags):
            parsed.problems.append(
                Problem(question.line, question.column, f"Question {index}: {message}", WARNING)
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
    """Tag rows by their normalised name, created in bulk where missing (case kept)."""
    return tag_rows(names)


def _create_questions(question_set: QuestionSet, questions: list[ParsedQuestion], base_position):
    rows = []
    for index, parsed in enumerate(questions):
        position = parsed.position if parsed.position is not None else index
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
        for name in normalize_tag_names(parsed.tags):
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
