"""A person's email address: changing it and proving it is theirs with a signed link.

The link carries the account and the address, signed with the site's key
(django.core.signing.TimestampSigner) and valid for EMAIL_VERIFICATION_MAX_AGE seconds.
Nothing is stored until it is opened: then, if the account still has that address, it
becomes `verified_email`.  Until then the address is used for a password reset only (the
person typed it; a reset is how they get back in), never for anything else.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from flashcards.models import User
from flashcards.services import mail

SALT = "flashcards.email-verification"


def verification_token(user: User) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"user": user.pk, "email": user.email})


def send_verification(*, user: User, link_for: Callable[[str], str]) -> None:
    """Email `user` the link `link_for(token)` (the caller knows the site's address)."""
    if not user.email:
        raise ValidationError({"email": _("Enter an email address first.")})
    hours = max(1, settings.EMAIL_VERIFICATION_MAX_AGE // 3600)
    mail.send_to_user(
        user=user,
        to=user.email,
        template="verify_email",
        context={"link": link_for(verification_token(user)), "valid_hours": hours},
    )


@transaction.atomic
def verify(*, token: str) -> User:
    """The account whose address `token` proves, now verified; ValidationError if it is bad,
    expired, or for an address the account no longer has."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        payload = signer.unsign_object(token, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired. Ask for a new one.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        raise ValidationError(_("This link is not valid."))
    user = User.objects.select_for_update().filter(pk=payload["user"], is_active=True).first()
    email = str(payload.get("email") or "")
    if user is None or not email or user.email.casefold() != email.casefold():
        raise ValidationError(_("This link is not valid."))
    user.verified_email = user.email
    user.save(update_fields=["verified_email"])
    return user


@transaction.atomic
def change_email(*, user: User, email: str) -> User:
    """Set a new address (unverified until its link is opened).  An instructor keeps one."""
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationError({"email": error.messages}) from None
    elif user.is_instructor:
        raise ValidationError({"email": _("Instructors need an email address.")})
    if email.casefold() != user.email.casefold():
        user.email = email
        user.save(update_fields=["email"])
    return user
