"""Which quizzes a person should see listed, with what they need to act on each.

Students get the quizzes assigned to their classes that are open now, each annotated with
their own attempt in progress (to resume) and how many they have finished; instructors get
the quizzes they own.  Both in one query, whatever the number of quizzes.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from flashcards.models import User
from quizzes.models import Attempt, Quiz


def _with_my_attempts(quizzes: QuerySet[Quiz], student: User) -> QuerySet[Quiz]:
    in_progress = Attempt.objects.filter(
        quiz=OuterRef("pk"), student=student, state=Attempt.State.IN_PROGRESS
    ).values("pk")[:1]
    finished = (
        Attempt.objects.filter(quiz=OuterRef("pk"), student=student, state=Attempt.State.FINISHED)
        .order_by()
        .values("quiz")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return quizzes.annotate(
        attempt_in_progress=Subquery(in_progress), attempts_finished=Subquery(finished)
    )


def quizzes_assigned_to(student: User) -> QuerySet[Quiz]:
    """Every quiz assigned to a class `student` belongs to, open or not."""
    if not student.is_authenticated:
        return Quiz.objects.none()
    assigned = Quiz.objects.filter(classrooms__members=student).values("pk")
    return _with_my_attempts(Quiz.objects.filter(pk__in=assigned), student)


def open_quizzes_for(student: User, *, now: datetime | None = None) -> QuerySet[Quiz]:
    """Quizzes a student can start or resume now, the ones closing soonest first."""
    now = now or timezone.now()
    return (
        quizzes_assigned_to(student)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .order_by("closes_at", "title", "pk")
    )


def quizzes_owned_by(instructor: User) -> QuerySet[Quiz]:
    """An instructor's quizzes, with counts for the list: attempts finished, answers to grade."""
    return (
        Quiz.objects.filter(owner=instructor)
        .select_related("question_set")
        .annotate(
            finished_attempts=Count(
                "attempts", filter=Q(attempts__state=Attempt.State.FINISHED), distinct=True
            ),
            attempts_to_grade=Count(
                "attempts", filter=Q(attempts__needs_grading=True), distinct=True
            ),
        )
        .order_by("-created_at", "pk")
    )
