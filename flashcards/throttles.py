"""Sign-in and sign-up attempts, limited per client address and per account name.

Built on DRF's cache-backed throttles (already what the API uses, so nothing new to run):
the count lives in Django's cache, which is the database cache with the embedded defaults
(shared by every web process) and Redis when REDIS_URL is set.  Why not django-axes: it
would add its own tables, authentication backend and middleware and covers neither
sign-up nor a token endpoint without signal glue; the rule needed here is a sliding window
of attempts, which is what these throttles are.

Every attempt counts, not only failures: 50 wrong passwords then the right one are 51
attempts, and the right one is refused too until the window has passed.  The same
throttles guard the sign-in page, `POST /api/auth/token/` and the sign-up page; the
password-reset form has its own pair (per address, per email typed).
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.utils.translation import ngettext

from quizsite.client_address import AddressRateThrottle


class _WindowThrottle(AddressRateThrottle):
    """A throttle whose limit and window come from settings rather than a rate string."""

    limit_setting = ""
    window_setting = "SIGN_IN_WINDOW_SECONDS"

    def __init__(self):
        self.num_requests = int(getattr(settings, self.limit_setting))
        self.duration = int(getattr(settings, self.window_setting))
        self.rate = f"{self.num_requests}/{self.duration}s"

    def allow_request(self, request, view):
        if request.method != "POST":
            return True  # showing the form is not an attempt
        return super().allow_request(request, view)

    def cache_key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class _PerAddress(_WindowThrottle):
    def get_cache_key(self, request, view):
        return self.cache_key_for(self.get_ident(request))


class _PerAccount(_WindowThrottle):
    """Keyed by the account name (or email) typed, case-folded: `Alice`, `alice` share a count."""

    field = "username"

    def get_cache_key(self, request, view):
        data = getattr(request, "data", None)
        if data is None or not hasattr(data, "get"):
            data = request.POST
        name = str(data.get(self.field) or "").strip().casefold()
        if not name:
            return None
        return self.cache_key_for(name[:254])


class SignInPerAddress(_PerAddress):
    scope = "sign-in-address"
    limit_setting = "SIGN_IN_FAILURES_PER_ADDRESS"


class SignInPerAccount(_PerAccount):
    scope = "sign-in-account"
    limit_setting = "SIGN_IN_FAILURES_PER_ACCOUNT"


class SignUpPerAddress(_PerAddress):
    scope = "sign-up-address"
    limit_setting = "SIGN_UPS_PER_ADDRESS"


class SignUpPerAccount(_PerAccount):
    scope = "sign-up-account"
    limit_setting = "SIGN_IN_FAILURES_PER_ACCOUNT"


class PasswordResetPerAddress(_PerAddress):
    scope = "password-reset-address"
    limit_setting = "PASSWORD_RESETS_PER_ADDRESS"


class PasswordResetPerEmail(_PerAccount):
    """Counted whether or not an account has the address, so the limit tells nothing."""

    scope = "password-reset-email"
    limit_setting = "PASSWORD_RESETS_PER_EMAIL"
    field = "email"

    def cache_key_for(self, ident: str) -> str:
        # Hashed: what was typed may hold spaces or be long, neither fit for a cache key.
        return super().cache_key_for(hashlib.sha256(ident.encode()).hexdigest())


SIGN_IN = (SignInPerAddress, SignInPerAccount)
SIGN_UP = (SignUpPerAddress, SignUpPerAccount)
PASSWORD_RESET = (PasswordResetPerAddress, PasswordResetPerEmail)


def refusal(request, throttles) -> int | None:
    """Seconds to wait if one of `throttles` refuses this attempt, else None (and counted)."""
    for throttle_class in throttles:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            return max(1, math.ceil(throttle.wait() or throttle.duration))
    return None


def lockout_message(wait_seconds: int) -> str:
    minutes = max(1, math.ceil(wait_seconds / 60))
    return ngettext(
        "Too many attempts for this account or from your network. Try again in %(minutes)d minute.",
        "Too many attempts for this account or from your network. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
