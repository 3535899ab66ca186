"""Instructor invitations: the only way besides the admin that a student becomes an instructor.

An instructor or an administrator makes a link; its secret is shown once and only its
SHA-256 is stored.  The link works once, before INSTRUCTOR_INVITATION_DAYS have passed: the
first person to accept it (signed in, with an email address) becomes an instructor, and the
row is marked used in the same conditional UPDATE, so two people racing for one link cannot
both win.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from flashcards.models import InstructorInvitation, User
from flashcards.services.email_addresses import change_email


def may_invite(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.is_instructor or user.is_superuser)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_invitation(*, created_by: User, note: str = "") -> tuple[InstructorInvitation, str]:
    """The new invitation and its secret (put it in the link; it is not stored)."""
    if not may_invite(created_by):
        raise PermissionDenied(_("Only instructors and administrators can invite instructors."))
    token = secrets.token_urlsafe(32)
    invitation = InstructorInvitation.objects.create(
        token_hash=_hash(token),
        created_by=created_by,
        note=note.strip()[:200],
        expires_at=timezone.now() + timedelta(days=settings.INSTRUCTOR_INVITATION_DAYS),
    )
    return invitation, token


def find(token: str) -> InstructorInvitation | None:
    """The open invitation `token` names, or None (unknown, used or expired: one answer)."""
    invitation = InstructorInvitation.objects.filter(token_hash=_hash(token)).first()
    if invitation is None or invitation.used_at is not None:
        return None
    if invitation.expires_at <= timezone.now():
        return None
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, user: User, email: str = "") -> User:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Sign in to accept an invitation."))
    if user.is_instructor:
        raise ValidationError(_("You are an instructor already."))
    if email:
        change_email(user=user, email=email)
    if not user.email:
        raise ValidationError({"email": _("Instructors need an email address.")})
    now = timezone.now()
    claimed = InstructorInvitation.objects.filter(
        token_hash=_hash(token), used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, used_by=user)
    if claimed != 1:
        raise ValidationError(_("This invitation is not valid: it was used already or expired."))
    user.role = User.Role.INSTRUCTOR
    user.save(update_fields=["role"])
    return user


def invitations_of(user: User) -> QuerySet[InstructorInvitation]:
    return InstructorInvitation.objects.filter(created_by=user).select_related("used_by")
