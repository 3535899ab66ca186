"""API token and session authentication that read the user with one fixed SQL statement.

Why not DRF's `TokenAuthentication` as it is: every API request of a studying student pays
for authentication before it does anything else, and DRF's version builds and compiles
`Token.objects.select_related("user").get(key=…)` on each of them.  On the study load
benchmark that compiling cost about 0.7 ms of Python per request, more than PostgreSQL took
to answer the query.  The statement below is the same join as fixed text (see
flashcards/selectors/sql/__init__.py for the hot path's other hand-written reads).

Everything else is DRF's: the header parsing and its errors, "Invalid token." for an unknown
key and "User inactive or deleted." for a deactivated account
(tests/flashcards/test_token_authentication.py holds it to DRF's answers).
"""

from __future__ import annotations

from django.contrib.auth import backends as auth_backends
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from flashcards.models import User
from flashcards.selectors import sql

_TOKEN_FIELDS = list(Token._meta.concrete_fields)
_USER_FIELDS = list(User._meta.concrete_fields)
TOKEN_SQL = (
    f"SELECT {', '.join(f't.{f.column}' for f in _TOKEN_FIELDS)}, "
    f"{', '.join(f'u.{f.column}' for f in _USER_FIELDS)} "
    f"FROM {Token._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.key = %s"
)


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


USER_SQL = (
    f"SELECT {', '.join(f.column for f in _USER_FIELDS)} FROM {User._meta.db_table} WHERE id = %s"
)


class ModelBackend(auth_backends.ModelBackend):
    """Django's ModelBackend, with the signed-in user of every page request read by one fixed
    statement (`USER_SQL`) instead of `User.objects.get(pk=…)` composed per request: the same
    reason as the token lookup above, for the study page's session-authenticated requests.
    Signing in, permissions and everything else are Django's
    (tests/flashcards/test_session_user_reads.py holds `get_user` to Django's answers)."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        rows = sql.fetch_all(USER_SQL, [pk])[1]
        if not rows:
            return None
        user = sql.from_row(User, _USER_FIELDS, rows[0])
        return user if self.user_can_authenticate(user) else None
