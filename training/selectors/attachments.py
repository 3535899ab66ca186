"""Reading demo attachments, with the visibility rules of their question's set."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from flashcards.models import Question
from flashcards.selectors import sql
from flashcards.selectors.content import answers_hidden_from, can_edit_set, can_view_set
from training.models import DemoAttachment, DemoRun
from training.registry import get_demo


def attachments_for_question(question: Question) -> QuerySet[DemoAttachment]:
    """A question's attachments in order, each with its run (minus the SVGs), in 2 queries."""
    runs = DemoRun.objects.defer("figure_svgs")
    return question.demo_attachments.prefetch_related(Prefetch("run", queryset=runs)).order_by(
        "position", "id"
    )


_ATTACHMENT_FIELDS = list(DemoAttachment._meta.concrete_fields)
_RUN_FIELDS = [f for f in DemoRun._meta.concrete_fields if f.name != "figure_svgs"]
# Twin: `DemoAttachment.objects.filter(question_id__in=…).select_related("run")
# .defer("run__figure_svgs").order_by("question_id", "position", "id")`, which
# tests/training/test_attachment_reads.py holds equal.  {ids}: the question id placeholders.
ATTACHMENTS_SQL = f"""
SELECT {", ".join(f"a.{f.column}" for f in _ATTACHMENT_FIELDS)},
       {", ".join(f"r.{f.column}" for f in _RUN_FIELDS)}
FROM {DemoAttachment._meta.db_table} a
LEFT JOIN {DemoRun._meta.db_table} r ON r.id = a.run_id
WHERE a.question_id IN ({{ids}})
ORDER BY a.question_id, a.position, a.id
"""


def attachments_for_questions(question_ids) -> dict[int, list[DemoAttachment]]:
    """For pages listing many questions: {question id: [attachments]}, each with its run
    (minus the SVGs), in one fixed statement.

    Written out because the study page asks it for every batch of cards it is handed (each
    rating's answer carries the next card): composing the ORM twin cost about 2 ms of Python
    per request, ten times what the database took (see flashcards/selectors/sql/__init__.py).
    """
    grouped: dict[int, list[DemoAttachment]] = {}
    ids, params = sql.in_list(list(question_ids))
    if not params:
        return grouped
    split = len(_ATTACHMENT_FIELDS)
    for values in sql.fetch_all(ATTACHMENTS_SQL.format(ids=ids), params)[1]:
        attachment = sql.from_row(DemoAttachment, _ATTACHMENT_FIELDS, values[:split])
        run_values = values[split:]
        attachment.run = (
            sql.from_row(DemoRun, _RUN_FIELDS, run_values) if run_values[0] is not None else None
        )
        grouped.setdefault(attachment.question_id, []).append(attachment)
    return grouped


def question_access(user, question: Question) -> tuple[bool, bool]:
    """(may view, may edit) the question's set, by the one set of rules in flashcards."""
    question_set = question.question_set
    if can_edit_set(user, question_set):
        return True, True
    # A demo attached to an answer is part of the answer: hidden during a quiz attempt.
    if answers_hidden_from(user, question):
        return False, False
    return can_view_set(user, question_set), False


def attachment_with_question(attachment_id: int) -> DemoAttachment | None:
    return (
        DemoAttachment.objects.select_related("question__question_set")
        .filter(pk=attachment_id)
        .first()
    )


def needs_new_run(attachment: DemoAttachment) -> bool:
    """No run, or a run of an older version of the demo than the one now installed."""
    try:
        version = get_demo(attachment.demo).version
    except LookupError:
        return False  # a removed demo: keep showing what was computed
    return attachment.run is None or attachment.run.demo_version != version
