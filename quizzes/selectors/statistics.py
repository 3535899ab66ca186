"""Instructor analytics of a quiz, computed from finished attempts.

Definitions (as in Moodle's quiz statistics, and classical test theory):
- facility index of a question: the mean of (mark / maximum mark) over the finished attempts
  that were given it, i.e. mean mark / maximum mark — 1.0 everyone right, 0.0 everyone wrong;
- discrimination index: the Pearson correlation between a question's mark and the rest of
  the test (the attempt's score minus that question's mark) over the same attempts; None when
  fewer than two attempts or either side does not vary (the correlation is undefined);
- score distribution: finished attempts per 10-percentage-point band, 100% in the top band.

An attempt's mark for a question is the instructor's grade when there is one, else the
automatic or self-assessed mark.  Two queries whatever the size of the class.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import QuerySet

from flashcards.models import Question
from quizzes.grading.graders import grade
from quizzes.grading.matching import choice_weights, normalise_text
from quizzes.grading.results import SELF_RATED_KINDS
from quizzes.models import Attempt, AttemptAnswer
from quizzes.selectors.review import decimal_text

BANDS = 10
TOP_RESPONSES = 10


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = sum(d * d for d in dx)
    syy = sum(d * d for d in dy)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def score_distribution(percentages: list[float]) -> list[dict]:
    counts = [0] * BANDS
    for percentage in percentages:
        counts[min(BANDS - 1, max(0, int(percentage // (100 / BANDS))))] += 1
    width = 100 // BANDS
    return [
        {"from": band * width, "to": (band + 1) * width, "count": counts[band]}
        for band in range(BANDS)
    ]


def _response_distribution(snapshot: dict, responses: list[dict | None]) -> dict:
    """How answers to one question spread: per choice for choice questions, the most common
    answers (normalised as the question compares them) for typed ones."""
    kind = snapshot["kind"]
    unanswered = sum(1 for r in responses if r is None)
    if kind == Question.Kind.MULTIPLE_CHOICE:
        counts = Counter(cid for r in responses if r for cid in r["choices"])
        weights = choice_weights(snapshot)
        choices = sorted(snapshot["choices"], key=lambda c: c["id"])
        return {
            "choices": [
                {
                    "id": c["id"],
                    "text_html": c["text_html"],
                    "correct": weights[c["id"]] > 0,
                    "count": counts.get(c["id"], 0),
                }
                for c in choices
            ],
            "unanswered": unanswered,
        }
    if kind == Question.Kind.TRUE_FALSE:
        counts = Counter(r["value"] for r in responses if r)
        return {
            "choices": [
                {
                    "value": value,
                    "correct": snapshot.get("correct_boolean") is value,
                    "count": counts.get(value, 0),
                }
                for value in (True, False)
            ],
            "unanswered": unanswered,
        }
    if kind in {Question.Kind.NUMERICAL, Question.Kind.SHORT_ANSWER}:
        key = "value" if kind == Question.Kind.NUMERICAL else "text"
        options = {
            "case_sensitive": bool(snapshot.get("case_sensitive")),
            "normalize_whitespace": bool(snapshot.get("normalize_whitespace", True)),
            "ignore_accents": bool(snapshot.get("ignore_accents")),
        }
        counts = Counter(
            normalise_text(r[key], **options)
            if kind == Question.Kind.SHORT_ANSWER
            else r[key].strip()
            for r in responses
            if r
        )
        top = []
        for text, count in counts.most_common(TOP_RESPONSES):
            result = grade(snapshot, {key: text})
            top.append({"response": text, "count": count, "status": result.status})
        return {"responses": top, "unanswered": unanswered}
    return {"unanswered": unanswered}


def quiz_statistics(quiz, attempts: QuerySet[Attempt]) -> dict:
    """Analytics over `attempts` (already limited to what the viewer may see)."""
    all_attempts = list(
        attempts.filter(quiz=quiz).only("id", "state", "score", "max_score", "student_id")
    )
    finished = [a for a in all_attempts if a.state == Attempt.State.FINISHED]
    answers = list(
        AttemptAnswer.objects.filter(attempt__in=[a.pk for a in finished])
        .only(
            "attempt_id",
            "slot",
            "snapshot",
            "response",
            "mark",
            "override_mark",
            "max_mark",
            "self_rating",
            "question_id",
        )
        .order_by("attempt_id", "slot")
    )
    score_of = {a.pk: float(a.score) for a in finished}
    percentages = [float(a.score * 100 / a.max_score) for a in finished if a.max_score]

    by_question: dict[int, list[AttemptAnswer]] = defaultdict(list)
    first_seen: dict[int, tuple[int, int]] = {}
    for answer in answers:
        qid = answer.snapshot["question_id"]
        by_question[qid].append(answer)
        first_seen.setdefault(qid, (answer.slot, answer.attempt_id))

    questions = []
    for qid in sorted(by_question, key=lambda q: first_seen[q]):
        group = by_question[qid]
        latest = max(group, key=lambda a: (a.snapshot.get("version", 0), a.attempt_id)).snapshot
        graded = [a for a in group if a.max_mark > 0]
        marks = [float(a.final_mark or 0) for a in graded]
        fractions = [float((a.final_mark or Decimal(0)) / a.max_mark) for a in graded]
        rests = [score_of[a.attempt_id] - mark for a, mark in zip(graded, marks, strict=True)]
        questions.append(
            {
                "question_id": qid,
                "title": latest.get("title", ""),
                "prompt_html": latest.get("prompt_html", ""),
                "kind": latest["kind"],
                "attempts": len(group),
                "max_mark": decimal_text(max((a.max_mark for a in group), default=Decimal(0))),
                "mean_mark": _round(statistics.fmean(marks)) if marks else None,
                "facility": _round(statistics.fmean(fractions)) if fractions else None,
                "discrimination": _round(pearson(marks, rests)),
                "distribution": _response_distribution(latest, [a.response for a in group]),
            }
        )

    awaiting = [
        {
            "attempt_id": a.attempt_id,
            "slot": a.slot,
            "question_id": a.snapshot["question_id"],
            "response": a.response,
            "self_rating": a.self_rating,
        }
        for a in answers
        if a.snapshot["kind"] == Question.Kind.FREE_TEXT
        and a.response is not None
        and a.override_mark is None
    ]
    return {
        "quiz": {"id": quiz.pk, "title": quiz.title},
        "attempts": {
            "finished": len(finished),
            "in_progress": len(all_attempts) - len(finished),
            "students": len({a.student_id for a in finished}),
        },
        "score": {
            "mean_percentage": _round(statistics.fmean(percentages)) if percentages else None,
            "median_percentage": _round(statistics.median(percentages)) if percentages else None,
            "stdev_percentage": _round(statistics.stdev(percentages))
            if len(percentages) > 1
            else None,
        },
        "score_distribution": score_distribution(percentages),
        "questions": questions,
        "awaiting_grading": awaiting,
    }


def grading_queue(attempts: QuerySet[Attempt]) -> list[AttemptAnswer]:
    """Written free-text (and flashcard) answers of finished attempts without an instructor's
    grade, oldest first."""
    return list(
        AttemptAnswer.objects.filter(
            attempt__in=attempts.filter(state=Attempt.State.FINISHED),
            override_mark__isnull=True,
            response__isnull=False,
            snapshot__kind__in=sorted(SELF_RATED_KINDS),
        )
        .select_related("attempt__student")
        .order_by("attempt__finished_at", "attempt_id", "slot")
    )
