"""Reading demo attachments, with the visibility rules of their question's set."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from flashcards.models import Question
from flashcards.selectors.content import answers_hidden_from, can_edit_set, can_view_set
from training.models import DemoAttachment, DemoRun
from training.registry import get_demo


def attachments_for_question(question: Question) -> QuerySet[DemoAttachment]:
    """A question's attachments in order, each with its run (minus the SVGs), in 2 queries."""
    runs = DemoRun.objects.defer("figure_svgs")
    return question.demo_attachments.prefetch_related(Prefetch("run", queryset=runs)).order_by(
        "position", "id"
    )


def attachments_for_questions(question_ids) -> dict[int, list[DemoAttachment]]:
    """For pages listing many questions: {question id: [attachments]} in 2 queries."""
    grouped: dict[int, list[DemoAttachment]] = {}
    runs = DemoRun.objects.defer("figure_svgs")
    queryset = (
        DemoAttachment.objects.filter(question_id__in=list(question_ids))
        .prefetch_related(Prefetch("run", queryset=runs))
        .order_by("question_id", "position", "id")
    )
    for attachment in queryset:
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
