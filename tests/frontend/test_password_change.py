"""Changing the password while signed in keeps this session and ends every other one."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.flashcards.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another fine passphrase 7"


def signed_in(user) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200
    return client


def test_changing_the_password_signs_out_the_other_sessions_only():
    student = StudentFactory()
    here, elsewhere = signed_in(student), signed_in(student)

    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("settings")
    assert here.get(reverse("dashboard")).status_code == 200
    assert elsewhere.get(reverse("dashboard")).status_code == 302
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)


def test_a_wrong_old_password_changes_nothing_and_is_a_400():
    student = StudentFactory()
    client = signed_in(student)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 400
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_a_password_reset_also_ends_the_sessions_that_were_open(client):
    student = StudentFactory()
    elsewhere = signed_in(student)
    student.refresh_from_db()  # the sign-in wrote last_login, which the token signs
    uid = urlsafe_base64_encode(force_bytes(student.pk))
    token = default_token_generator.make_token(student)
    form = client.get(reverse("password_reset_confirm", args=[uid, token]))
    client.post(form.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert elsewhere.get(reverse("dashboard")).status_code == 302


def test_the_settings_page_links_to_the_password_and_email_pages():
    client = signed_in(StudentFactory())
    page = client.get(reverse("settings")).content.decode()
    assert reverse("password_change") in page
    assert reverse("email-address") in page
