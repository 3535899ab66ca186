"""Importing a file: in one call (`import_questions`: the command, the tests) or through the
API's and the wizard's pending uploads (upload → preview → confirm: `create_import_session`,
`session_summary`, `confirm_import_session`), all or nothing.

The parsers (flashcards.formats) turn bytes into a `ParsedSet` with problems;
`flashcards.services.import_preview` checks who may import and validates every question,
`flashcards.services.import_save` saves the whole set in one transaction, and every path
shows the one summary `flashcards.services.import_summary` builds.  Any error — in the file,
in a question, or in the database — leaves nothing behind.

Bounds: IMPORT_MAX_BYTES per file, IMPORT_MAX_QUESTIONS per import (a file with more is
refused whole, with the line where the limit is passed: a 2,000-question Moodle bank and the
10,000-question benchmark fit), and PREVIEW_PROBLEMS problems listed in a summary (with the
total and the count per class, so nothing is hidden by the cut).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flashcards.formats import stored
from flashcards.formats.base import ImportFormatError, ParsedSet
from flashcards.formats.encoding import decode_text
from flashcards.models import ImportSession, QuestionSet, User
from flashcards.services.import_preview import can_import, preview_import
from flashcards.services.import_save import ImportOutcome, save_import
from flashcards.services.import_summary import import_summary

# A session keeps this many problems of its parsed result (the summary has the totals).
STORED_PROBLEMS = 1000


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
        raise PermissionDenied(_("You may not import into this question set."))
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
        raise PermissionDenied(_("This upload belongs to someone else."))
    if session.status != ImportSession.Status.PENDING:
        raise AlreadyImported(_("This upload has already been imported."))
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
