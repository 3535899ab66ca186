"""The "your data" page: download, delete with the password, and who may use it."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from flashcards.models import User
from tests.flashcards.factories import PASSWORD, InstructorFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_page_explains_what_is_kept_and_offers_both(client):
    client.force_login(StudentFactory())
    page = client.get(reverse("personal-data")).content.decode()
    assert reverse("personal-data-export") in page
    assert reverse("account-delete") in page
    assert "item statistics" in page


def test_the_download_is_a_json_attachment_of_ones_own_data_only(client):
    me, other = StudentFactory(), StudentFactory()
    client.force_login(me)

    response = client.get(reverse("personal-data-export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["username"] == me.username
    assert other.username not in response.content.decode()


def test_deleting_needs_the_password_and_the_confirmation(client):
    me = StudentFactory()
    client.force_login(me)

    wrong = client.post(reverse("account-delete"), {"password": "nope", "confirm": "on"})
    unconfirmed = client.post(reverse("account-delete"), {"password": PASSWORD})

    assert (wrong.status_code, unconfirmed.status_code) == (400, 400)
    assert "This is not your password" in wrong.content.decode()
    assert User.objects.filter(pk=me.pk).exists()


def test_deleting_the_account_signs_out_and_the_old_password_no_longer_works(client):
    me = StudentFactory()
    client.force_login(me)

    response = client.post(reverse("account-delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not User.objects.filter(pk=me.pk).exists()
    assert client.get(reverse("dashboard")).status_code == 302
    login = client.post(reverse("login"), {"username": me.username, "password": PASSWORD})
    assert login.status_code == 200  # the form again: no such account


MAKERS = {
    "anonymous": lambda: None,
    "student": StudentFactory,
    "instructor": InstructorFactory,
    "admin": lambda: StudentFactory(is_staff=True, is_superuser=True),
}


@pytest.mark.parametrize("role", MAKERS)
@pytest.mark.parametrize(
    ("name", "method", "status"),
    [
        ("personal-data", "get", 200),
        ("personal-data-export", "get", 200),
        ("account-delete", "post", 400),  # an empty form: nothing deleted
        ("account-delete", "get", 405),
        ("personal-data-export", "post", 405),
        ("email-address", "get", 200),
        ("password_change", "get", 200),
    ],
)
def test_every_account_page_is_for_signed_in_people_only(client, role, name, method, status):
    user = MAKERS[role]()
    if user is not None:
        client.force_login(user)

    response = getattr(client, method)(reverse(name))

    if user is None:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == status
        assert User.objects.filter(pk=user.pk).exists()
