"""Quizzes, the attempts students make at them, and each answer given in an attempt.

An attempt is graded from a *snapshot* of every question as it was when the attempt started
(`AttemptAnswer.snapshot`), never from the live `Question` row: an instructor who fixes a typo
or a wrong key after students started must not change what those students saw, nor silently
regrade them.  The live question is still linked (`question`) for statistics and the
spaced-repetition feed, and `question_version` tells whether it has changed since.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from flashcards.models import Classroom, Question, QuestionSet, Tag

QUIZ_TITLE_MAX_LENGTH = 200
MAX_ATTEMPTS_ALLOWED = 1000  # the most a quiz may allow (0 is unlimited)
MAX_TIME_LIMIT_SECONDS = 7 * 24 * 3600  # a week


class Quiz(models.Model):
    class Selection(models.TextChoices):
        WHOLE_SET = "set", _("Every question of a set")
        FIXED = "fixed", _("A fixed list of questions")
        RANDOM = "random", _("N questions drawn at random from a set or a tag")

    class AnswersShown(models.TextChoices):
        AFTER_EACH = "after_each", _("After each question")
        AFTER_SUBMIT = "after_submit", _("After submitting")
        AFTER_CLOSE = "after_close", _("After the close date")

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest attempt")
        AVERAGE = "average", _("Average of attempts")
        FIRST = "first", _("First attempt")
        LAST = "last", _("Last attempt")

    class FreeTextGrading(models.TextChoices):
        INSTRUCTOR = "instructor", _("By the instructor")
        SELF_ASSESSED = "self_assessed", _("By the student's own rating, capped")

    title = models.CharField(max_length=QUIZ_TITLE_MAX_LENGTH)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_quizzes"
    )

    selection = models.CharField(
        max_length=16, choices=Selection.choices, default=Selection.WHOLE_SET
    )
    question_set = models.ForeignKey(
        QuestionSet, null=True, blank=True, on_delete=models.PROTECT, related_name="quizzes"
    )
    tag = models.ForeignKey(
        Tag, null=True, blank=True, on_delete=models.PROTECT, related_name="quizzes"
    )
    random_count = models.PositiveIntegerField(null=True, blank=True)
    questions = models.ManyToManyField(
        Question, through="QuizQuestion", blank=True, related_name="quizzes"
    )

    shuffle_questions = models.BooleanField(default=False)
    shuffle_choices = models.BooleanField(default=False)
    attempts_allowed = models.PositiveIntegerField(
        default=0, help_text=_("0 means unlimited attempts.")
    )
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    answers_shown = models.CharField(
        max_length=16, choices=AnswersShown.choices, default=AnswersShown.AFTER_SUBMIT
    )
    grading_method = models.CharField(
        max_length=16, choices=GradingMethod.choices, default=GradingMethod.HIGHEST
    )
    pass_mark = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Percentage needed to pass."),
    )
    # Who grades free-text (and flashcard) answers.  Marks must mean something, so a student's
    # own rating counts only where the instructor chose that, at most `self_assessment_cap`
    # percent of the points, and the gradebook says so.
    free_text_grading = models.CharField(
        max_length=16, choices=FreeTextGrading.choices, default=FreeTextGrading.INSTRUCTOR
    )
    self_assessment_cap = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("The most a self-rating can earn, as a percentage of the question's points."),
    )
    # A practice quiz is not for marks: with instructor grading, students may still rate their
    # own free-text answers, which feeds their study schedule but never the score.
    is_practice = models.BooleanField(default=False)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    classrooms = models.ManyToManyField(Classroom, blank=True, related_name="quizzes")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title


class QuizQuestion(models.Model):
    """A question of a fixed-list quiz, in the order the instructor chose."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quiz_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="unique_quiz_question")
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.position}"


class Attempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        FINISHED = "finished", _("Finished")

    class FinishedBy(models.TextChoices):
        STUDENT = "student", _("Submitted by the student")
        DEADLINE = "deadline", _("Closed at the deadline")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    finished_by = models.CharField(max_length=16, choices=FinishedBy.choices, blank=True)
    # Shuffles and random draws come from this seed, so an attempt can be rebuilt and audited.
    seed = models.BigIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    max_score = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    # Free-text answers without an instructor's grade: the score is provisional until then.
    needs_grading = models.BooleanField(default=False)
    # Some of the score comes from the student's own rating (no instructor's grade replaces it).
    self_assessed = models.BooleanField(default=False)

    class Meta:
        ordering = ["quiz_id", "student_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "student", "number"], name="unique_attempt_number"
            ),
            # Two concurrent "start" requests must resume one attempt, not open two.
            models.UniqueConstraint(
                fields=["quiz", "student"],
                condition=Q(state="in_progress"),
                name="one_open_attempt_per_student",
            ),
        ]
        indexes = [models.Index(fields=["quiz", "state"])]

    def __str__(self) -> str:
        return f"{self.student} — {self.quiz} #{self.number}"

    @property
    def is_finished(self) -> bool:
        return self.state == self.State.FINISHED

    @property
    def percentage(self) -> Decimal | None:
        if not self.max_score:
            return None
        return (self.score * 100 / self.max_score).quantize(Decimal("0.01"))

    @property
    def passed(self) -> bool | None:
        pass_mark = self.quiz.pass_mark
        if pass_mark is None or not self.is_finished or self.percentage is None:
            return None
        return self.percentage >= pass_mark


class AttemptAnswer(models.Model):
    """One slot of an attempt: the question as given, the student's response and its grade."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    slot = models.PositiveIntegerField()
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question_version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    # "after each question" mode: the student checked this answer; it is locked from then on.
    checked_at = models.DateTimeField(null=True, blank=True)

    # Automatic grade (or the self-rating's mark for free text), set when graded.
    mark = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    max_mark = models.DecimalField(max_digits=9, decimal_places=4, default=0)
    self_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # An instructor's grade replaces the automatic/self-assessed mark.
    override_mark = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    rubric_scores = models.JSONField(default=list, blank=True)
    grader_comment = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    # Set once this answer has been passed to spaced repetition, so it is never fed twice.
    fed_to_study_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt_id", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "slot"], name="unique_attempt_slot")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} slot {self.slot}"

    @property
    def kind(self) -> str:
        return self.snapshot["kind"]

    @property
    def final_mark(self) -> Decimal | None:
        return self.override_mark if self.override_mark is not None else self.mark
