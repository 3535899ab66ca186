"""The two faces of a study card, made from the question's stored, sanitised HTML.

The rich-text renderer turns `{{cN::answer::hint}}` into
`<span class="cloze" data-cloze="N" data-hint="hint">answer</span>` and leaves the hiding to
whoever shows the card.  A cloze card N shows its own gap hidden (the hint, or "…") on the
front and revealed on the back; every other deletion is plain text on both faces, as in Anki.

The HTML comes out of nh3 (html5ever's serializer), which is what makes a small tag scanner
enough: attribute values are always double-quoted, `<` in text is always `&lt;`, so every `<`
outside a quoted value starts a real tag.  A value may hold a raw `<` or `>` (the serializer
only escapes `&`, `"` and no-break spaces in attributes), which is why tags are matched with
their quoted values rather than with `[^>]*`, and why a hint is unescaped and escaped again
before it becomes text.  Deletions may contain markup, including other spans (inline display
math, nested deletions), so a deletion ends at the `</span>` that balances its opening tag.
"""

from __future__ import annotations

import html
import re

from django.utils.translation import gettext as _

from flashcards.models import Card, Question

# A start or end tag, with its attributes (each value double-quoted, as the serializer writes).
TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"\'<>/=]+(?:="[^"]*")?)*)\s*(/?)>')
ATTRIBUTE = re.compile(r'([^\s"\'<>/=]+)(?:="([^"]*)")?')


def _attributes(text: str) -> dict[str, str]:
    return {name: html.unescape(value or "") for name, value in ATTRIBUTE.findall(text)}


def _is_cloze(attrs: dict[str, str]) -> bool:
    return "cloze" in attrs.get("class", "").split() and attrs.get("data-cloze", "").isdigit()


def cloze_numbers(rendered: str) -> set[int]:
    """The deletion numbers present in rendered HTML: the cards a cloze question yields."""
    numbers = set()
    for match in TAG.finditer(rendered or ""):
        if match.group(2).lower() == "span" and not match.group(1):
            attrs = _attributes(match.group(3))
            if _is_cloze(attrs):
                numbers.add(int(attrs["data-cloze"]))
    return numbers


def show_cloze(rendered: str, number: int, *, reveal: bool) -> str:
    """Deletion `number` hidden (or marked as revealed); every other deletion plain text."""
    out: list[str] = []
    # For each open <span>: what to write for its end tag, and whether its content is shown.
    spans: list[tuple[str, bool]] = []
    visible = True  # False inside the hidden deletion: its answer must not reach the page
    pos = 0
    for match in TAG.finditer(rendered):
        if visible:
            out.append(rendered[pos : match.start()])
        pos = match.end()
        closing, name, attr_text, self_closing = match.groups()
        if name.lower() != "span" or self_closing:
            if visible:
                out.append(match.group(0))
            continue
        if closing:
            end, was_visible = spans.pop() if spans else ("</span>", True)
            if was_visible:
                out.append(end)
            visible = was_visible
            continue
        attrs = _attributes(attr_text)
        if not _is_cloze(attrs):
            spans.append(("</span>", visible))
            if visible:
                out.append(match.group(0))
            continue
        if int(attrs["data-cloze"]) != number:
            spans.append(("", visible))  # unwrapped: its content stays, as plain text
            continue
        if reveal:
            spans.append(("</span>", visible))
            if visible:
                out.append(f'<span class="cloze cloze-revealed" data-cloze="{number}">')
            continue
        if visible:
            hint = html.escape(attrs.get("data-hint") or "…")
            out.append(f'<span class="cloze cloze-hidden" data-cloze="{number}">[{hint}]</span>')
        spans.append(("", visible))
        visible = False
    if visible:
        out.append(rendered[pos:])
    return "".join(out)


def card_faces(card: Card, question: Question | None = None) -> tuple[str, str]:
    """(front, back) HTML of a card.

    A question that asks to pick (multiple choice, true/false, matching) shows what there is
    to pick on the front, and which is right on the back: "Select all that apply" over no
    options cannot be answered, even in one's head.  The choices are the question's
    `prefetched_choices` (the queue loads them in one query for the whole batch).
    """
    question = question or card.question
    if card.side == Card.Side.REVERSE:
        return question.answer_html, question.prompt_html
    if card.side == Card.Side.CLOZE:
        return (
            show_cloze(question.prompt_html, card.ordinal, reveal=False),
            show_cloze(question.prompt_html, card.ordinal, reveal=True) + question.answer_html,
        )
    front, back = choice_faces(question)
    return question.prompt_html + front, back + question.answer_html


def choice_faces(question: Question) -> tuple[str, str]:
    """What a choice question adds to the front (the options) and the back (the right ones)."""
    choices = list(getattr(question, "prefetched_choices", None) or [])
    if question.kind == Question.Kind.TRUE_FALSE:
        options = f'<ul class="card-choices"><li>{_("True")}</li><li>{_("False")}</li></ul>'
        if question.correct_boolean is None:
            return options, ""
        right = _("True") if question.correct_boolean else _("False")
        return options, f'<p class="card-choices-answer"><strong>{right}</strong></p>'
    if question.kind == Question.Kind.MULTIPLE_CHOICE and choices:
        items = "".join(f"<li>{c.text_html}</li>" for c in choices)
        marked = "".join(
            f'<li class="correct"><strong>{_("Correct")}:</strong> {c.text_html}</li>'
            if c.is_correct
            else f"<li>{c.text_html}</li>"
            for c in choices
        )
        return (
            f'<ol class="card-choices" type="A">{items}</ol>',
            f'<ol class="card-choices card-choices-answer" type="A">{marked}</ol>',
        )
    if question.kind == Question.Kind.MATCHING and choices:
        # The right-hand sides in alphabetical order: the authored order would give the pairs away.
        rights = sorted({c.match_text for c in choices if c.match_text}, key=str.casefold)
        lefts = "".join(f"<li>{c.text_html}</li>" for c in choices if c.match_text)
        options = "".join(f"<li>{html.escape(text)}</li>" for text in rights)
        pairs = "".join(
            f"<tr><td>{c.text_html}</td><td>{html.escape(c.match_text)}</td></tr>"
            for c in choices
            if c.match_text
        )
        return (
            f'<ol class="card-choices">{lefts}</ol>'
            f'<p class="muted">{_("Matches")}:</p><ul class="card-choices">{options}</ul>',
            f'<table class="card-choices-answer"><tbody>{pairs}</tbody></table>',
        )
    return "", ""
