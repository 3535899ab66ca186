"""Regrading a quiz after its questions' keys were fixed: a dry run first, then for real.

As in Moodle's regrade: attempts are graded from the snapshot taken when they started, so an
instructor who corrects a wrong key (or a point value) asks for a regrade.  The dry run lists
every finished attempt whose score would change (old → new, per question); applying it does
exactly the same computation under the attempts' row locks and stores it.

Each answer takes the *current* version of its question, but as the student saw it: the
choices, matching items and options stay in the order they were shown.  Where the edit
changed what the student answered (a choice removed or added, another number of blanks, a
new kind) that answer cannot be regraded fairly; it keeps its grade and the report names it.
An instructor's own grade is kept (it replaces the automatic mark in any case).  Attempts in
progress are not touched: they are graded on submission, and can be regraded after.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from flashcards.models import Question
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.review import decimal_text
from quizzes.services.attempts.finish import TOTAL_FIELDS, regrade_answer, total_attempt
from quizzes.signals import announce_score
from quizzes.snapshots import take_snapshot


@dataclass
class SlotChange:
    slot: int
    old_mark: Decimal | None
    new_mark: Decimal | None
    max_mark: Decimal
    new_version: bool


@dataclass
class AttemptChange:
    attempt_id: int
    student: str
    number: int
    old_score: Decimal
    new_score: Decimal
    old_max: Decimal
    new_max: Decimal
    slots: list[SlotChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old_score != self.new_score or self.old_max != self.new_max or bool(self.slots)


@dataclass
class RegradeReport:
    applied: bool
    attempts_checked: int
    attempts_in_progress: int
    changes: list[AttemptChange]

    def as_dict(self) -> dict:
        """The report as the API and the page show it."""
        return {
            "applied": self.applied,
            "attempts_checked": self.attempts_checked,
            "attempts_in_progress": self.attempts_in_progress,
            "attempts_changed": sum(1 for c in self.changes if c.changed),
            "attempts": [
                {
                    "attempt_id": c.attempt_id,
                    "student": c.student,
                    "number": c.number,
                    "old_score": decimal_text(c.old_score),
                    "new_score": decimal_text(c.new_score),
                    "old_max_score": decimal_text(c.old_max),
                    "new_max_score": decimal_text(c.new_max),
                    "changed": c.changed,
                    "questions": [
                        {
                            "slot": s.slot,
                            "old_mark": decimal_text(s.old_mark),
                            "new_mark": decimal_text(s.new_mark),
                            "max_mark": decimal_text(s.max_mark),
                            "new_version": s.new_version,
                        }
                        for s in c.slots
                    ],
                    "problems": c.problems,
                }
                for c in self.changes
            ],
        }


def _ordered(items: list[dict], old: list[dict], key: str = "id") -> list[dict] | None:
    """`items` in the order of `old`, matched by `key`; None when they are not the same set."""
    by_key = {item[key]: item for item in items}
    if set(by_key) != {item[key] for item in old} or len(by_key) != len(items):
        return None
    return [by_key[item[key]] for item in old]


def refreshed_snapshot(old: dict, question: Question) -> dict | None:
    """The live question as a snapshot in the order the student saw `old`; None when the edit
    changed what the student was answering, so the old answer no longer fits."""
    if question.kind != old["kind"]:
        return None
    new = take_snapshot(question, rng=random.Random(0), shuffle_choices=False)
    kind = old["kind"]
    if kind == Question.Kind.MULTIPLE_CHOICE:
        choices = _ordered(new["choices"], old["choices"])
        if choices is None:
            return None
        new["choices"] = choices
    elif kind == Question.Kind.MATCHING:
        stems = _ordered(new["stems"], old["stems"])
        if stems is None or set(new["match_options"]) != set(old["match_options"]):
            return None
        new["stems"] = stems
        new["match_options"] = list(old["match_options"])
    elif kind == Question.Kind.CLOZE and len(new["cloze"]["blanks"]) != len(old["cloze"]["blanks"]):
        return None
    return new


def _regrade_attempt(
    attempt: Attempt, answers: list[AttemptAnswer], questions: dict[int, Question]
) -> tuple[AttemptChange, list[AttemptAnswer]]:
    change = AttemptChange(
        attempt_id=attempt.pk,
        student=attempt.student.username,
        number=attempt.number,
        old_score=attempt.score,
        new_score=attempt.score,
        old_max=attempt.max_score,
        new_max=attempt.max_score,
    )
    touched = []
    for answer in answers:
        old_mark, old_max = answer.final_mark, answer.max_mark
        question = questions.get(answer.question_id) if answer.question_id is not None else None
        new_version = question is not None and question.version != answer.question_version
        if question is not None and new_version:
            snapshot = refreshed_snapshot(answer.snapshot, question)
            if snapshot is None:
                change.problems.append(
                    f"Question {answer.slot}: the edit changed what the student answered "
                    f"(choices, items or blanks); its grade is kept."
                )
                new_version = False
            else:
                answer.snapshot = snapshot
                answer.question_version = question.version
        regrade_answer(answer, attempt.quiz)
        if answer.override_mark is not None and answer.override_mark > answer.max_mark:
            change.problems.append(
                f"Question {answer.slot}: the instructor's grade "
                f"{decimal_text(answer.override_mark)} is above the new maximum "
                f"{decimal_text(answer.max_mark)}; it is lowered to the maximum."
            )
            answer.override_mark = answer.max_mark
        if answer.final_mark != old_mark or answer.max_mark != old_max or new_version:
            touched.append(answer)
            if answer.final_mark != old_mark or answer.max_mark != old_max:
                change.slots.append(
                    SlotChange(
                        answer.slot, old_mark, answer.final_mark, answer.max_mark, new_version
                    )
                )
    total_attempt(attempt, answers)
    change.new_score, change.new_max = attempt.score, attempt.max_score
    return change, touched


def regrade_quiz(*, quiz: Quiz, apply: bool) -> RegradeReport:
    """Regrade every finished attempt at `quiz`; with `apply=False` nothing is written.

    Permission (the quiz's owner) is the caller's job (`can_manage_quiz`).
    """
    with transaction.atomic():
        query = Attempt.objects.filter(quiz=quiz).select_related("quiz", "student")
        if apply:
            query = query.select_for_update(of=("self",))
        attempts = list(query.order_by("student__username", "number"))
        finished = [a for a in attempts if a.is_finished]
        answers: dict[int, list[AttemptAnswer]] = {}
        for answer in AttemptAnswer.objects.filter(attempt__in=finished).order_by("slot"):
            answers.setdefault(answer.attempt_id, []).append(answer)
        question_ids = {a.question_id for rows in answers.values() for a in rows if a.question_id}
        questions = Question.objects.prefetch_related("choices", "numerical_answers").in_bulk(
            question_ids
        )
        changes, touched = [], []
        for attempt in finished:
            change, rows = _regrade_attempt(attempt, answers.get(attempt.pk, []), questions)
            if change.changed or change.problems:
                changes.append(change)
            touched.extend(rows)
            if apply and change.changed:
                attempt.save(update_fields=TOTAL_FIELDS)
                announce_score(attempt)
        if apply and touched:
            AttemptAnswer.objects.bulk_update(
                touched, ["snapshot", "question_version", "mark", "max_mark", "override_mark"]
            )
    return RegradeReport(
        applied=apply,
        attempts_checked=len(finished),
        attempts_in_progress=len(attempts) - len(finished),
        changes=changes,
    )
