"""Starting an attempt, or resuming the one in progress: drawing its questions, snapshotting
them, and scheduling the close at its deadline."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from flashcards.models import Question, User
from quizsite import dispatch, queues
from quizzes.grading.results import max_mark
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.access import can_take_quiz
from quizzes.services.attempts.finish import close_if_overdue, close_overdue_attempt
from quizzes.services.errors import ActionConflict, ActionNotAllowed
from quizzes.snapshots import take_snapshot


def _question_pool(quiz: Quiz) -> list[Question]:
    base = Question.objects.prefetch_related("choices", "numerical_answers")
    if quiz.selection == Quiz.Selection.FIXED:
        positions = {
            qq.question_id: qq.position for qq in quiz.quiz_questions.all().order_by("position")
        }
        questions = list(base.filter(pk__in=positions))
        return sorted(questions, key=lambda q: (positions[q.pk], q.pk))
    if quiz.selection == Quiz.Selection.WHOLE_SET:
        return list(base.filter(question_set=quiz.question_set_id).order_by("position", "id"))
    # Random: descriptions carry no points, so they are never drawn.
    from flashcards.selectors.content import sets_visible_to

    pool = base.exclude(kind=Question.Kind.DESCRIPTION)
    if quiz.question_set_id is not None:
        pool = pool.filter(question_set=quiz.question_set_id)
    else:
        pool = pool.filter(question_set__in=sets_visible_to(quiz.owner)).filter(
            Q(tags=quiz.tag_id) | Q(question_set__tags=quiz.tag_id)
        )
    return list(pool.distinct().order_by("id"))


def draw_questions(quiz: Quiz, rng: random.Random) -> list[Question]:
    questions = _question_pool(quiz)
    if quiz.selection == Quiz.Selection.RANDOM:
        questions = rng.sample(questions, min(quiz.random_count or 0, len(questions)))
    elif quiz.shuffle_questions:
        rng.shuffle(questions)
    return questions


def _deadline(quiz: Quiz, started_at: datetime) -> datetime | None:
    """The time limit from the start, cut short by the quiz's close date (as Moodle does)."""
    candidates = []
    if quiz.time_limit_seconds:
        candidates.append(started_at + timedelta(seconds=quiz.time_limit_seconds))
    if quiz.closes_at:
        candidates.append(quiz.closes_at)
    return min(candidates) if candidates else None


# --- start and resume -------------------------------------------------------------------------


def _open_attempt(quiz: Quiz, student: User) -> Attempt | None:
    return (
        Attempt.objects.select_for_update()
        .filter(quiz=quiz, student=student, state=Attempt.State.IN_PROGRESS)
        .first()
    )


def start_attempt(
    *, quiz: Quiz, student: User, now: datetime | None = None
) -> tuple[Attempt, bool]:
    """Start a new attempt, or resume the one in progress.  Returns (attempt, created).

    Reloading the quiz page calls this again and gets the same attempt back, with its saved
    answers; two concurrent starts also end with one attempt (the partial unique constraint
    turns the loser's insert into a resume).
    """
    now = now or timezone.now()
    open_ids = Attempt.objects.filter(
        quiz=quiz, student=student, state=Attempt.State.IN_PROGRESS, deadline__lte=now
    ).values_list("pk", flat=True)
    for attempt_id in list(open_ids):
        close_overdue_attempt(attempt_id=attempt_id, now=now)
    try:
        return _start_attempt(quiz=quiz, student=student, now=now)
    except IntegrityError:
        with transaction.atomic():
            attempt = _open_attempt(quiz, student)
        if attempt is None:
            raise
        return attempt, False


@transaction.atomic
def _start_attempt(*, quiz: Quiz, student: User, now: datetime | None) -> tuple[Attempt, bool]:
    now = now or timezone.now()
    attempt = _open_attempt(quiz, student)
    if attempt is not None:
        close_if_overdue(attempt, now=now)
        if not attempt.is_finished:
            return attempt, False
    if not can_take_quiz(student, quiz):
        raise ActionNotAllowed(
            "This quiz is not assigned to any of your classes.", code="not_assigned"
        )
    if quiz.opens_at and now < quiz.opens_at:
        raise ActionConflict("This quiz has not opened yet.", code="not_open")
    if quiz.closes_at and now >= quiz.closes_at:
        raise ActionConflict("This quiz has closed.", code="closed")
    previous = Attempt.objects.filter(quiz=quiz, student=student).aggregate(n=Max("number"))["n"]
    used = previous or 0
    if quiz.attempts_allowed and used >= quiz.attempts_allowed:
        raise ActionConflict(
            f"You have used all {quiz.attempts_allowed} attempts at this quiz.",
            code="no_attempts_left",
        )
    seed = secrets.randbits(62)
    rng = random.Random(seed)
    questions = draw_questions(quiz, rng)
    if not questions:
        raise ActionConflict("This quiz has no questions yet.", code="no_questions")
    attempt = Attempt.objects.create(
        quiz=quiz,
        student=student,
        number=used + 1,
        seed=seed,
        started_at=now,
        deadline=_deadline(quiz, now),
    )
    answers = []
    for slot, question in enumerate(questions, start=1):
        snapshot = take_snapshot(question, rng=rng, shuffle_choices=quiz.shuffle_choices)
        answers.append(
            AttemptAnswer(
                attempt=attempt,
                slot=slot,
                question=question,
                question_version=question.version,
                snapshot=snapshot,
                max_mark=max_mark(snapshot),
            )
        )
    AttemptAnswer.objects.bulk_create(answers)
    attempt.max_score = sum((a.max_mark for a in answers), Decimal(0))
    attempt.save(update_fields=["max_score"])
    if attempt.deadline is not None:
        _schedule_deadline(attempt)
    return attempt, True


def _schedule_deadline(attempt: Attempt) -> None:
    """Close the attempt at its deadline even if nobody looks at it again.

    Reads and submits also close an overdue attempt, so a lost task costs nothing; that is
    why a broker error here is logged (robust) rather than failing the student's start.
    """
    attempt_id, deadline = attempt.pk, attempt.deadline
    transaction.on_commit(  # sent by name: quizzes.tasks imports the services
        lambda: dispatch.send(queues.CLOSE_ATTEMPT_AT_DEADLINE, args=[attempt_id], eta=deadline),
        robust=True,
    )
