"""Who may see, take, manage and analyse which quizzes and attempts.

The rules, in one place: a quiz is managed by its owner; students take the quizzes assigned
to a class they belong to; a student sees only their own attempts; an instructor sees the
attempts at quizzes they own and the attempts made by members of their classes at quizzes
assigned to those classes.  Question-set visibility is `flashcards.selectors.content`'s job.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from flashcards.models import Classroom, Membership, User
from quizzes.models import Attempt, Quiz


def quizzes_visible_to(user: User) -> QuerySet[Quiz]:
    if not user.is_authenticated:
        return Quiz.objects.none()
    rule = Q(owner=user) | Q(classrooms__owner=user) | Q(classrooms__members=user)
    # The joins can repeat a quiz; filter by id so callers get a clean, countable queryset.
    return Quiz.objects.filter(pk__in=Quiz.objects.filter(rule).values("pk"))


def can_view_quiz(user: User, quiz: Quiz) -> bool:
    return quizzes_visible_to(user).filter(pk=quiz.pk).exists()


def can_manage_quiz(user: User, quiz: Quiz) -> bool:
    return user.is_authenticated and quiz.owner_id == user.pk


def can_take_quiz(user: User, quiz: Quiz) -> bool:
    if not user.is_authenticated:
        return False
    return quiz.classrooms.filter(members=user).exists()


def can_view_results(user: User, quiz: Quiz) -> bool:
    """Analytics, the grading queue and the gradebook: the owner and assigned classes' owners."""
    if not user.is_authenticated:
        return False
    if quiz.owner_id == user.pk:
        return True
    return user.is_instructor and quiz.classrooms.filter(owner=user).exists()


def _taught_by(user: User) -> Exists:
    """An attempt whose student belongs to a class `user` owns that the quiz is assigned to."""
    classes = Classroom.objects.filter(owner=user, quizzes=OuterRef("quiz_id")).filter(
        Exists(
            Membership.objects.filter(
                classroom=OuterRef("pk"), user=OuterRef(OuterRef("student_id"))
            )
        )
    )
    return Exists(classes)


def attempts_visible_to(user: User) -> QuerySet[Attempt]:
    if not user.is_authenticated:
        return Attempt.objects.none()
    if not user.is_instructor:
        return Attempt.objects.filter(student=user)
    return Attempt.objects.filter(Q(student=user) | Q(quiz__owner=user) | _taught_by(user))


def attempts_for_results(user: User, quiz: Quiz) -> QuerySet[Attempt]:
    """The attempts at `quiz` an instructor's analytics and gradebook are computed from."""
    if quiz.owner_id == user.pk:
        return Attempt.objects.filter(quiz=quiz)
    return Attempt.objects.filter(quiz=quiz).filter(_taught_by(user))


def can_grade_attempt(user: User, attempt: Attempt) -> bool:
    if not user.is_authenticated or not user.is_instructor or attempt.student_id == user.pk:
        return False
    if attempt.quiz.owner_id == user.pk:
        return True
    return Attempt.objects.filter(pk=attempt.pk).filter(_taught_by(user)).exists()


def students_for_results(user: User, quiz: Quiz) -> QuerySet[User]:
    """Students of the assigned classes that `user` may grade, for the gradebook's rows."""
    classes = quiz.classrooms.all()
    if quiz.owner_id != user.pk:
        classes = classes.filter(owner=user)
    return User.objects.filter(
        pk__in=Membership.objects.filter(classroom__in=classes).values("user_id")
    ).exclude(role=User.Role.INSTRUCTOR)
