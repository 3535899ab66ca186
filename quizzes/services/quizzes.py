"""Creating and changing quizzes.

Settings are checked together here (not only in a serializer) so the admin, the API and any
script get the same rules and the same field errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from flashcards.models import Classroom, Question, QuestionSet, Tag, User
from flashcards.selectors.content import sets_visible_to
from quizzes.models import Quiz, QuizQuestion
from quizzes.services.errors import ActionConflict

SETTING_FIELDS = (
    "title",
    "description",
    "selection",
    "question_set",
    "tag",
    "random_count",
    "shuffle_questions",
    "shuffle_choices",
    "attempts_allowed",
    "time_limit_seconds",
    "answers_shown",
    "grading_method",
    "free_text_grading",
    "self_assessment_cap",
    "is_practice",
    "pass_mark",
    "opens_at",
    "closes_at",
)


def _check_settings(
    quiz: Quiz, *, owner: User, questions: Sequence[Question] | None, classrooms
) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not quiz.title or not quiz.title.strip():
        add("title", "A quiz needs a title.")
    visible_sets = sets_visible_to(owner)
    if (
        quiz.question_set_id is not None
        and not visible_sets.filter(pk=quiz.question_set_id).exists()
    ):
        add("question_set", "You cannot use this question set.")
    if quiz.selection == Quiz.Selection.WHOLE_SET:
        if quiz.question_set_id is None:
            add("question_set", "Choose the question set whose questions make the quiz.")
    elif quiz.selection == Quiz.Selection.FIXED:
        if questions is not None and not questions:
            add("question_ids", "Choose at least one question.")
        if questions:
            allowed = set(
                Question.objects.filter(
                    pk__in=[q.pk for q in questions], question_set__in=visible_sets
                ).values_list("pk", flat=True)
            )
            hidden = [str(q.pk) for q in questions if q.pk not in allowed]
            if hidden:
                add("question_ids", f"You cannot use these questions: {', '.join(hidden)}.")
    elif quiz.selection == Quiz.Selection.RANDOM:
        if (quiz.question_set_id is None) == (quiz.tag_id is None):
            add("question_set", "Draw from either a question set or a tag (exactly one).")
        if not quiz.random_count:
            add("random_count", "Say how many questions to draw (at least 1).")
    if quiz.selection != Quiz.Selection.RANDOM and quiz.tag_id is not None:
        add("tag", "A tag is only used to draw questions at random.")
    if quiz.time_limit_seconds is not None and quiz.time_limit_seconds < 10:
        add("time_limit_seconds", "A time limit must be at least 10 seconds (or none).")
    if quiz.pass_mark is not None and not Decimal(0) <= quiz.pass_mark <= Decimal(100):
        add("pass_mark", "The pass mark is a percentage between 0 and 100.")
    if quiz.free_text_grading not in Quiz.FreeTextGrading.values:
        add("free_text_grading", "Choose who grades written answers.")
    cap = quiz.self_assessment_cap
    if cap is None or not Decimal(0) <= Decimal(cap) <= Decimal(100):
        add("self_assessment_cap", "The cap is a percentage between 0 and 100.")
    if quiz.opens_at and quiz.closes_at and quiz.closes_at <= quiz.opens_at:
        add("closes_at", "The quiz must close after it opens.")
    if quiz.answers_shown == Quiz.AnswersShown.AFTER_CLOSE and quiz.closes_at is None:
        add("closes_at", "Showing answers after the close date needs a close date.")
    if classrooms is not None:
        foreign = [str(c.pk) for c in classrooms if c.owner_id != owner.pk]
        if foreign:
            add("classroom_ids", f"You can only assign your own classes: {', '.join(foreign)}.")
    if errors:
        raise ValidationError(errors)


def _apply(
    quiz: Quiz,
    *,
    questions: Sequence[Question] | None,
    classrooms: Iterable[Classroom] | None,
) -> None:
    if questions is not None:
        quiz.quiz_questions.all().delete()
        QuizQuestion.objects.bulk_create(
            QuizQuestion(quiz=quiz, question=question, position=index)
            for index, question in enumerate(questions)
        )
    if classrooms is not None:
        quiz.classrooms.set(classrooms)


@transaction.atomic
def create_quiz(
    *,
    owner: User,
    title: str,
    selection: str = Quiz.Selection.WHOLE_SET,
    question_set: QuestionSet | None = None,
    tag: Tag | None = None,
    random_count: int | None = None,
    questions: Sequence[Question] = (),
    classrooms: Iterable[Classroom] = (),
    description: str = "",
    shuffle_questions: bool = False,
    shuffle_choices: bool = False,
    attempts_allowed: int = 0,
    time_limit_seconds: int | None = None,
    answers_shown: str = Quiz.AnswersShown.AFTER_SUBMIT,
    grading_method: str = Quiz.GradingMethod.HIGHEST,
    free_text_grading: str = Quiz.FreeTextGrading.INSTRUCTOR,
    self_assessment_cap: Decimal = Decimal(50),
    is_practice: bool = False,
    pass_mark: Decimal | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Quiz:
    quiz = Quiz(
        owner=owner,
        title=title,
        description=description,
        selection=selection,
        question_set=question_set,
        tag=tag,
        random_count=random_count,
        shuffle_questions=shuffle_questions,
        shuffle_choices=shuffle_choices,
        attempts_allowed=attempts_allowed,
        time_limit_seconds=time_limit_seconds,
        answers_shown=answers_shown,
        grading_method=grading_method,
        free_text_grading=free_text_grading,
        self_assessment_cap=self_assessment_cap,
        is_practice=is_practice,
        pass_mark=pass_mark,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    questions = list(questions)
    classrooms = list(classrooms)
    _check_settings(
        quiz,
        owner=owner,
        questions=questions if selection == Quiz.Selection.FIXED else None,
        classrooms=classrooms,
    )
    quiz.save()
    _apply(
        quiz,
        questions=questions if selection == Quiz.Selection.FIXED else [],
        classrooms=classrooms,
    )
    return quiz


@transaction.atomic
def update_quiz(
    *,
    quiz: Quiz,
    questions: Sequence[Question] | None = None,
    classrooms: Iterable[Classroom] | None = None,
    **changes,
) -> Quiz:
    """Change settings; attempts already made keep the questions they were given."""
    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"not quiz settings: {sorted(unknown)}")
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    for field, value in changes.items():
        setattr(quiz, field, value)
    questions = list(questions) if questions is not None else None
    classrooms = list(classrooms) if classrooms is not None else None
    existing = None
    if quiz.selection == Quiz.Selection.FIXED and questions is None:
        existing = list(Question.objects.filter(quizzes=quiz))
    _check_settings(
        quiz,
        owner=quiz.owner,
        questions=(questions if questions is not None else existing)
        if quiz.selection == Quiz.Selection.FIXED
        else None,
        classrooms=classrooms,
    )
    quiz.save()
    _apply(quiz, questions=questions, classrooms=classrooms)
    return quiz


@transaction.atomic
def delete_quiz(*, quiz: Quiz) -> None:
    """Refused once students have attempted it: their attempts and grades would go with it."""
    if quiz.attempts.exists():
        raise ActionConflict(
            "Students have attempted this quiz; close it instead of deleting it.",
            code="quiz_has_attempts",
        )
    quiz.delete()
