"""The per-request reads of authentication, as fixed statements: the API token with its user,
the signed-in user of a session, and the session row itself.

Every request of a studying student pays for one of these before anything else, and Django
and DRF compose the same reads through the ORM on each request (this package's `__init__`
says why the hot path is written out).  Their ORM twins are Django's and DRF's own, which
tests/flashcards/test_token_authentication.py and tests/flashcards/test_session_user_reads.py
hold them to.  Used by flashcards/authentication.py, flashcards/auth_backends.py and
quizsite/sessions.py.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from rest_framework.authtoken.models import Token

from flashcards.models import User
from flashcards.selectors.sql import columns

TOKEN_FIELDS = list(Token._meta.concrete_fields)
USER_FIELDS = list(User._meta.concrete_fields)
SESSION_FIELDS = list(Session._meta.concrete_fields)

# Twin: `Token.objects.select_related("user").get(key=…)` (DRF's TokenAuthentication).
TOKEN_SQL = (
    f"SELECT {', '.join(f't.{c}' for c in columns(TOKEN_FIELDS))}, "
    f"{', '.join(f'u.{c}' for c in columns(USER_FIELDS))} "
    f"FROM {Token._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.key = %s"
)

# Twin: `User.objects.get(pk=…)` (Django's ModelBackend.get_user).
USER_SQL = f"SELECT {', '.join(columns(USER_FIELDS))} FROM {User._meta.db_table} WHERE id = %s"

# Twin: `Session.objects.get(session_key=…, expire_date__gt=now)` (Django's db engine).
SESSION_SQL = (
    f"SELECT {', '.join(columns(SESSION_FIELDS))} FROM {Session._meta.db_table} "
    "WHERE session_key = %s AND expire_date > %s"
)
