"""Demo runs (the cache of computed results) and demo attachments (demos on answers)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quizsite.queues import DEFAULT_QUEUE


class DemoRun(models.Model):
    """One computation of a demo: keyed by (demo, canonical parameters, demo version).

    The same request finds the same row and computes nothing again; a new demo version gets
    new rows, so an attachment never shows a result its current code would not produce.
    `figure_svgs` is kept apart from `figures` (names, text alternatives, tables) so that
    polling and listing never load the images.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    demo = models.CharField(max_length=64)
    demo_version = models.PositiveIntegerField()
    params = models.JSONField()
    params_key = models.CharField(max_length=64, help_text="SHA-256 of the canonical params")
    seed = models.BigIntegerField(default=0)

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.FloatField(default=0.0, help_text="0..1")
    progress_label = models.CharField(max_length=200, blank=True)
    result = models.JSONField(null=True, blank=True)
    figures = models.JSONField(default=list, blank=True)
    figure_svgs = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    queue = models.CharField(max_length=16, default=DEFAULT_QUEUE)
    device = models.CharField(max_length=64, blank=True)
    versions = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demo_runs",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["demo", "params_key", "demo_version"], name="unique_demo_run"
            )
        ]
        indexes = [
            models.Index(fields=["requested_by", "status"], name="demorun_user_status"),
            models.Index(fields=["status", "started_at"], name="demorun_status_started"),
        ]

    def __str__(self) -> str:
        return f"{self.demo} v{self.demo_version} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


# The longest caption under an attached demo: the model, the API and the page all check it.
CAPTION_MAX_LENGTH = 300


class DemoAttachment(models.Model):
    """A demo with fixed parameters shown with a question's answer, and the run it shows."""

    question = models.ForeignKey(
        "flashcards.Question", on_delete=models.CASCADE, related_name="demo_attachments"
    )
    demo = models.CharField(max_length=64)
    params = models.JSONField(default=dict, help_text="canonical parameters")
    caption = models.CharField(max_length=CAPTION_MAX_LENGTH, blank=True)
    position = models.PositiveIntegerField(default=0)
    run = models.ForeignKey(
        DemoRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demo_attachments",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question_id", "position", "id"]
        indexes = [models.Index(fields=["question", "position"], name="demoattach_question_pos")]

    def __str__(self) -> str:
        return f"{self.demo} on question {self.question_id}"
