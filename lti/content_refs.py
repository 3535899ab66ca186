"""What an activity opens, as the custom parameter a deep-linking response gives the platform.

The platform sends the parameter back in every launch of the activity.  It is signed with the
site's SECRET_KEY and bound to the platform (issuer and client id): a teacher who edits the
activity's custom parameters in the platform, or copies them to another platform, cannot
point it at someone else's quiz, which would put the course's students in that quiz's class.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

CUSTOM_PARAMETER = "quizsite_content"
SALT = "lti.content-ref"
QUIZ = "quiz"
SET = "set"
KINDS = (QUIZ, SET)


@dataclass(frozen=True)
class ContentRef:
    kind: str  # QUIZ or SET
    pk: int


def sign(ref: ContentRef, *, issuer: str, client_id: str) -> str:
    payload = {"k": ref.kind, "id": ref.pk, "iss": issuer, "aud": client_id}
    return signing.dumps(payload, salt=SALT, compress=True)


def read(value: object, *, issuer: str, client_id: str) -> ContentRef | None:
    """The reference, or None when it is missing, altered or made for another platform."""
    if not isinstance(value, str) or not value:
        return None
    try:
        payload = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or (payload.get("iss"), payload.get("aud")) != (
        issuer,
        client_id,
    ):
        return None
    kind, pk = payload.get("k"), payload.get("id")
    if kind not in KINDS or not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return ContentRef(kind, pk)
