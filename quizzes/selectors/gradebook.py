"""The gradebook of a quiz: one row per student, graded by the quiz's grading method.

Rows cover every student of the classes the viewer may grade, with or without attempts (a
blank grade is information too), plus anyone else whose attempts the viewer may see.  A row
says "self_assessed" when part of a grade is the student's own rating of a written answer.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db.models import QuerySet

from flashcards.models import Membership, User
from quizzes.models import Attempt, Quiz
from quizzes.selectors.review import decimal_text

COLUMNS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "classes",
    "attempts",
    "grade_percentage",
    "grade_points",
    "max_points",
    "passed",
    "needs_grading",
    "self_assessed",
    "last_finished_at",
]


def _grade(quiz: Quiz, finished: list[Attempt]) -> tuple[Decimal | None, Decimal | None]:
    """(percentage, points) by the quiz's grading method; None when nothing is finished."""
    scored = [a for a in finished if a.max_score]
    if not scored:
        return None, None
    method = quiz.grading_method
    if method == Quiz.GradingMethod.AVERAGE:
        percentage = sum((a.score * 100 / a.max_score for a in scored), Decimal(0)) / len(scored)
        points = sum((a.score for a in scored), Decimal(0)) / len(scored)
        return percentage, points
    if method == Quiz.GradingMethod.FIRST:
        chosen = min(scored, key=lambda a: a.number)
    elif method == Quiz.GradingMethod.LAST:
        chosen = max(scored, key=lambda a: a.number)
    else:
        chosen = max(scored, key=lambda a: (a.score / a.max_score, -a.number))
    return chosen.score * 100 / chosen.max_score, chosen.score


def gradebook_rows(
    quiz: Quiz, *, students: QuerySet[User], attempts: QuerySet[Attempt]
) -> list[dict]:
    attempt_list = list(attempts.filter(quiz=quiz).order_by("student_id", "number"))
    by_student: dict[int, list[Attempt]] = {}
    for attempt in attempt_list:
        by_student.setdefault(attempt.student_id, []).append(attempt)
    people = {
        user.pk: user
        for user in User.objects.filter(
            pk__in={*students.values_list("pk", flat=True), *by_student}
        )
    }
    class_names: dict[int, list[str]] = {}
    for user_id, name in (
        Membership.objects.filter(user__in=people, classroom__in=quiz.classrooms.all())
        .order_by("classroom__name")
        .values_list("user_id", "classroom__name")
    ):
        class_names.setdefault(user_id, []).append(name)

    rows = []
    for user in sorted(people.values(), key=lambda u: (u.last_name, u.first_name, u.username)):
        mine = by_student.get(user.pk, [])
        finished = [a for a in mine if a.is_finished]
        percentage, points = _grade(quiz, finished)
        max_points = max((a.max_score for a in finished), default=None)
        passed = None
        if quiz.pass_mark is not None and percentage is not None:
            passed = percentage >= quiz.pass_mark
        rows.append(
            {
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "classes": "; ".join(class_names.get(user.pk, [])),
                "attempts": len(finished),
                "grade_percentage": decimal_text(percentage),
                "grade_points": decimal_text(points),
                "max_points": decimal_text(max_points),
                "passed": passed,
                "needs_grading": any(a.needs_grading for a in finished),
                # Part of a grade is the student's own (capped) rating of a written answer.
                "self_assessed": any(a.self_assessed for a in finished),
                "last_finished_at": max(
                    (a.finished_at for a in finished if a.finished_at), default=None
                ),
            }
        )
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    # A cell starting with = + - @ (or a tab/CR) is a formula to spreadsheets: neutralise it.
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def gradebook_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return buffer.getvalue()


def grade_of_record(quiz: Quiz, student: User) -> tuple[Decimal | None, bool]:
    """The student's grade at `quiz` as a percentage, by its grading method (None before a
    scored attempt), and whether an answer still awaits the instructor's grade.  What the
    gradebook's row shows, for one student: passed back to a learning platform (LTI)."""
    finished = list(
        Attempt.objects.filter(quiz=quiz, student=student, state=Attempt.State.FINISHED)
    )
    percentage, _points = _grade(quiz, finished)
    return percentage, any(a.needs_grading for a in finished)
