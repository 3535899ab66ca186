"""A parsed set frozen into bytes and thawed back, so an import session parses its file once.

Every field of the dataclasses in `base` is kept (questions, their lines, problems with their
classes, media) as zlib-compressed JSON: readable by any later code and safe to load, unlike
pickle.  Decimals travel as strings, media as base64.  `VERSION` changes whenever the layout
does; `thaw` then answers None and the caller parses the file again.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import zlib
from decimal import Decimal

from flashcards.formats.base import (
    ParsedChoice,
    ParsedMedia,
    ParsedNumericalAnswer,
    ParsedQuestion,
    ParsedSet,
    Problem,
)

VERSION = 1


def _plain(value):
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot store {type(value).__name__}")


def _revive(item: dict):
    if "$d" in item and len(item) == 1:
        return Decimal(item["$d"])
    if "$b" in item and len(item) == 1:
        return base64.b64decode(item["$b"])
    return item


def freeze(parsed: ParsedSet) -> bytes:
    document = {"version": VERSION, "set": dataclasses.asdict(parsed)}
    text = json.dumps(document, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def thaw(blob: bytes | memoryview | None) -> ParsedSet | None:
    if not blob:
        return None
    try:
        document = json.loads(zlib.decompress(bytes(blob)), object_hook=_revive)
    except (zlib.error, ValueError):
        return None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        return None
    data = document["set"]
    questions = []
    for item in data.pop("questions"):
        choices = [ParsedChoice(**choice) for choice in item.pop("choices")]
        answers = [ParsedNumericalAnswer(**answer) for answer in item.pop("numerical_answers")]
        questions.append(ParsedQuestion(**item, choices=choices, numerical_answers=answers))
    problems = [Problem(**problem) for problem in data.pop("problems")]
    media = {name: ParsedMedia(**item) for name, item in data.pop("media").items()}
    return ParsedSet(**data, questions=questions, problems=problems, media=media)
