"""Content model: users and their roles, question sets, questions of every kind, classes.

Rich-text fields come in pairs (`prompt` + `prompt_html`): the Markdown source the author
wrote and the sanitised HTML rendered from it when the row is saved, so pages never render
Markdown on a read path.  Study state, quizzes and demo runs live in their own modules and
point at these rows.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud


class RichTextMixin(models.Model):
    """Renders each `rendered_fields` source into its sanitised HTML twin on every save.

    Doing it in `save()` means the admin, the API, importers and the sample content all get
    the same, safe HTML; code that uses `bulk_create` calls `render_rich_text_fields()` first.
    """

    rendered_fields: dict[str, str] = {}
    # Sources rendered by the rule for options and accepted answers (flashcards.richtext).
    choice_like_fields: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.render_rich_text_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.rendered_fields.values()}
        super().save(*args, **kwargs)

    def render_rich_text_fields(self) -> None:
        from flashcards.richtext import render_rich_text

        for source, target in self.rendered_fields.items():
            value = getattr(self, source) or ""
            choice_like = source in self.choice_like_fields
            setattr(self, target, render_rich_text(value, choice_like=choice_like))


class User(AbstractUser):
    """A person using the site.  The role decides what they may author, not what they may read."""

    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        INSTRUCTOR = "instructor", _("Instructor")

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    time_zone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=8, blank=True, default="")
    # The address a signed link proved this person reads; `email` is verified while it is
    # equal to this (changing `email` un-verifies it).  See flashcards.services.email_addresses.
    verified_email = models.EmailField(blank=True, default="")

    @property
    def is_instructor(self) -> bool:
        return self.role == self.Role.INSTRUCTOR

    @property
    def email_verified(self) -> bool:
        return bool(self.email) and self.email.casefold() == self.verified_email.casefold()


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """An ordered collection of question sets (chapters)."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="courses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class QuestionSet(RichTextMixin):
    """A chapter or deck: the unit instructors author, assign to classes and students study."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Private")
        CLASSES = "classes", _("Assigned classes")
        PUBLIC = "public", _("Public")
        # Exam material: its owner and co-editors see it and quizzes draw from it; it is never
        # studied, and students see its questions only inside their own quiz attempts.
        QUIZ_ONLY = "quiz_only", _("Quiz only")

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    language = models.CharField(max_length=16, default="en")
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="question_sets"
    )
    position = models.PositiveIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_sets"
    )
    co_editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="edited_sets"
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="question_sets")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    rendered_fields = {"description": "description_html"}

    class Meta:
        ordering = ["course_id", "position", "id"]
        indexes = [models.Index(fields=["visibility"])]

    def __str__(self) -> str:
        return self.title


class Question(RichTextMixin):
    """One question of a set.  `kind` decides which of the kind-specific fields matter.

    `answer` is the explanation shown after answering; for a flashcard it is the back, for a
    free-text question the reference answer (which an imported essay may lack: see
    `validate_question_data`).  `version` grows on every content edit so a quiz attempt can
    tell that the question changed after it was given.
    """

    # Set by the study queue (`attach_cards`) on the questions it hands out: their choices in
    # order, read for the whole batch in one query.  Not a column.
    prefetched_choices: list[Choice]

    class Kind(models.TextChoices):
        FLASHCARD = "flashcard", _("Flashcard")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True/false")
        NUMERICAL = "numerical", _("Numerical")
        SHORT_ANSWER = "short_answer", _("Short answer")
        MATCHING = "matching", _("Matching")
        FREE_TEXT = "free_text", _("Free text")
        CLOZE = "cloze", _("Cloze")
        DESCRIPTION = "description", _("Description")

    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    prompt = models.TextField()
    prompt_html = models.TextField(blank=True, editable=False)
    answer = models.TextField(blank=True)
    answer_html = models.TextField(blank=True, editable=False)
    general_feedback = models.TextField(blank=True)
    general_feedback_html = models.TextField(blank=True, editable=False)
    points = models.DecimalField(max_digits=7, decimal_places=2, default=1)
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")

    # flashcard: also study the card back-to-front
    has_reverse = models.BooleanField(default=False)
    # multiple choice: checkboxes (several may be right) rather than radio buttons
    allow_multiple = models.BooleanField(default=False)
    # true/false: the key, and the feedback shown to whoever answered true / false (Moodle's
    # per-answer feedback; kept apart from the general feedback everyone sees)
    correct_boolean = models.BooleanField(null=True, blank=True)
    true_feedback = models.TextField(blank=True)
    true_feedback_html = models.TextField(blank=True, editable=False)
    false_feedback = models.TextField(blank=True)
    false_feedback_html = models.TextField(blank=True, editable=False)
    # short answer: how a typed answer is normalised before comparing with accepted answers
    case_sensitive = models.BooleanField(default=False)
    normalize_whitespace = models.BooleanField(default=True)
    ignore_accents = models.BooleanField(default=False)
    # free text: [{"criterion": "...", "points": 1.0}, ...]
    rubric = models.JSONField(default=list, blank=True)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    rendered_fields = {
        "prompt": "prompt_html",
        "answer": "answer_html",
        "general_feedback": "general_feedback_html",
        "true_feedback": "true_feedback_html",
        "false_feedback": "false_feedback_html",
    }

    class Meta:
        ordering = ["question_set_id", "position", "id"]
        indexes = [models.Index(fields=["question_set", "position"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gte=0), name="question_points_gte_0")
        ]

    def __str__(self) -> str:
        return self.title or self.prompt[:60]


class Choice(RichTextMixin):
    """An answer option: a multiple-choice option, an accepted short answer, or a matching pair.

    `weight` is Moodle's percentage (-100..100) for partial credit; when it is null a correct
    choice is worth 100% and an incorrect one 0%.  `match_text` is the right-hand side of a
    matching pair.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    text_html = models.TextField(blank=True, editable=False)
    is_correct = models.BooleanField(default=False)
    weight = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(blank=True)
    feedback_html = models.TextField(blank=True, editable=False)
    match_text = models.TextField(blank=True)

    rendered_fields = {"text": "text_html", "feedback": "feedback_html"}
    choice_like_fields = frozenset({"text"})

    class Meta:
        ordering = ["question_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__isnull=True)
                | models.Q(weight__gte=-100, weight__lte=100),
                name="choice_weight_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class NumericalAnswer(RichTextMixin):
    """An accepted numerical answer: `value` ± `tolerance`, or the range [minimum, maximum]."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="numerical_answers"
    )
    position = models.PositiveIntegerField(default=0)
    value = models.FloatField(null=True, blank=True)
    tolerance = models.FloatField(default=0)
    minimum = models.FloatField(null=True, blank=True)
    maximum = models.FloatField(null=True, blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=100)
    feedback = models.TextField(blank=True)
    feedback_html = models.TextField(blank=True, editable=False)

    rendered_fields = {"feedback": "feedback_html"}

    class Meta:
        ordering = ["question_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tolerance__gte=0), name="numerical_tolerance_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0, weight__lte=100),
                name="numerical_weight_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum__isnull=True)
                | models.Q(maximum__isnull=True)
                | models.Q(minimum__lte=models.F("maximum")),
                name="numerical_range_is_ordered",
            ),
        ]

    def __str__(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum}..{self.maximum}"
        return f"{self.value} ± {self.tolerance}"

    def accepts(self, number: float) -> bool:
        if self.minimum is not None and self.maximum is not None:
            return self.minimum <= number <= self.maximum
        if self.value is None:
            return False
        return abs(number - self.value) <= self.tolerance


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


class Classroom(models.Model):
    """A class run by an instructor; students join it with its join code."""

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_classrooms"
    )
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="classrooms", blank=True
    )
    question_sets = models.ManyToManyField(QuestionSet, blank=True, related_name="classrooms")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["classroom", "user"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.classroom}"
