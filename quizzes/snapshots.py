"""Freezing a question into the plain dict an attempt keeps, and the views students get of it.

`take_snapshot` copies everything grading and review need (prompt, choices in the order this
student sees them, weights, tolerances, normalisation options, reference answer, rubric) at
the moment the attempt starts.  `question_for_student` strips the keys that would give the
answer away (the free-text rubric included); `question_for_review` adds them back once
answers may be shown.
"""

from __future__ import annotations

import html
import random
import re

from flashcards.models import Question
from flashcards.richtext import cloze_deletions, render_rich_text
from flashcards.richtext_math import has_math

MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
TAG = re.compile(r"<[^>]*>")  # on the renderer's sanitised output only


def _typed_form(source: str) -> str:
    """What a student types for a hidden answer: its text without Markdown emphasis.

    Anki's clozes often wrap the answer in formatting (`{{c1::<b>ReLU</b>}}`, imported as
    `**ReLU**`); nobody types the stars.  Math stays as its LaTeX source, which is the only
    way to type it.
    """
    source = source.strip()
    if has_math(source):
        return source
    text = html.unescape(TAG.sub("", render_rich_text(source)))
    return " ".join(text.split())


def _character_reference(match: re.Match) -> str:
    return f"&#{ord(match.group(1))};"


def _cloze(prompt: str) -> dict:
    """The prompt with each deletion replaced by its hint, and the blanks in order.

    The deletions are the renderer's own (`cloze_deletions`), so braces inside a deletion
    (`{{c1::$\\sqrt{x^{2}}$}}`) end it where the page shows it ending.  The placeholder is
    escaped Markdown: a hint must show as typed, not become a link or emphasis.  Punctuation
    is escaped as character references, not backslashes: `\\(…\\)` and `\\[…\\]` are math.
    """
    blanks = []
    pieces = []
    position = 0
    for deletion in cloze_deletions(prompt):
        hint = deletion.hint.strip()
        blanks.append({"answer": _typed_form(deletion.text), "hint": hint})
        shown = MARKDOWN_PUNCTUATION.sub(_character_reference, hint) if hint else "…"
        pieces.extend([prompt[position : deletion.start], f"&#91;{shown}&#93;"])
        position = deletion.end
    pieces.append(prompt[position:])
    return {"prompt_html": render_rich_text("".join(pieces)), "blanks": blanks}


def take_snapshot(question: Question, *, rng: random.Random, shuffle_choices: bool) -> dict:
    """Everything needed to show and grade `question` later, as it is now.

    `question.choices` and `question.numerical_answers` should be prefetched; they are read
    through `.all()` so a prefetch is used.
    """
    choices = [
        {
            "id": choice.pk,
            "text": choice.text,
            "text_html": choice.text_html,
            "is_correct": choice.is_correct,
            "weight": None if choice.weight is None else str(choice.weight),
            "feedback_html": choice.feedback_html,
            "match_text": choice.match_text,
        }
        for choice in question.choices.all()
    ]
    snapshot = {
        "question_id": question.pk,
        "version": question.version,
        "kind": question.kind,
        "title": question.title,
        "prompt_html": question.prompt_html,
        "answer_html": question.answer_html,
        "general_feedback_html": question.general_feedback_html,
        "points": str(question.points),
        "allow_multiple": question.allow_multiple,
        "correct_boolean": question.correct_boolean,
        "case_sensitive": question.case_sensitive,
        "normalize_whitespace": question.normalize_whitespace,
        "ignore_accents": question.ignore_accents,
        "rubric": list(question.rubric or []),
        "choices": [],
    }
    kind = question.kind
    if kind == Question.Kind.MULTIPLE_CHOICE:
        if shuffle_choices:
            rng.shuffle(choices)
        snapshot["choices"] = choices
    elif kind == Question.Kind.SHORT_ANSWER:
        # Accepted answers are matched in the author's order (first match wins), never shown.
        snapshot["choices"] = choices
    elif kind == Question.Kind.MATCHING:
        stems = [
            {"id": c["id"], "text_html": c["text_html"], "match_text": c["match_text"]}
            for c in choices
            if c["text"].strip()
        ]
        # Pairs with an empty left side are distractors: extra options on the right.
        options = list(dict.fromkeys(c["match_text"] for c in choices if c["match_text"]))
        if shuffle_choices:
            rng.shuffle(stems)
        # The right-hand options are always shuffled, or their order would give the key away.
        rng.shuffle(options)
        snapshot["stems"] = stems
        snapshot["match_options"] = options
    elif kind == Question.Kind.TRUE_FALSE:
        # Per-answer feedback, each shown to whoever gave that answer (Moodle's true/false).
        snapshot["true_feedback_html"] = question.true_feedback_html
        snapshot["false_feedback_html"] = question.false_feedback_html
    elif kind == Question.Kind.NUMERICAL:
        snapshot["numerical_answers"] = [
            {
                "id": answer.pk,
                "value": answer.value,
                "tolerance": answer.tolerance,
                "minimum": answer.minimum,
                "maximum": answer.maximum,
                "weight": str(answer.weight),
                "feedback_html": answer.feedback_html,
            }
            for answer in question.numerical_answers.all()
        ]
    elif kind == Question.Kind.CLOZE:
        snapshot["cloze"] = _cloze(question.prompt)
    return snapshot


def question_for_student(snapshot: dict) -> dict:
    """What a student may see while answering: no keys, weights, feedback or reference."""
    kind = snapshot["kind"]
    shown = {
        "kind": kind,
        "title": snapshot["title"],
        "prompt_html": snapshot["prompt_html"],
        "points": snapshot["points"],
    }
    if kind == Question.Kind.MULTIPLE_CHOICE:
        shown["allow_multiple"] = snapshot["allow_multiple"]
        shown["choices"] = [
            {"id": c["id"], "text_html": c["text_html"]} for c in snapshot["choices"]
        ]
    elif kind == Question.Kind.MATCHING:
        shown["stems"] = [{"id": s["id"], "text_html": s["text_html"]} for s in snapshot["stems"]]
        shown["options"] = snapshot["match_options"]
    elif kind == Question.Kind.CLOZE:
        shown["prompt_html"] = snapshot["cloze"]["prompt_html"]
        shown["blanks"] = [{"hint": blank["hint"]} for blank in snapshot["cloze"]["blanks"]]
    # No rubric here: its criteria say what a full answer contains, so it is shown with the
    # review (after submitting), never while answering.
    return shown


def question_for_review(snapshot: dict) -> dict:
    """The question with what makes an answer right: weights, per-choice feedback, reference."""
    shown = question_for_student(snapshot)
    kind = snapshot["kind"]
    if kind == Question.Kind.MULTIPLE_CHOICE:
        shown["choices"] = [
            {
                "id": c["id"],
                "text_html": c["text_html"],
                "is_correct": c["is_correct"],
                "weight": c["weight"],
                "feedback_html": c["feedback_html"],
            }
            for c in snapshot["choices"]
        ]
    if kind == Question.Kind.FREE_TEXT:
        shown["rubric"] = snapshot["rubric"]
    shown["answer_html"] = snapshot["answer_html"]
    shown["general_feedback_html"] = snapshot["general_feedback_html"]
    return shown
