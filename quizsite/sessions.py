"""Django's database sessions, with the session row of each request read by a fixed statement.

Every page request of a signed-in student loads its session before anything else; Django's
`db` engine composes `Session.objects.get(session_key=…, expire_date__gt=now)` for it each
time, which on the study load benchmark cost more Python time than the database took to
answer (flashcards/selectors/sql/__init__.py says why the study hot path reads through fixed
SQL).  Saving, expiry, cycling keys and clearing are Django's own
(tests/flashcards/test_session_user_reads.py holds the load to Django's answers).

Configured by `SESSION_ENGINE = "quizsite.sessions"` in settings.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from flashcards.selectors import sql
from flashcards.selectors.sql.accounts import SESSION_FIELDS, SESSION_SQL


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        if key is None:
            return None
        rows = sql.fetch_all(SESSION_SQL, [key, sql.db_datetime(timezone.now())])[1]
        if not rows:
            self._session_key = None
            return None
        return sql.from_row(Session, SESSION_FIELDS, rows[0])
