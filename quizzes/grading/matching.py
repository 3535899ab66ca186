"""How a typed answer meets the answer key: text normalisation, Moodle's short-answer
patterns, numbers as students type them, numerical ranges and choice weights."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from quizzes.grading.results import HUNDRED, ZERO


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def normalise_text(
    text: str, *, case_sensitive: bool, normalize_whitespace: bool, ignore_accents: bool
) -> str:
    """Apply a short-answer question's matching options to a typed answer.

    NFC first, always: "é" typed as one code point or as "e" + combining accent is the same
    text, whatever the accent option says.  Ignoring accents strips combining marks after
    NFKD, so "é" → "e" but "ø" and "æ" (letters of their own in Danish) stay.  When both are
    on, case is folded after the accents are stripped, and stripped once more: NFKD can make
    a cased letter of a caseless one ("𝔸" → "A") and case folding can add a combining mark
    ("İ" → "i̇"), and a typed answer and a stored one must meet in the same form (applying
    this twice changes nothing).
    """
    text = unicodedata.normalize("NFC", text)
    if ignore_accents:
        text = _strip_accents(text)
    if not case_sensitive:
        text = unicodedata.normalize("NFC", text.casefold())
        if ignore_accents:
            text = _strip_accents(text)
    # Whitespace last: decomposing can itself produce spaces (NFKD of "´" is " " + accent).
    if normalize_whitespace:
        text = " ".join(text.split())
    return text


def pattern_matches(pattern: str, answer: str, options: dict) -> bool:
    """Moodle short-answer matching: `*` is a wildcard, `\\*` a literal star."""
    pieces = re.split(r"(?<!\\)\*", pattern)
    if len(pieces) == 1:
        return normalise_text(pattern.replace("\\*", "*"), **options) == answer
    regex = ".*".join(
        re.escape(normalise_text(piece.replace("\\*", "*"), **options)) for piece in pieces
    )
    return re.fullmatch(regex, answer, flags=re.DOTALL) is not None


def matching_options(snapshot: dict) -> dict:
    return {
        "case_sensitive": bool(snapshot.get("case_sensitive")),
        "normalize_whitespace": bool(snapshot.get("normalize_whitespace", True)),
        "ignore_accents": bool(snapshot.get("ignore_accents")),
    }


def parse_number(text: str) -> Decimal:
    """Read a number as students type it: `3.14`, `3,14` (decimal comma), `-2`, `1e-3`."""
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "")
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return number


def _decimal(value: object) -> Decimal | None:
    # Floats pass through their shortest repr, so 3.14 is exactly 3.14 and a tolerance bound
    # such as |3.15 - 3.14| <= 0.01 holds, as the author meant, instead of failing on 1e-17.
    if value is None:
        return None
    return Decimal(str(value))


def choice_weights(snapshot: dict) -> dict[int, Decimal]:
    """Each choice's percentage of the question's points.

    An explicit weight (Moodle's percentage, -100..100) always wins.  Without one, a
    single-answer question gives 100% for the correct choice and 0% otherwise.  A
    multiple-answer question without weights splits 100% between its correct choices and
    takes 100% away, split the same way, for selecting every incorrect one: ticking every box
    then scores zero, so guessing "all of them" earns nothing.
    """
    choices = snapshot.get("choices", [])
    weights: dict[int, Decimal] = {}
    correct = [c for c in choices if c["is_correct"]]
    incorrect = [c for c in choices if not c["is_correct"]]
    for choice in choices:
        if choice.get("weight") is not None:
            weights[choice["id"]] = Decimal(choice["weight"])
        elif not snapshot.get("allow_multiple"):
            weights[choice["id"]] = HUNDRED if choice["is_correct"] else ZERO
        elif choice["is_correct"]:
            weights[choice["id"]] = HUNDRED / len(correct)
        else:
            weights[choice["id"]] = -HUNDRED / len(incorrect)
    return weights


def numerical_answer_accepts(answer: dict, number: Decimal) -> bool:
    minimum, maximum = _decimal(answer.get("minimum")), _decimal(answer.get("maximum"))
    if minimum is not None and maximum is not None:
        return minimum <= number <= maximum
    value = _decimal(answer.get("value"))
    if value is None:
        return False
    tolerance = abs(_decimal(answer.get("tolerance")) or ZERO)
    return abs(number - value) <= tolerance


def is_any_other_number(answer: dict) -> bool:
    """Moodle's `*` answer: no value and no range, worth 0%, there for its feedback."""
    return all(answer.get(name) is None for name in ("value", "minimum", "maximum"))
