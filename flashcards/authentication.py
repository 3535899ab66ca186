"""API token authentication that reads the token and its user with one fixed SQL statement.

Why not DRF's `TokenAuthentication` as it is: every API request of a studying student pays
for authentication before it does anything else, and DRF's version builds and compiles
`Token.objects.select_related("user").get(key=…)` on each of them.  On the study load
benchmark that compiling cost about 0.7 ms of Python per request, more than PostgreSQL took
to answer the query.  `TOKEN_SQL` (flashcards/selectors/sql/accounts.py) is the same join as
fixed text (see flashcards/selectors/sql/__init__.py for the hot path's other written-out
reads).

Everything else is DRF's: the header parsing and its errors, "Invalid token." for an unknown
key and "User inactive or deleted." for a deactivated account
(tests/flashcards/test_token_authentication.py holds it to DRF's answers).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from flashcards.models import User
from flashcards.selectors import sql
from flashcards.selectors.sql.accounts import TOKEN_FIELDS, TOKEN_SQL, USER_FIELDS

_TOKEN_FIELDS, _USER_FIELDS = TOKEN_FIELDS, USER_FIELDS


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF defines it, with the lookup in one fixed query."""

    def authenticate_credentials(self, key):
        rows = sql.fetch_all(TOKEN_SQL, [key])[1]
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        values = rows[0]
        token = sql.from_row(Token, _TOKEN_FIELDS, values[: len(_TOKEN_FIELDS)])
        user = sql.from_row(User, _USER_FIELDS, values[len(_TOKEN_FIELDS) :])
        token.user = user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
