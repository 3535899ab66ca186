"""Attaching demos to questions.  Callers check `can_edit_set` first (the API does)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from flashcards.models import Question
from training.models import DemoAttachment
from training.registry import get_demo
from training.services.runs import request_run


@transaction.atomic
def attach_demo(
    *,
    question: Question,
    demo_slug: str,
    params: dict[str, Any] | None = None,
    caption: str = "",
    position: int | None = None,
    user=None,
) -> DemoAttachment:
    """Attach a demo with fixed parameters; its run is requested (and enqueued) at once.

    Editors are not rate-limited here: an attachment is content, computed once for everyone.
    """
    demo = get_demo(demo_slug)
    cleaned = demo.validate(params)
    if position is None:
        last = question.demo_attachments.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    requested = request_run(demo_slug=demo.slug, params=cleaned, user=user, enforce_limits=False)
    return DemoAttachment.objects.create(
        question=question,
        demo=demo.slug,
        params=cleaned,
        caption=caption.strip(),
        position=position,
        run=requested.run,
        created_by=user if user is not None and user.is_authenticated else None,
    )


@transaction.atomic
def update_attachment(
    *,
    attachment: DemoAttachment,
    params: dict[str, Any] | None = None,
    caption: str | None = None,
    position: int | None = None,
    user=None,
) -> DemoAttachment:
    if params is not None:
        demo = get_demo(attachment.demo)
        attachment.params = demo.validate(params)
        attachment.run = request_run(
            demo_slug=demo.slug, params=attachment.params, user=user, enforce_limits=False
        ).run
    if caption is not None:
        attachment.caption = caption.strip()
    if position is not None:
        attachment.position = position
    attachment.save()
    return attachment


@transaction.atomic
def delete_attachment(*, attachment: DemoAttachment) -> None:
    # The run stays: it is a cached result other attachments or students may share.
    attachment.delete()


@transaction.atomic
def refresh_attachment_run(*, attachment: DemoAttachment) -> DemoAttachment:
    """Point an attachment at the run for the demo's current version (after an upgrade)."""
    demo = get_demo(attachment.demo)
    run = attachment.run
    if run is not None and run.demo_version == demo.version:
        return attachment
    attachment.params = demo.validate(attachment.params)
    attachment.run = request_run(
        demo_slug=demo.slug, params=attachment.params, enforce_limits=False
    ).run
    attachment.save(update_fields=["params", "run", "updated_at"])
    return attachment
