"""A pending upload between the preview and the confirmation of an import.

The raw bytes are kept server-side (not in the browser, not in the cache) so that the
confirmed import is exactly the file the instructor previewed; parsing is deterministic, so
confirming parses the same bytes again instead of trusting anything the client sends back.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportSession(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IMPORTED = "imported", _("Imported")

    # A random id: session URLs must not be guessable, though they are also owner-only.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_sessions"
    )
    filename = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=16)
    data = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    target_set = models.ForeignKey(
        "flashcards.QuestionSet",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    question_set = models.ForeignKey(
        "flashcards.QuestionSet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_sessions",
    )
    created_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.filename or self.format} ({self.status})"
