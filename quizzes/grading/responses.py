"""Checking a response against its question snapshot, and the form it is stored in.

A response is the dict the student sent; `validate_response` returns it in the stored form
that `quizzes.grading.graders` grades.  Response formats:

- multiple_choice: {"choices": [choice ids]} (at most one id when the question is single-answer)
- true_false: {"value": true | false}
- numerical: {"value": "3.14"} (the text as typed; a decimal comma is accepted)
- short_answer, free_text, flashcard: {"text": "..."}
- matching: {"matches": {"<stem choice id>": "<chosen right-hand text>"}}
- cloze: {"blanks": ["...", "..."]}
- description: no response; it carries no points.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from flashcards.models import Question
from quizzes.grading.matching import parse_number


class ResponseError(ValueError):
    """A response that does not fit its question; `errors` maps field names to messages (or,
    for several answers saved at once, each slot to its own field errors)."""

    def __init__(self, errors: Mapping[str, object]):
        super().__init__(errors)
        self.errors = errors


def _text(data: dict, key: str = "text") -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ResponseError({key: [_("Must be text.")]})
    if len(value) > 20000:
        raise ResponseError(
            {
                key: [
                    _("Must be at most 20,000 characters; this answer has %(n)s.")
                    % {"n": f"{len(value):,}"}
                ]
            }
        )
    return value


def validate_response(snapshot: dict, data: object) -> dict | None:
    """Check a response against its question and return it in the stored form.

    Returns None for "no answer" (an empty selection or empty text), so clearing an answer is
    possible; raises `ResponseError` with field errors for anything that cannot be an answer
    to this question — the caller then keeps the previously saved response untouched.
    """
    kind = snapshot["kind"]
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ResponseError({"response": [_("Must be an object.")]})

    if kind == Question.Kind.MULTIPLE_CHOICE:
        if "choice" in data and "choices" not in data:
            raw = [] if data["choice"] in (None, "") else [data["choice"]]
        else:
            raw = data.get("choices", [])
        if raw is None:
            raw = []
        if not isinstance(raw, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in raw
        ):
            raise ResponseError({"choices": [_("Must be a list of choice ids.")]})
        known = {choice["id"] for choice in snapshot["choices"]}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ResponseError(
                {
                    "choices": [
                        _("Not a choice of this question: %(ids)s.")
                        % {"ids": ", ".join(map(str, unknown))}
                    ]
                }
            )
        if len(set(raw)) > 1 and not snapshot.get("allow_multiple"):
            raise ResponseError({"choices": [_("This question takes a single choice.")]})
        selected = [c["id"] for c in snapshot["choices"] if c["id"] in set(raw)]
        return {"choices": selected} if selected else None

    if kind == Question.Kind.TRUE_FALSE:
        value = data.get("value")
        if value is None:
            return None
        if not isinstance(value, bool):
            raise ResponseError({"value": [_("Must be true or false.")]})
        return {"value": value}

    if kind == Question.Kind.NUMERICAL:
        value = data.get("value")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ResponseError({"value": [_("Must be a number.")]})
        text = value if isinstance(value, str) else repr(value)
        try:
            parse_number(text)
        except ValueError:
            raise ResponseError(
                {"value": [_("“%(text)s” is not a number.") % {"text": text}]}
            ) from None
        return {"value": text.strip()}

    if kind in {Question.Kind.SHORT_ANSWER, Question.Kind.FREE_TEXT, Question.Kind.FLASHCARD}:
        text = _text(data)
        return {"text": text} if text.strip() else None

    if kind == Question.Kind.MATCHING:
        matches = data.get("matches") or {}
        if not isinstance(matches, dict):
            raise ResponseError({"matches": [_("Must map each item to one of the options.")]})
        stems = {str(stem["id"]) for stem in snapshot["stems"]}
        options = set(snapshot["match_options"])
        errors = []
        cleaned = {}
        for stem_id, option in matches.items():
            if str(stem_id) not in stems:
                errors.append(_("Not an item of this question: %(id)s.") % {"id": stem_id})
            elif option in (None, ""):
                continue
            elif option not in options:
                errors.append(_("Not one of the options: %(option)r.") % {"option": option})
            else:
                cleaned[str(stem_id)] = option
        if errors:
            raise ResponseError({"matches": errors})
        return {"matches": cleaned} if cleaned else None

    if kind == Question.Kind.CLOZE:
        blanks = data.get("blanks") or []
        expected = len(snapshot["cloze"]["blanks"])
        if not isinstance(blanks, list) or not all(
            isinstance(item, str | type(None)) for item in blanks
        ):
            raise ResponseError({"blanks": [_("Must be a list of texts.")]})
        if len(blanks) > expected:
            raise ResponseError(
                {"blanks": [_("This question has %(n)s blanks.") % {"n": expected}]}
            )
        filled = [item or "" for item in blanks] + [""] * (expected - len(blanks))
        return {"blanks": filled} if any(item.strip() for item in filled) else None

    if kind == Question.Kind.DESCRIPTION:
        return None

    raise ResponseError(
        {"response": [_("Questions of kind %(kind)r cannot be answered.") % {"kind": kind}]}
    )
