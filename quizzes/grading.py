"""Pure grading of one response against one question snapshot, per question kind.

Nothing here touches the database: a snapshot (see `quizzes.snapshots`) is a plain dict and a
response is the dict the student sent, already checked by `validate_response`.  That keeps
grading deterministic, cheap to test exhaustively, and reusable for regrading.

Fractions are `Decimal` in [0, 1]; the mark is fraction x points.  Response formats:

- multiple_choice: {"choices": [choice ids]} (at most one id when the question is single-answer)
- true_false: {"value": true | false}
- numerical: {"value": "3.14"} (the text as typed; a decimal comma is accepted)
- short_answer, free_text, flashcard: {"text": "..."}
- matching: {"matches": {"<stem choice id>": "<chosen right-hand text>"}}
- cloze: {"blanks": ["...", "..."]}
- description: no response; it carries no points.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
MARK_QUANTUM = Decimal("0.0001")

SELF_RATED_KINDS = frozenset({"free_text", "flashcard"})
UNGRADED_KINDS = frozenset({"description"})


class Status:
    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    UNANSWERED = "unanswered"
    AWAITING_SELF_RATING = "awaiting_self_rating"
    AWAITING_INSTRUCTOR = "awaiting_instructor"
    UNGRADED = "ungraded"


@dataclass(frozen=True)
class SelfRatingPolicy:
    """What a student's own 1–5 rating of a free-text (or flashcard) answer may do.

    `scores`: whether it earns marks at all (otherwise the instructor grades the answer);
    `cap`: the largest fraction of the question's points it can earn; `allowed`: whether the
    student may rate at all (practice quizzes let them rate for study's sake only).
    """

    scores: bool
    cap: Decimal = Decimal(1)
    allowed: bool = True


# The pure default, for grading a snapshot outside any quiz: the rating is the grade.
SELF_RATING_SCORES = SelfRatingPolicy(scores=True)


@dataclass(frozen=True)
class Grade:
    status: str
    # None while a mark cannot be given yet (free text awaiting its self-rating, descriptions).
    fraction: Decimal | None
    feedback: list[str] = field(default_factory=list)


class ResponseError(ValueError):
    """A response that does not fit its question; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# --- helpers ----------------------------------------------------------------------------------


def max_mark(snapshot: dict) -> Decimal:
    if snapshot["kind"] in UNGRADED_KINDS:
        return ZERO
    return Decimal(snapshot["points"])


def mark_for(snapshot: dict, grade: Grade) -> Decimal:
    """The points a grade is worth; a grade still waiting for a rating is worth nothing yet."""
    fraction = grade.fraction if grade.fraction is not None else ZERO
    return (fraction * max_mark(snapshot)).quantize(MARK_QUANTUM)


def _status_for(fraction: Decimal) -> str:
    if fraction >= ONE:
        return Status.CORRECT
    if fraction <= ZERO:
        return Status.INCORRECT
    return Status.PARTIAL


FRACTION_QUANTUM = Decimal("0.0000001")


def _clamp(fraction: Decimal) -> Decimal:
    # Seven places, as Moodle keeps fractions: thirds that sum back to a whole must give 1 or 0
    # exactly, not 1E-28.
    return min(ONE, max(ZERO, fraction.quantize(FRACTION_QUANTUM)))


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


def _pattern_matches(pattern: str, answer: str, options: dict) -> bool:
    """Moodle short-answer matching: `*` is a wildcard, `\\*` a literal star."""
    pieces = re.split(r"(?<!\\)\*", pattern)
    if len(pieces) == 1:
        return normalise_text(pattern.replace("\\*", "*"), **options) == answer
    regex = ".*".join(
        re.escape(normalise_text(piece.replace("\\*", "*"), **options)) for piece in pieces
    )
    return re.fullmatch(regex, answer, flags=re.DOTALL) is not None


def _matching_options(snapshot: dict) -> dict:
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


def _decimal(value) -> Decimal | None:
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


# --- validation -------------------------------------------------------------------------------


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


def validate_response(snapshot: dict, data) -> dict | None:
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

    if kind == "multiple_choice":
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

    if kind == "true_false":
        value = data.get("value")
        if value is None:
            return None
        if not isinstance(value, bool):
            raise ResponseError({"value": [_("Must be true or false.")]})
        return {"value": value}

    if kind == "numerical":
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

    if kind in {"short_answer", "free_text", "flashcard"}:
        text = _text(data)
        return {"text": text} if text.strip() else None

    if kind == "matching":
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

    if kind == "cloze":
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

    if kind == "description":
        return None

    raise ResponseError(
        {"response": [_("Questions of kind %(kind)r cannot be answered.") % {"kind": kind}]}
    )


# --- grading per kind -------------------------------------------------------------------------


def _grade_multiple_choice(snapshot: dict, response: dict) -> Grade:
    weights = choice_weights(snapshot)
    selected = set(response["choices"])
    total = sum((weights[cid] for cid in selected), ZERO)
    fraction = _clamp(total / HUNDRED)
    feedback = [
        c["feedback_html"]
        for c in snapshot["choices"]
        if c["id"] in selected and c.get("feedback_html")
    ]
    return Grade(_status_for(fraction), fraction, feedback)


def _grade_true_false(snapshot: dict, response: dict) -> Grade:
    correct = snapshot.get("correct_boolean")
    fraction = ONE if correct is not None and response["value"] is correct else ZERO
    # Snapshots taken before per-answer feedback existed have neither key.
    shown = snapshot.get("true_feedback_html" if response["value"] else "false_feedback_html")
    return Grade(_status_for(fraction), fraction, [shown] if shown else [])


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


def _grade_numerical(snapshot: dict, response: dict) -> Grade:
    number = parse_number(response["value"])
    answers = snapshot["numerical_answers"]
    accepting = [a for a in answers if numerical_answer_accepts(a, number)]
    if not accepting:
        # Wherever the author put it, "any other number" speaks only when nothing else does.
        accepting = [a for a in answers if is_any_other_number(a)]
    if not accepting:
        return Grade(Status.INCORRECT, ZERO)
    best = max(accepting, key=lambda a: Decimal(a["weight"]))
    fraction = _clamp(Decimal(best["weight"]) / HUNDRED)
    feedback = [best["feedback_html"]] if best.get("feedback_html") else []
    return Grade(_status_for(fraction), fraction, feedback)


def _grade_short_answer(snapshot: dict, response: dict) -> Grade:
    options = _matching_options(snapshot)
    answer = normalise_text(response["text"], **options)
    weights = choice_weights({**snapshot, "allow_multiple": False})
    # As in Moodle, the first accepted answer that matches decides, so a catch-all `*` with
    # feedback for everything else goes last.
    for choice in snapshot["choices"]:
        if _pattern_matches(choice["text"], answer, options):
            fraction = _clamp(weights[choice["id"]] / HUNDRED)
            feedback = [choice["feedback_html"]] if choice.get("feedback_html") else []
            return Grade(_status_for(fraction), fraction, feedback)
    return Grade(Status.INCORRECT, ZERO)


def _grade_matching(snapshot: dict, response: dict) -> Grade:
    stems = snapshot["stems"]
    if not stems:
        return Grade(Status.INCORRECT, ZERO)
    matches = response["matches"]
    right = sum(1 for stem in stems if matches.get(str(stem["id"])) == stem["match_text"])
    fraction = _clamp(Decimal(right) / Decimal(len(stems)))
    return Grade(_status_for(fraction), fraction)


def _grade_cloze(snapshot: dict, response: dict) -> Grade:
    options = _matching_options(snapshot)
    blanks = snapshot["cloze"]["blanks"]
    if not blanks:
        return Grade(Status.INCORRECT, ZERO)
    given = response["blanks"]
    right = sum(
        1
        for blank, typed in zip(blanks, given, strict=False)
        if normalise_text(typed, **options) == normalise_text(blank["answer"], **options)
    )
    fraction = _clamp(Decimal(right) / Decimal(len(blanks)))
    return Grade(_status_for(fraction), fraction)


def self_rating_fraction(rating: int) -> Decimal:
    """1 "not at all" is worth nothing, 5 "perfectly" everything, evenly in between."""
    return (Decimal(rating) - 1) / 4


def grade(
    snapshot: dict,
    response: dict | None,
    *,
    self_rating: int | None = None,
    policy: SelfRatingPolicy = SELF_RATING_SCORES,
) -> Grade:
    """Grade a stored response (None: not answered) against the question as it was given.

    Under a policy where self-ratings do not score, a written free-text answer waits for the
    instructor whatever the student rated it; under a capped one, a rating of 5 earns `cap`.
    """
    kind = snapshot["kind"]
    if kind in UNGRADED_KINDS:
        return Grade(Status.UNGRADED, None)
    if kind in SELF_RATED_KINDS:
        # A flashcard is answered in the head, so it needs only the rating; a blank free-text
        # answer is simply unanswered.
        if kind == "free_text" and response is None:
            return Grade(Status.UNANSWERED, ZERO)
        if not policy.scores:
            if response is None:
                return Grade(Status.UNANSWERED, ZERO)
            return Grade(Status.AWAITING_INSTRUCTOR, None)
        if self_rating is None:
            return Grade(Status.AWAITING_SELF_RATING, None)
        fraction = self_rating_fraction(self_rating)
        return Grade(_status_for(fraction), _clamp(fraction * policy.cap))
    if response is None:
        return Grade(Status.UNANSWERED, ZERO)
    graders = {
        "multiple_choice": _grade_multiple_choice,
        "true_false": _grade_true_false,
        "numerical": _grade_numerical,
        "short_answer": _grade_short_answer,
        "matching": _grade_matching,
        "cloze": _grade_cloze,
    }
    return graders[kind](snapshot, response)


# --- what the review shows as the right answer ------------------------------------------------


def correct_response(snapshot: dict) -> dict:
    kind = snapshot["kind"]
    if kind == "multiple_choice":
        weights = choice_weights(snapshot)
        return {"choices": [c["id"] for c in snapshot["choices"] if weights[c["id"]] > 0]}
    if kind == "true_false":
        return {"value": snapshot.get("correct_boolean")}
    if kind == "numerical":
        accepted = []
        for answer in snapshot["numerical_answers"]:
            if Decimal(answer["weight"]) < HUNDRED:
                continue
            if answer.get("minimum") is not None and answer.get("maximum") is not None:
                accepted.append(f"{answer['minimum']} to {answer['maximum']}")
            elif answer.get("tolerance"):
                accepted.append(f"{answer['value']} ± {answer['tolerance']}")
            else:
                accepted.append(f"{answer['value']}")
        return {"accepted": accepted}
    if kind == "short_answer":
        weights = choice_weights({**snapshot, "allow_multiple": False})
        return {"accepted": [c["text"] for c in snapshot["choices"] if weights[c["id"]] >= 100]}
    if kind == "matching":
        return {"matches": {str(s["id"]): s["match_text"] for s in snapshot["stems"]}}
    if kind == "cloze":
        return {"blanks": [blank["answer"] for blank in snapshot["cloze"]["blanks"]]}
    if kind in SELF_RATED_KINDS:
        return {"reference_html": snapshot.get("answer_html", "")}
    return {}


def study_rating(snapshot: dict, grade: Grade, *, self_rating: int | None) -> int | None:
    """The 1–5 rating an answer feeds to spaced repetition; None when there is nothing to say.

    Self-rated kinds pass the student's own rating (1–2 are lapses).  Automatically graded
    answers pass 4 ("knew it") only when fully right and 1 otherwise: a partly right or blank
    answer means the card was not known, which is what a lapse records.
    """
    if snapshot["kind"] in SELF_RATED_KINDS:
        return self_rating
    if grade.status == Status.UNGRADED:
        return None
    return 4 if grade.status == Status.CORRECT else 1
