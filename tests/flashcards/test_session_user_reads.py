"""The page's session and its user are read by fixed statements that answer what Django's own
database session engine and ModelBackend answer (quizsite/sessions.py,
flashcards/auth_backends.py say why they are written out)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.utils import timezone

from flashcards.auth_backends import ModelBackend
from quizsite.sessions import SessionStore
from tests.flashcards.factories import StudentFactory

pytestmark = pytest.mark.django_db


def stored_session(data: dict, *, expires_in: timedelta) -> str:
    store = django_db.SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_a_live_session_loads_the_same_data_as_djangos_engine():
    key = stored_session({"_auth_user_id": "7", "theme": "dark"}, expires_in=timedelta(hours=1))
    ours, theirs = SessionStore(key), django_db.SessionStore(key)
    assert ours.load() == theirs.load() == {"_auth_user_id": "7", "theme": "dark"}
    assert ours.session_key == theirs.session_key == key


@pytest.mark.parametrize("key", ["expired", "unknown", None])
def test_an_expired_unknown_or_missing_session_loads_empty_and_forgets_its_key(key):
    if key == "expired":
        key = stored_session({"a": 1}, expires_in=timedelta(seconds=-1))
    elif key == "unknown":
        key = "x" * 32
    ours, theirs = SessionStore(key), django_db.SessionStore(key)
    assert ours.load() == theirs.load() == {}
    assert ours.session_key is None
    assert theirs.session_key is None


def test_a_session_saved_and_cycled_through_our_engine_reads_back_in_djangos():
    store = SessionStore()
    store["cart"] = [1, 2]
    store.save()
    store.cycle_key()
    assert django_db.SessionStore(store.session_key).load() == {"cart": [1, 2]}


def test_get_user_returns_the_same_user_as_djangos_backend_field_for_field():
    student = StudentFactory(time_zone="America/Sao_Paulo", language="pt-br")
    ours = ModelBackend().get_user(student.pk)
    theirs = django_backends.ModelBackend().get_user(student.pk)
    assert ours == theirs
    for field in student._meta.concrete_fields:
        assert getattr(ours, field.attname) == getattr(theirs, field.attname), field.name


@pytest.mark.parametrize("user_id", ["inactive", 10**9, "not-a-number", None])
def test_get_user_refuses_an_inactive_unknown_or_malformed_user_as_django_does(user_id):
    if user_id == "inactive":
        user_id = StudentFactory(is_active=False).pk
    assert ModelBackend().get_user(user_id) is None
