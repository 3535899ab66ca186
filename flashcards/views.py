"""Serving the images stored with imported questions (`QuestionMedia`) from MEDIA.

Each file is served only to someone who may read a question that uses it with its answers
(`readable_questions`: a public set's images to anyone, and never a question whose key is
locked by an open quiz attempt, since an image on the back of a card can be the answer).
It goes out with its type as read from its bytes on import, `nosniff` and a sandboxing CSP,
so an image can never run as a page.  Files are content-addressed, so they are cached for
good; the cache is `private`, so a lock that starts later is not defeated by a shared cache.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from flashcards.models import QuestionMedia
from flashcards.selectors.content import readable_questions


@require_GET
def question_media(request, shard: str, digest: str, name: str):
    if shard != digest[:2]:
        raise Http404
    row = QuestionMedia.objects.filter(
        digest=digest, name=name, question__in=readable_questions(request.user)
    ).first()
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
