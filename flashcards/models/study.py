"""Study model: the cards a question yields, each student's memory of them, and every review.

- `Card`: one studyable unit of a question — the question itself, the reverse of a flashcard
  that has one, or one cloze deletion `{{cN::…}}` each.  Cards belong to content, not to
  students; they are derived from the questions by `flashcards.services.study.sync_cards`.
- `CardState`: one student's scheduling state for one card (FSRS stability, difficulty, due
  date …) plus the student's own marks (buried, suspended, flagged, leech).  No row means new.
- `ReviewLog`: append-only history.  Each row keeps the raw 1–5 rating, and exact copies of the
  card state before and after, which is what makes undo exact and the optimiser and benchmark
  possible.  The only change a row ever sees is `undone_at` being set by undo.
- `StudySettings`: one student's scheduler settings and the parameters fitted to them.
- `ParameterFit`: one run of the per-student optimiser, with log loss before and after.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from flashcards.models.content import Question, QuestionSet
from flashcards.scheduling.ratings import MAX_RATING, MIN_RATING


class Card(models.Model):
    class Side(models.TextChoices):
        FRONT = "front", _("Question")
        REVERSE = "reverse", _("Reverse")
        CLOZE = "cloze", _("Cloze deletion")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="cards")
    # Denormalised from the question: every queue query filters by set.
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="cards")
    side = models.CharField(max_length=8, choices=Side.choices, default=Side.FRONT)
    ordinal = models.PositiveSmallIntegerField(default=0)  # cloze number N of {{cN::…}}
    created_at = models.DateTimeField(auto_now_add=True)
    # When the cards were last derived from the question; older than the question's
    # updated_at means the question was edited since and its cards may have to change.
    synced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question_set_id", "question_id", "side", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "side", "ordinal"], name="unique_card_per_question_side"
            )
        ]
        indexes = [models.Index(fields=["question_set", "question"])]

    def __str__(self) -> str:
        suffix = f" c{self.ordinal}" if self.side == self.Side.CLOZE else ""
        return f"{self.question_id}/{self.side}{suffix}"


class CardState(models.Model):
    class State(models.IntegerChoices):
        NEW = 0, _("New")
        LEARNING = 1, _("Learning")
        REVIEW = 2, _("Review")
        RELEARNING = 3, _("Relearning")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_states"
    )
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="states")
    # Denormalised from the card so that due-card queries need no join.
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="+")

    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.NEW)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)  # days until recall falls to 90%
    difficulty = models.FloatField(null=True, blank=True)  # FSRS difficulty, 1..10
    due = models.DateTimeField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)

    buried_until = models.DateTimeField(null=True, blank=True)
    suspended = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False)
    is_leech = models.BooleanField(default=False)
    # First studied from the queue: what the daily new-card limit counts.
    introduced_at = models.DateTimeField(null=True, blank=True)

    # Grows with every change of the schedule; a client that rated an older version of the
    # card gets a conflict instead of overwriting a review it did not see.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "card"], name="unique_card_state")
        ]
        indexes = [
            models.Index(fields=["student", "state", "due"], name="cardstate_queue"),
            models.Index(fields=["student", "question_set"], name="cardstate_student_set"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}:{self.card_id} {self.get_state_display()}"


class ReviewLog(models.Model):
    class Source(models.TextChoices):
        STUDY = "study", _("Study")
        QUIZ = "quiz", _("Quiz")
        CRAM = "cram", _("Cram (schedule untouched)")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_RATING), MaxValueValidator(MAX_RATING)]
    )  # raw 1–5, as the student gave it
    fsrs_rating = models.PositiveSmallIntegerField()  # 1–4, after the mapping then in force
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STUDY)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    client_review_id = models.CharField(max_length=64)
    state_before = models.JSONField()
    state_after = models.JSONField()
    # Copied out of state_before so statistics can filter without reading JSON.
    previous_state = models.PositiveSmallIntegerField(choices=CardState.State.choices)
    scheduled_days = models.FloatField(null=True, blank=True)  # interval it was reviewed on
    elapsed_days = models.FloatField(null=True, blank=True)  # since the previous review
    version_after = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "client_review_id"], name="unique_client_review_id"
            )
        ]
        indexes = [
            models.Index(fields=["student", "reviewed_at"], name="reviewlog_student_time"),
            models.Index(fields=["student", "card", "reviewed_at"], name="reviewlog_card_time"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}:{self.card_id} {self.rating} @ {self.reviewed_at:%Y-%m-%d}"


class StudySettings(models.Model):
    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_settings"
    )
    desired_retention = models.FloatField(
        default=0.90, validators=[MinValueValidator(0.70), MaxValueValidator(0.97)]
    )
    learning_steps = models.JSONField(default=list, blank=True)  # seconds; [] means [60, 600]
    relearning_steps = models.JSONField(default=list, blank=True)  # seconds; [] means [600]
    maximum_interval = models.PositiveIntegerField(
        default=36500, validators=[MinValueValidator(1), MaxValueValidator(36500)]
    )
    new_cards_per_day = models.PositiveIntegerField(
        default=20, validators=[MaxValueValidator(9999)]
    )
    enable_fuzz = models.BooleanField(default=True)
    # Fitted FSRS parameters in force; empty means the package defaults.
    parameters = models.JSONField(default=list, blank=True)
    # Reviews since the last fit: the submit path increments it, the optimiser resets it.
    reviews_since_fit = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "study settings"

    def __str__(self) -> str:
        return f"study settings of {self.student_id}"


class ParameterFit(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Kept previous parameters")
        FAILED = "failed", _("Failed")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parameter_fits"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    n_reviews = models.PositiveIntegerField(default=0)
    n_validation = models.PositiveIntegerField(default=0)
    parameters_before = models.JSONField(default=list)
    trial_parameters = models.JSONField(default=list)  # fitted without the validation slice
    parameters = models.JSONField(default=list)  # adopted (refitted on everything); else empty
    log_loss_before = models.FloatField(null=True, blank=True)
    log_loss_after = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True)
    cards_rescheduled = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one queued or running fit per student: a burst of reviews enqueues once.
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_open_parameter_fit_per_student",
            )
        ]

    def __str__(self) -> str:
        return f"fit {self.pk} of {self.student_id}: {self.status}"
