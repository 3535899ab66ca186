"""Between HTML form fields and the quiz services' response dicts, per question kind.

Each slot's inputs are named `q<slot>-...`; `response_from_post` reads them into the dict
`quizzes.grading.responses.validate_response` checks (without judging it: a typed "abc" for
a number is passed on as typed, so the service's error is shown next to the text the student
wrote), and
`answer_fields` turns a response back into what the template needs to show the inputs filled
in — used for resuming a saved attempt and for re-showing a form that was refused.
"""

from __future__ import annotations

from flashcards.models import Question


def prefix(slot: int) -> str:
    return f"q{slot}-"


def _ints(values: list[str]) -> list[int] | list[str]:
    """Choice ids as numbers; anything else is passed on so the service reports it."""
    try:
        return [int(value) for value in values]
    except ValueError:
        return values


def response_from_post(question: dict, slot: int, post) -> dict | None:
    """The response a slot's inputs describe; None when the form does not carry this slot."""
    p = prefix(slot)
    kind = question["kind"]
    if f"{p}present" not in post:
        return None
    if kind == Question.Kind.MULTIPLE_CHOICE:
        return {"choices": _ints(post.getlist(f"{p}choices"))}
    if kind == Question.Kind.TRUE_FALSE:
        value = post.get(f"{p}value", "")
        return {"value": {"true": True, "false": False}.get(value)}
    if kind == Question.Kind.NUMERICAL:
        return {"value": post.get(f"{p}value", "")}
    if kind in {Question.Kind.SHORT_ANSWER, Question.Kind.FREE_TEXT, Question.Kind.FLASHCARD}:
        return {"text": post.get(f"{p}text", "")}
    if kind == Question.Kind.MATCHING:
        return {
            "matches": {
                str(stem["id"]): post.get(f"{p}match-{stem['id']}", "")
                for stem in question["stems"]
            }
        }
    if kind == Question.Kind.CLOZE:
        return {
            "blanks": [
                post.get(f"{p}blank-{index}", "") for index in range(len(question["blanks"]))
            ]
        }
    return None


def responses_from_post(items: list[dict], post) -> dict[int, dict]:
    responses = {}
    for item in items:
        if item.get("checked"):
            continue
        response = response_from_post(item["question"], item["slot"], post)
        if response is not None:
            responses[item["slot"]] = response
    return responses


def answer_fields(question: dict, response: dict | None) -> dict:
    """What the inputs of one question show for `response` (saved or as typed)."""
    response = response or {}
    kind = question["kind"]
    if kind == Question.Kind.MULTIPLE_CHOICE:
        chosen = {str(value) for value in response.get("choices") or []}
        return {
            "choices": [
                {**choice, "checked": str(choice["id"]) in chosen} for choice in question["choices"]
            ]
        }
    if kind == Question.Kind.TRUE_FALSE:
        value = response.get("value")
        return {"value": "" if value is None else ("true" if value else "false")}
    if kind == Question.Kind.NUMERICAL:
        return {"value": response.get("value") or ""}
    if kind in {Question.Kind.SHORT_ANSWER, Question.Kind.FREE_TEXT, Question.Kind.FLASHCARD}:
        return {"text": response.get("text") or ""}
    if kind == Question.Kind.MATCHING:
        matches = response.get("matches") or {}
        return {
            "stems": [
                {**stem, "selected": matches.get(str(stem["id"]), "")} for stem in question["stems"]
            ],
            "options": question["options"],
        }
    if kind == Question.Kind.CLOZE:
        typed = list(response.get("blanks") or [])
        blanks = question["blanks"]
        typed += [""] * (len(blanks) - len(typed))
        return {
            "blanks": [
                {"index": index, "hint": blank["hint"], "value": typed[index]}
                for index, blank in enumerate(blanks)
            ]
        }
    return {}


def error_messages(errors) -> list[str]:
    """Flatten a service's field errors ({"value": ["..."]}) into sentences to show."""
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in error_messages(value)]
    if isinstance(errors, list | tuple):
        return [message for value in errors for message in error_messages(value)]
    return [str(errors)]


def review_fields(item: dict) -> dict:
    """The student's answer next to the right one, per kind, for a revealed item."""
    review = item["review"]
    question = review["question"]
    correct = review["correct_response"]
    response = item["response"] or {}
    kind = question["kind"]
    if kind == Question.Kind.MULTIPLE_CHOICE:
        chosen = set(response.get("choices") or [])
        right = set(correct.get("choices") or [])
        return {
            "choices": [
                {**choice, "chosen": choice["id"] in chosen, "right": choice["id"] in right}
                for choice in question["choices"]
            ]
        }
    if kind == Question.Kind.TRUE_FALSE:
        return {"given": response.get("value"), "expected": correct.get("value")}
    if kind == Question.Kind.NUMERICAL:
        return {"given": response.get("value"), "accepted": correct.get("accepted", [])}
    if kind == Question.Kind.SHORT_ANSWER:
        return {"given": response.get("text"), "accepted": correct.get("accepted", [])}
    if kind in {Question.Kind.FREE_TEXT, Question.Kind.FLASHCARD}:
        return {"given": response.get("text"), "reference_html": correct.get("reference_html")}
    if kind == Question.Kind.MATCHING:
        matches = response.get("matches") or {}
        expected = correct.get("matches") or {}
        return {
            "stems": [
                {
                    **stem,
                    "given": matches.get(str(stem["id"])),
                    "expected": expected.get(str(stem["id"])),
                }
                for stem in question["stems"]
            ]
        }
    if kind == Question.Kind.CLOZE:
        given = list(response.get("blanks") or [])
        expected = correct.get("blanks") or []
        given += [""] * (len(expected) - len(given))
        return {
            "blanks": [
                {"number": index + 1, "given": given[index], "expected": answer}
                for index, answer in enumerate(expected)
            ]
        }
    return {}
