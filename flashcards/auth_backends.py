"""Django's ModelBackend, with the user of every session-authenticated request read by one fixed
SQL statement.

Why: the study page's requests are session-authenticated, and Django's backend composes
`User.objects.get(pk=…)` for each of them — the same cost the API's token lookup avoids
(flashcards/authentication.py; flashcards/selectors/sql/__init__.py says why the study hot
path reads through fixed SQL).  Signing in, permissions and everything else are Django's
(tests/flashcards/test_session_user_reads.py holds `get_user` to Django's answers).

Kept apart from flashcards/authentication.py on purpose: that module imports DRF, and DRF's
settings import it back; Django loads this backend for signed-in requests before DRF is
imported, so importing DRF from here closed that circle (the load benchmark's server failed
to start).
"""

from __future__ import annotations

from django.contrib.auth import backends

from flashcards.models import User
from flashcards.selectors import sql
from flashcards.selectors.sql.accounts import USER_FIELDS, USER_SQL


class ModelBackend(backends.ModelBackend):
    """`AUTHENTICATION_BACKENDS`' one entry (quizsite/settings.py)."""

    def get_user(self, user_id: object) -> User | None:
        try:
            pk = int(user_id)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return None
        rows = sql.fetch_all(USER_SQL, [pk])[1]
        if not rows:
            return None
        user = sql.from_row(User, USER_FIELDS, rows[0])
        return user if self.user_can_authenticate(user) else None
