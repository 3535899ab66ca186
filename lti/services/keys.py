"""The tool's own RSA key pair: what signs deep-linking responses and grade-service token
requests, and what the JWKS endpoint publishes.

Generated on first use (or by `manage.py lti_tool_key`) and stored in PyLTI1p3's
`LtiToolKey` table, so every web process and worker signs with the same key and a restart
keeps it.  Never in the source or the settings.
"""

from __future__ import annotations

import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiToolKey

SITE_KEY_NAME = "quizsite"
KEY_BITS = 2048


def _new_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def site_key() -> LtiToolKey:
    """The site's key pair, made the first time it is needed."""
    key = LtiToolKey.objects.filter(name=SITE_KEY_NAME).first()
    if key is not None:
        return key
    private_pem, public_pem = _new_pair()
    try:
        with transaction.atomic():
            return LtiToolKey.objects.create(
                name=SITE_KEY_NAME, private_key=private_pem, public_key=public_pem
            )
    except IntegrityError:  # another process made it first: use theirs
        return LtiToolKey.objects.get(name=SITE_KEY_NAME)


@transaction.atomic
def rotate_site_key() -> LtiToolKey:
    """A new pair for the site key (the platforms fetch the new public key from the JWKS)."""
    key = site_key()
    key.private_key, key.public_key = _new_pair()
    key.save()
    return key


def public_kid(key: LtiToolKey) -> str:
    return json.loads(key.public_jwk or "{}").get("kid", "")
