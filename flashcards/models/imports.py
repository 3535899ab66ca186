"""A pending upload between the preview and the confirmation of an import; and the images
that came with imported questions.

The raw bytes are kept server-side (not in the browser, not in the cache) so that the
confirmed import is exactly the file the instructor previewed.  The parsed result is stored
once, when the upload is previewed (`parsed`, compressed; `summary`, what every preview
shows), so reading the preview again or confirming does not parse a large file again; the
stored result is the server's own, never anything the client sends back.
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
    # zlib-compressed JSON of the ParsedSet (see flashcards.formats.stored) and the summary
    # the preview shows; empty for sessions stored before they existed (parsed again then).
    parsed = models.BinaryField(blank=True, default=b"")
    summary = models.JSONField(blank=True, default=dict)
    created_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.filename or self.format} ({self.status})"


def question_media_path(instance: QuestionMedia, filename: str) -> str:
    return f"question-media/{instance.digest[:2]}/{instance.digest}/{instance.name}"


class QuestionMedia(models.Model):
    """An image stored with an imported question (from an Anki package), served from MEDIA.

    Files are named by the SHA-256 of their bytes, so the question's text can point at the
    file before the question row exists, and one image shared by many notes is stored once.
    The type was read from the bytes (Pillow), never from the upload's name.
    """

    question = models.ForeignKey(
        "flashcards.Question", on_delete=models.CASCADE, related_name="media"
    )
    digest = models.CharField(max_length=64)
    name = models.CharField(max_length=120)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=question_media_path, max_length=255)

    class Meta:
        indexes = [models.Index(fields=["digest", "name"])]
        constraints = [
            models.UniqueConstraint(fields=["question", "digest"], name="one_media_row_per_image")
        ]

    def __str__(self) -> str:
        return self.name
