"""Serving the images stored with imported questions (`QuestionMedia`) from MEDIA.

Each file is served only to someone who may see a set holding a question that uses it (a
public set's images to anyone), with its type as read from its bytes on import, `nosniff`
and a sandboxing CSP, so an image can never run as a page.  Files are content-addressed, so
they are cached for good.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from flashcards.models import QuestionMedia
from flashcards.selectors.content import sets_visible_to


@require_GET
def question_media(request, shard: str, digest: str, name: str):
    if shard != digest[:2]:
        raise Http404
    rows = QuestionMedia.objects.filter(digest=digest, name=name)
    visible = sets_visible_to(request.user).filter(pk__in=rows.values("question__question_set_id"))
    row = rows.first() if visible.exists() else None
    if row is None:
        raise Http404
    try:
        handle = row.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
