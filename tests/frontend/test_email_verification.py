"""An email address is confirmed by a signed link that expires; changing it un-confirms it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from flashcards.models import User
from tests.flashcards.factories import PASSWORD, InstructorFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def verify_link() -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/email/verify/[^\s\"<]+/)", mail.outbox[-1].body)
    assert found
    return found.group(1)


def test_signing_up_with_an_email_sends_a_link_that_confirms_it(client):
    client.post(
        reverse("signup"), {"username": "lia", "email": "lia@example.org", "password": PASSWORD}
    )
    user = User.objects.get(username="lia")
    assert not user.email_verified
    assert mail.outbox[-1].to == ["lia@example.org"]

    response = client.get(verify_link())

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_verified


def test_signing_up_without_an_email_is_allowed_for_a_student(client):
    client.post(reverse("signup"), {"username": "noemail", "password": PASSWORD})
    assert User.objects.get(username="noemail").email == ""
    assert mail.outbox == []


def test_a_verification_link_expires(client, settings):
    settings.EMAIL_VERIFICATION_MAX_AGE = 600
    student = StudentFactory(email="x@example.org")
    client.force_login(student)
    client.post(reverse("email-address"), {"action": "resend"})
    link = verify_link()

    with time_machine.travel(timezone.now() + timedelta(seconds=601)):
        response = client.get(link)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    student.refresh_from_db()
    assert not student.email_verified


def test_a_tampered_link_is_refused(client):
    response = client.get(reverse("email-verify", args=["not-a-signed-value"]))
    assert response.status_code == 400


def test_changing_the_address_unconfirms_it_and_the_old_link_stops_working(client):
    student = StudentFactory(email="old@example.org")
    client.force_login(student)
    client.post(reverse("email-address"), {"action": "resend"})
    old_link = verify_link()

    response = client.post(reverse("email-address"), {"email": "new@example.org"})

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.email == "new@example.org"
    assert not student.email_verified
    assert mail.outbox[-1].to == ["new@example.org"]
    assert client.get(old_link).status_code == 400
    assert client.get(verify_link()).status_code == 200
    student.refresh_from_db()
    assert student.email_verified


def test_an_instructor_cannot_remove_their_address(client):
    instructor = InstructorFactory(email="t@example.org")
    client.force_login(instructor)
    response = client.post(reverse("email-address"), {"email": ""})
    assert response.status_code == 400
    instructor.refresh_from_db()
    assert instructor.email == "t@example.org"


def test_the_email_page_needs_a_signed_in_person(client):
    response = client.get(reverse("email-address"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
