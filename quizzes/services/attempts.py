"""An attempt's life: start (or resume), autosave answers, check one, submit, close at the
deadline, self-rate free text, and an instructor's grade.

Every write locks the attempt row first (`select_for_update`; on SQLite the IMMEDIATE
transactions serialise writers), and re-reads its state under that lock, so two submits of
the same attempt — sequential or concurrent — finish it once, and an answer saved a moment
after the deadline is refused rather than slipping in.
"""

from __future__ import annotations

import functools
import logging
import random
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from flashcards.models import Question, User
from flashcards.scheduling.ratings import MAX_RATING, MIN_RATING
from flashcards.services.study import record_quiz_answer
from quizsite import dispatch, queues
from quizzes.grading.graders import study_rating
from quizzes.grading.responses import ResponseError, validate_response
from quizzes.grading.results import MARK_QUANTUM, SELF_RATED_KINDS, Grade, mark_for, max_mark
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.access import can_take_quiz
from quizzes.selectors.grading_policy import counts_self_assessment, grade_of, self_rating_policy
from quizzes.selectors.review import answers_visible
from quizzes.services.errors import ActionConflict, ActionNotAllowed, QuizActionError
from quizzes.snapshots import take_snapshot

logger = logging.getLogger(__name__)

GRADE_FIELDS = ["mark", "max_mark"]


# --- drawing the questions --------------------------------------------------------------------


def _question_pool(quiz: Quiz):
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


# --- grading and finishing ---------------------------------------------------------------------


def grade_answer(answer: AttemptAnswer, quiz: Quiz) -> Grade:
    """The answer's grade under the quiz's rule for self-ratings (`grading_policy`)."""
    return grade_of(answer, quiz)


def regrade_answer(answer: AttemptAnswer, quiz: Quiz) -> Grade:
    result = grade_answer(answer, quiz)
    answer.mark = mark_for(answer.snapshot, result)
    answer.max_mark = max_mark(answer.snapshot)
    return result


def _awaits_instructor(answer: AttemptAnswer, quiz: Quiz) -> bool:
    return (
        answer.kind in SELF_RATED_KINDS
        and answer.response is not None
        and answer.override_mark is None
        and not self_rating_policy(quiz).scores
    )


def total_attempt(attempt: Attempt, answers: list[AttemptAnswer]) -> None:
    """Score, maximum and the two flags the gradebook shows, from the answers' marks."""
    quiz = attempt.quiz
    attempt.score = sum((a.final_mark or Decimal(0) for a in answers), Decimal(0))
    attempt.max_score = sum((a.max_mark for a in answers), Decimal(0))
    attempt.needs_grading = any(_awaits_instructor(a, quiz) for a in answers)
    attempt.self_assessed = any(counts_self_assessment(a, quiz) for a in answers)


TOTAL_FIELDS = ["score", "max_score", "needs_grading", "self_assessed"]


def _finish(attempt: Attempt, *, finished_by: str, at: datetime) -> None:
    answers = list(attempt.answers.all())
    for answer in answers:
        regrade_answer(answer, attempt.quiz)
    total_attempt(attempt, answers)
    attempt.state = Attempt.State.FINISHED
    attempt.finished_by = finished_by
    attempt.finished_at = at
    attempt.save(update_fields=["state", "finished_by", "finished_at", *TOTAL_FIELDS])
    fed = _feed_spaced_repetition(attempt, answers)
    AttemptAnswer.objects.bulk_update(
        answers, [*GRADE_FIELDS, *(["fed_to_study_at"] if fed else [])]
    )


def close_if_overdue(attempt: Attempt, *, now: datetime | None = None) -> bool:
    """Finish an attempt whose deadline has passed, with the answers saved before it.

    The caller holds the attempt's row lock.  Returns whether it closed the attempt now.
    """
    now = now or timezone.now()
    if attempt.is_finished or attempt.deadline is None or now < attempt.deadline:
        return False
    _finish(attempt, finished_by=Attempt.FinishedBy.DEADLINE, at=attempt.deadline)
    return True


def _locked(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)


def _writable(attempt: Attempt, student: User, now: datetime) -> Attempt:
    """Lock the attempt and refuse writes to a finished or overdue one."""
    if attempt.student_id != student.pk:
        raise ActionNotAllowed(
            "Only the student taking this attempt can change it.", code="not_yours"
        )
    attempt = _locked(attempt)
    overdue = attempt.deadline is not None and now >= attempt.deadline
    if overdue or attempt.finished_by == Attempt.FinishedBy.DEADLINE:
        raise ActionConflict(
            "Time is up: the attempt was closed at its deadline with the answers saved before it.",
            code="deadline_passed",
        )
    if attempt.is_finished:
        raise ActionConflict("This attempt has already been submitted.", code="finished")
    return attempt


def _closing_overdue_first(service):
    """Run `service` atomically, after closing the attempt in its own transaction if overdue.

    The close must survive the refusal that follows it: were it inside the service's
    transaction, raising "time is up" would roll the closing back too.
    """
    atomic_service = transaction.atomic(service)

    @functools.wraps(service)
    def wrapper(*, attempt: Attempt, now: datetime | None = None, **kwargs):
        now = now or timezone.now()
        if attempt.deadline is not None and now >= attempt.deadline:
            close_overdue_attempt(attempt_id=attempt.pk, now=now)
        return atomic_service(attempt=attempt, now=now, **kwargs)

    return wrapper


@transaction.atomic
def close_overdue_attempt(*, attempt_id: int, now: datetime | None = None) -> bool:
    """The deadline task's body: idempotent, a no-op for finished or not-yet-due attempts."""
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        return False
    return close_if_overdue(attempt, now=now)


def refresh_attempt(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Bring an attempt up to date before showing it: an overdue one is closed first.

    Costs no query for an attempt that is finished, untimed or still within its time.
    """
    now = now or timezone.now()
    if attempt.is_finished or attempt.deadline is None or now < attempt.deadline:
        return attempt
    close_overdue_attempt(attempt_id=attempt.pk, now=now)
    return Attempt.objects.select_related("quiz", "student").get(pk=attempt.pk)


# --- answering --------------------------------------------------------------------------------


def _answer(attempt: Attempt, slot: int) -> AttemptAnswer:
    answer = AttemptAnswer.objects.select_for_update().filter(attempt=attempt, slot=slot).first()
    if answer is None:
        raise QuizActionError(f"This attempt has no question {slot}.", code="no_such_slot")
    return answer


@_closing_overdue_first
def save_answer(
    *, attempt: Attempt, student: User, slot: int, response, now: datetime | None = None
) -> AttemptAnswer:
    """Autosave one answer.  A response that does not fit raises `ResponseError` and
    leaves the previously saved one untouched."""
    now = now or timezone.now()
    attempt = _writable(attempt, student, now)
    answer = _answer(attempt, slot)
    if answer.checked_at is not None:
        raise ActionConflict("This answer was checked and can no longer change.", code="checked")
    answer.response = validate_response(answer.snapshot, response)
    answer.saved_at = now
    answer.save(update_fields=["response", "saved_at"])
    attempt.last_saved_at = now
    attempt.save(update_fields=["last_saved_at"])
    return answer


def _save_answers(*, attempt: Attempt, responses: dict[int, object], now: datetime) -> None:
    """Save several answers at once, all or none: field errors are keyed by slot.  Runs in
    the caller's transaction, with the attempt already locked and checked."""
    answers = {a.slot: a for a in attempt.answers.select_for_update().filter(slot__in=responses)}
    errors: dict[str, object] = {}
    for slot, response in responses.items():
        answer = answers.get(slot)
        if answer is None:
            errors[str(slot)] = {"slot": [f"This attempt has no question {slot}."]}
            continue
        if answer.checked_at is not None:
            continue
        try:
            answer.response = validate_response(answer.snapshot, response)
        except ResponseError as error:
            errors[str(slot)] = error.errors
        answer.saved_at = now
    if errors:
        raise ResponseError(errors)
    AttemptAnswer.objects.bulk_update(
        [a for a in answers.values() if a.checked_at is None], ["response", "saved_at"]
    )
    attempt.last_saved_at = now
    attempt.save(update_fields=["last_saved_at"])


@_closing_overdue_first
def check_answer(
    *, attempt: Attempt, student: User, slot: int, now: datetime | None = None
) -> AttemptAnswer:
    """ "After each question" mode: grade one answer now, show its feedback, lock it."""
    now = now or timezone.now()
    attempt = _writable(attempt, student, now)
    if attempt.quiz.answers_shown != Quiz.AnswersShown.AFTER_EACH:
        raise ActionConflict("This quiz shows answers only at the end.", code="no_checking")
    answer = _answer(attempt, slot)
    if answer.checked_at is None:
        regrade_answer(answer, attempt.quiz)
        answer.checked_at = now
        answer.save(update_fields=[*GRADE_FIELDS, "checked_at"])
    return answer


@_closing_overdue_first
def submit_attempt(
    *,
    attempt: Attempt,
    student: User,
    responses: dict[int, object] | None = None,
    now: datetime | None = None,
) -> tuple[Attempt, bool]:
    """Finish an attempt and grade it.  Returns (attempt, submitted_now).

    Submitting again returns the finished attempt unchanged: a double click, a retry after a
    dropped connection and two concurrent requests all count once.  After the deadline the
    submission is refused (ActionConflict) and the attempt is graded on what was saved in time.
    """
    now = now or timezone.now()
    if attempt.student_id != student.pk:
        raise ActionNotAllowed(
            "Only the student taking this attempt can submit it.", code="not_yours"
        )
    locked = _locked(attempt)
    if locked.is_finished and locked.finished_by == Attempt.FinishedBy.STUDENT:
        return locked, False
    locked = _writable(locked, student, now)
    if responses:
        _save_answers(attempt=locked, responses=responses, now=now)
    _finish(locked, finished_by=Attempt.FinishedBy.STUDENT, at=now)
    return locked, True


# --- self-rating and instructor grading ---------------------------------------------------------


@_closing_overdue_first
def rate_own_answer(
    *, attempt: Attempt, student: User, slot: int, rating: int, now: datetime | None = None
) -> AttemptAnswer:
    """The student rates a free-text (or flashcard) answer 1–5 against the reference answer.

    Allowed once the reference is visible to them: after checking it ("after each question"
    mode; changeable until submitting) or in the review of a finished attempt (final then, and
    fed to spaced repetition at once).  Only where the quiz lets it (`self_rating_policy`): in
    a quiz the instructor grades, a rating is refused unless the quiz is for practice, and
    then it feeds study but never the score.
    """
    now = now or timezone.now()
    if attempt.student_id != student.pk:
        raise ActionNotAllowed(
            "Only the student who answered can rate the answer.", code="not_yours"
        )
    if (
        isinstance(rating, bool)
        or not isinstance(rating, int)
        or not MIN_RATING <= rating <= MAX_RATING
    ):
        raise ResponseError(
            {"rating": [f"A rating is a whole number from {MIN_RATING} to {MAX_RATING}."]}
        )
    attempt = _locked(attempt)
    answer = _answer(attempt, slot)
    if answer.kind not in SELF_RATED_KINDS:
        raise QuizActionError(
            "Only free-text answers are rated by the student.", code="not_self_rated"
        )
    policy = self_rating_policy(attempt.quiz)
    if not policy.allowed:
        raise ActionConflict(
            "Your instructor grades the written answers of this quiz; they are not self-rated.",
            code="self_rating_not_allowed",
        )
    if not answers_visible(attempt, answer, now=now):
        raise ActionConflict(
            "The reference answer is not shown yet, so there is nothing to rate against.",
            code="reference_hidden",
        )
    if attempt.is_finished and answer.self_rating is not None:
        raise ActionConflict("You have already rated this answer.", code="already_rated")
    answer.self_rating = rating
    regrade_answer(answer, attempt.quiz)
    update = ["self_rating", *GRADE_FIELDS]
    if attempt.is_finished:
        answers = [*attempt.answers.exclude(pk=answer.pk), answer]
        total_attempt(attempt, answers)
        attempt.save(update_fields=TOTAL_FIELDS)
        if _feed_spaced_repetition(attempt, [answer]):
            update.append("fed_to_study_at")
    answer.save(update_fields=update)
    return answer


def rubric_points(rubric: list[dict], scores: list, max_mark: Decimal) -> Decimal:
    """Rubric scores, scaled so that full marks on every criterion give the question's points."""
    errors = []
    if not isinstance(scores, list) or len(scores) != len(rubric):
        raise ResponseError(
            {"rubric_scores": [f"Give one score per rubric criterion ({len(rubric)})."]}
        )
    total = available = Decimal(0)
    for index, (criterion, score) in enumerate(zip(rubric, scores, strict=True), start=1):
        limit = Decimal(str(criterion.get("points", 0)))
        try:
            value = Decimal(str(score))
        except ArithmeticError:
            errors.append(f"Criterion {index}: {score!r} is not a number.")
            continue
        if isinstance(score, bool) or not Decimal(0) <= value <= limit:
            errors.append(f"Criterion {index}: a score from 0 to {limit}.")
            continue
        total += value
        available += limit
    if errors:
        raise ResponseError({"rubric_scores": errors})
    if not available:
        return Decimal(0)
    return (total / available * max_mark).quantize(MARK_QUANTUM)


@transaction.atomic
def grade_by_instructor(
    *,
    answer: AttemptAnswer,
    grader: User,
    points: Decimal | None = None,
    rubric_scores: list | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> AttemptAnswer:
    """An instructor's mark replaces the automatic or self-assessed one; the comment is shown
    to the student in the review.  Permission is the caller's job (`can_grade_attempt`)."""
    now = now or timezone.now()
    attempt = _locked(answer.attempt)
    answer = _answer(attempt, answer.slot)
    if not attempt.is_finished:
        raise ActionConflict("Grade an attempt once it is finished.", code="not_finished")
    if (points is None) == (rubric_scores is None):
        raise ResponseError({"points": ["Give either points or rubric scores."]})
    if rubric_scores is not None:
        rubric = answer.snapshot.get("rubric") or []
        if not rubric:
            raise ResponseError({"rubric_scores": ["This question has no rubric."]})
        mark = rubric_points(rubric, rubric_scores, answer.max_mark)
    else:
        try:
            mark = Decimal(str(points))
        except ArithmeticError:
            raise ResponseError({"points": ["Must be a number."]}) from None
        if not mark.is_finite() or not Decimal(0) <= mark <= answer.max_mark:
            raise ResponseError({"points": [f"Must be between 0 and {answer.max_mark}."]})
        mark = mark.quantize(MARK_QUANTUM)
    answer.override_mark = mark
    # Stored as text: JSON has no decimals, and floats would turn 0.1 into 0.1000000000000000055.
    answer.rubric_scores = [str(Decimal(str(score))) for score in rubric_scores or []]
    answer.grader_comment = comment
    answer.graded_by = grader
    answer.graded_at = now
    answer.save(
        update_fields=["override_mark", "rubric_scores", "grader_comment", "graded_by", "graded_at"]
    )
    answers = [*attempt.answers.exclude(pk=answer.pk), answer]
    total_attempt(attempt, answers)
    attempt.save(update_fields=TOTAL_FIELDS)
    return answer


# --- spaced repetition --------------------------------------------------------------------------


def _feed_spaced_repetition(attempt: Attempt, answers: Iterable[AttemptAnswer]) -> bool:
    """The one place quiz answers reach spaced repetition: a wrong answer is a lapse (1), a
    right one a 4, a free-text answer its self-rating.  Each answer is fed once."""
    pending = []
    for answer in answers:
        if answer.fed_to_study_at is not None or answer.question_id is None:
            continue
        rating = study_rating(
            answer.snapshot, grade_answer(answer, attempt.quiz), self_rating=answer.self_rating
        )
        if rating is not None:
            pending.append((answer, rating))
    if not pending:
        return False
    questions = Question.objects.in_bulk([answer.question_id for answer, _ in pending])
    stamp = timezone.now()
    for answer, rating in pending:
        question = questions.get(answer.question_id)
        if question is None:
            continue
        record_quiz_answer(
            student=attempt.student,
            question=question,
            rating=rating,
            answered_at=answer.checked_at or answer.saved_at or attempt.finished_at,
        )
        answer.fed_to_study_at = stamp
    return True
