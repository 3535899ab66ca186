"""Importing a parsed file into a question set: all or nothing.

The parsers (flashcards.formats) turn bytes into a `ParsedSet` with problems; this module
checks who may import, validates every question, and saves the whole set in one transaction.
Any error — in the file, in a question, or in the database — leaves nothing behind.  The API
(upload → preview → confirm), the wizard and the `import_questions` command are thin adapters
over `preview_import`, `create_import_session`, `confirm_import_session` and `save_import`,
and all three show the one summary `import_summary` builds.

Bounds: IMPORT_MAX_BYTES per file, IMPORT_MAX_QUESTIONS per import (a file with more is
refused whole, with the line where the limit is passed: a 2,000-question Moodle bank and the
10,000-question benchmark fit), and PREVIEW_PROBLEMS problems listed in a summary (with the
total and the count per class, so nothing is hidden by the cut).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flashcards import formats
from flashcards.formats import base, stored
from flashcards.formats.base import (
    WARNING,
    ImportFormatError,
    ParsedQuestion,
    ParsedSet,
    Problem,
)
from flashcards.formats.encoding import decode_text
from flashcards.models import (
    Choice,
    ImportSession,
    NumericalAnswer,
    Question,
    QuestionMedia,
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
from flashcards.services.study.cards import sync_cards

DEFAULT_TITLE = "Imported questions"
PREVIEW_PROBLEMS = 200
PREVIEW_QUESTIONS = 20
# A session keeps this many problems of its parsed result (the summary has the totals).
STORED_PROBLEMS = 1000


def import_max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def import_max_questions() -> int:
    return settings.IMPORT_MAX_QUESTIONS


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


def check_question_count(parsed: ParsedSet) -> None:
    """Refuse (as an error at the first question past the limit) a file with more questions
    than one import takes; the rest are not validated, as nothing will be saved."""
    limit = import_max_questions()
    if len(parsed.questions) <= limit:
        return
    first_over = parsed.questions[limit]
    total = len(parsed.questions)
    parsed.problems.append(
        Problem(
            first_over.line,
            first_over.column,
            f"The file holds {total:,} questions; one import takes at most {limit:,}. "
            "Nothing was imported: split the file (this is where the limit is passed).",
            code="too-many-questions",
        )
    )
    del parsed.questions[limit:]
    parsed.validated = True


def preview_import(
    *,
    data: bytes,
    fmt: str | None = None,
    filename: str | None = None,
    options: dict | None = None,
) -> ParsedSet:
    """Parse and validate without saving; raises ImportFormatError when nothing is readable.

    `options` are the format's own (for CSV/TSV: `separator`, `row_separator`, `quoting`).
    """
    check_size(len(data))
    parsed = formats.parse(data, fmt=fmt, filename=filename, options=options)
    check_question_count(parsed)
    validate_parsed_set(parsed)
    return parsed


# --- the summary every import path shows ------------------------------------------------------

# Readable names of the warning classes the importers give their problems (`Problem.code`).
PROBLEM_CLASSES = {
    "": _("Other"),
    "media-skipped": _("Media left out"),
    "media-unused": _("Media used by no note"),
    "note-dropped": _("Notes left out"),
    "fields-joined": _("Fields joined into the back"),
    "row-merged": _("Rows merged"),
    "row-dropped": _("Rows left out"),
    "columns-ignored": _("Columns not imported"),
    "quote-literal": _("Quotes read as text"),
    "prose-skipped": _("Prose not imported"),
    "unsure-question": _("Questions to check"),
    "long-answer": _("Long answers"),
    "numbering-gap": _("Gaps in the numbering"),
    "encoding": _("Encoding"),
    "too-many-questions": _("Too many questions"),
    "too-many-errors": _("Too many errors"),
    "category-as-tag": _("Categories kept as tags"),
    "lost-in-conversion": _("Lost in conversion"),
    "question-skipped": _("Questions left out"),
    "files-not-imported": _("Files not imported"),
    "image-not-imported": _("Images not imported"),
    "image-shown-as-link": _("Images shown as links"),
}


# Classes that mean something of the file was left out, for importers that mark them by class
# rather than with `Problem.dropped`.
DROPPED_CODES = {
    "question-skipped",
    "lost-in-conversion",
    "files-not-imported",
    "image-not-imported",
}


def _class_label(code: str) -> str:
    return str(PROBLEM_CLASSES.get(code, code.replace("-", " ").capitalize()))


def import_summary(
    parsed: ParsedSet, *, source: str | None = None, limit: int = PREVIEW_PROBLEMS
) -> dict:
    """What an import found, the same for the command, the API and the wizard: questions per
    kind, errors and warnings with their count per class, every item left out, and the first
    `limit` problems in line order (with the source line when `source` is the file's text).

    JSON-safe, so an import session stores it once and every later preview only reads it.
    """
    lines = source.split("\n") if source is not None else []
    ordered = sorted(parsed.problems, key=lambda p: (p.line, p.column, not p.is_error))

    def row(problem: Problem) -> dict:
        text = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
        return {**problem.as_dict(), "source": text[:300]}

    classes: dict[tuple[str, str], int] = {}
    for problem in parsed.problems:
        key = (problem.severity, problem.code)
        classes[key] = classes.get(key, 0) + 1
    dropped = [p for p in ordered if p.dropped or (p.code in DROPPED_CODES and not p.is_error)]
    errors = len(parsed.errors)
    return {
        "format": parsed.format,
        "title": parsed.title,
        "total": len(parsed.questions),
        "counts": parsed.counts_by_kind(),
        "media": len(parsed.media),
        "errors": errors,
        "warnings": len(parsed.problems) - errors,
        "classes": [
            {"severity": severity, "code": code, "label": _class_label(code), "count": count}
            for (severity, code), count in sorted(classes.items())
        ],
        "dropped_total": len(dropped),
        "dropped": [row(problem) for problem in dropped[:limit]],
        "problems_total": len(ordered),
        "problems": [row(problem) for problem in ordered[:limit]],
        "questions": [
            {
                "line": question.line,
                "kind": question.kind,
                "title": question.title,
                "prompt": question.prompt[:300],
            }
            for question in parsed.questions[:PREVIEW_QUESTIONS]
        ],
        "can_confirm": not errors and bool(parsed.questions),
    }


def summary_text(summary: dict) -> list[str]:
    """The summary as lines of plain text (the management command prints these)."""
    counts = ", ".join(f"{count} {kind}" for kind, count in sorted(summary["counts"].items()))
    lines = [
        f"{summary['format']}, {summary['total']} questions ({counts or 'none'}), "
        f"{summary['media']} images, {summary['errors']} errors, {summary['warnings']} warnings"
    ]
    for item in summary["classes"]:
        lines.append(f"  {item['severity']}s: {item['label']}: {item['count']}")
    if summary["dropped_total"]:
        lines.append(f"  left out of the file: {summary['dropped_total']} item(s)")
    return lines


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
    created = _create_questions(question_set, parsed.questions, base_position, _store_media(parsed))
    sync_cards(questions=created)  # studyable, and counted on dashboards, from this commit on
    question_set.save(update_fields=["updated_at"])
    return ImportOutcome(question_set, len(parsed.questions), parsed, saved=True)


def _tags(names) -> dict[str, Tag]:
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
    base_position,
    stored_media: dict[str, _StoredMedia] | None = None,
):
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
    media_rows = []
    for question, parsed in zip(created, questions, strict=True):
        for name in dict.fromkeys(parsed.media):
            item = stored_media.get(name)
            if item is None:
                continue
            media_row = QuestionMedia(
                question=question,
                digest=item.digest,
                name=item.media.name,
                original_name=item.media.original_name[:255],
                content_type=item.media.content_type,
                size=len(item.media.data),
            )
            media_row.file.name = item.path
            media_rows.append(media_row)
    QuestionMedia.objects.bulk_create(media_rows, batch_size=1000, ignore_conflicts=True)
    return created


def import_questions(
    *,
    user: User | None,
    data: bytes,
    fmt: str | None = None,
    filename: str | None = None,
    target_set: QuestionSet | None = None,
    title: str | None = None,
    dry_run: bool = False,
    options: dict | None = None,
) -> ImportOutcome:
    """Parse, validate and (unless `dry_run` or the file has errors) save in one call."""
    parsed = preview_import(data=data, fmt=fmt, filename=filename, options=options)
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
    options: dict | None = None,
) -> tuple[ImportSession, ParsedSet]:
    """Parse an upload once and store it, with its parsed result and summary, for
    confirmation; raises ImportFormatError when nothing is readable."""
    if not can_import(user, target_set):
        raise PermissionDenied("You may not import into this question set.")
    parsed = preview_import(data=data, fmt=fmt, filename=filename, options=options)
    summary = import_summary(parsed, source=_source_text(parsed, data))
    summary["options"] = dict(options or {})
    session = ImportSession.objects.create(
        owner=user,
        filename=filename[:255],
        format=parsed.format,
        data=data,
        size=len(data),
        target_set=target_set,
        title=title[:200],
        parsed=stored.freeze(_for_storage(parsed)),
        summary=summary,
    )
    return session, parsed


def _source_text(parsed: ParsedSet, data: bytes) -> str | None:
    """The file as text, for the source lines next to its problems; None for packages."""
    if parsed.format == "apkg":
        return None
    try:
        text, _warnings = decode_text(data)
    except ImportFormatError:
        return None
    return text


def _for_storage(parsed: ParsedSet) -> ParsedSet:
    """The parsed set with at most STORED_PROBLEMS problems (the summary keeps the counts);
    an error is always kept, so a stored set with errors still cannot be confirmed."""
    if len(parsed.problems) <= STORED_PROBLEMS:
        return parsed
    kept = parsed.problems[:STORED_PROBLEMS]
    if parsed.errors and not any(problem.is_error for problem in kept):
        kept.append(parsed.errors[0])
    return ParsedSet(
        **{
            name: getattr(parsed, name)
            for name in ("title", "description", "language", "tags", "questions", "format")
        },
        media=parsed.media,
        problems=kept,
        validated=True,
    )


def session_summary(session: ImportSession) -> dict:
    """The stored summary of a pending upload (parsed again only for a session stored before
    summaries were); reading it costs one row, whatever the size of the file."""
    if session.summary:
        return session.summary
    parsed = session_parsed(session)
    summary = import_summary(parsed, source=_source_text(parsed, bytes(session.data)))
    summary["options"] = {}
    ImportSession.objects.filter(pk=session.pk).update(summary=summary)
    return summary


def session_parsed(session: ImportSession) -> ParsedSet:
    """The parsed result stored with the session, or the file parsed again when there is none
    (or it was stored by an older layout)."""
    parsed = stored.thaw(session.parsed)
    if parsed is not None:
        return parsed
    options = (session.summary or {}).get("options") or None
    return preview_import(
        data=bytes(session.data), fmt=session.format, filename=session.filename, options=options
    )


def preview_session(session: ImportSession) -> ParsedSet:
    """Kept for callers that want the parsed set itself; previews read `session_summary`."""
    return session_parsed(session)


class AlreadyImported(Exception):
    pass


@transaction.atomic
def confirm_import_session(*, user: User, session: ImportSession) -> ImportOutcome:
    session = ImportSession.objects.select_for_update().get(pk=session.pk)
    if session.owner_id != user.pk:
        raise PermissionDenied("This upload belongs to someone else.")
    if session.status != ImportSession.Status.PENDING:
        raise AlreadyImported("This upload has already been imported.")
    parsed = session_parsed(session)
    outcome = save_import(
        user=user, parsed=parsed, target_set=session.target_set, title=session.title or None
    )
    session.status = ImportSession.Status.IMPORTED
    session.question_set = outcome.question_set
    session.created_count = outcome.created
    session.imported_at = timezone.now()
    session.data = b""
    session.parsed = b""
    session.save(
        update_fields=["status", "question_set", "created_count", "imported_at", "data", "parsed"]
    )
    return outcome


def delete_stale_import_sessions(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Pending uploads nobody confirmed; called from a periodic job or by hand."""
    cutoff = timezone.now() - older_than
    deleted, _ = ImportSession.objects.filter(
        status=ImportSession.Status.PENDING, created_at__lt=cutoff
    ).delete()
    return deleted
