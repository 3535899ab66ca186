"""Instructor invitations: a single-use, expiring link that makes its opener an instructor."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InstructorInvitation(models.Model):
    # Only the SHA-256 of the link's secret is stored: a database dump grants no role.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_created"
    )
    note = models.CharField(max_length=200, blank=True)  # who it is for, for the creator
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_used",
    )
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation {self.pk} by {self.created_by_id}"
