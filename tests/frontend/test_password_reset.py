"""Forgot password: the email, its link (once, and only for a while), the throttle, and the
same answer whether an account has the address or not."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.flashcards.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def reset_link(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/reset/[^\s\"<]+/)", body)
    assert found, body
    return found.group(1)


def choose_new_password(client, link: str):
    form_page = client.get(link)  # Django swaps the token into the session, then redirects
    assert form_page.status_code == 302
    return client.post(
        form_page.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )


def test_the_reset_email_carries_a_link_that_sets_a_new_password_once(client):
    student = StudentFactory(email="ana@example.org")

    response = client.post(reverse("password_reset"), {"email": "ANA@example.org"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert message.subject == "Choose a new password on quizsite"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = reset_link(message.body)
    assert link in html

    done = choose_new_password(client, link)

    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False
    assert "not valid any more" in again.content.decode()


def test_a_reset_link_expires(client, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    StudentFactory(email="bo@example.org")
    client.post(reverse("password_reset"), {"email": "bo@example.org"})
    link = reset_link(mail.outbox[0].body)

    with time_machine.travel(timezone.now() + timedelta(seconds=3601)):
        response = client.get(link, follow=True)

    assert response.context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    StudentFactory(email="known@example.org")

    known = client.post(reverse("password_reset"), {"email": "known@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [m.to for m in mail.outbox] == [["known@example.org"]]
    done = client.get(unknown.url).content.decode()
    assert "If an account has this address" in done


def test_the_reset_email_is_in_the_accounts_own_language(client):
    StudentFactory(email="dan@example.org", language="da")

    client.post(reverse("password_reset"), {"email": "dan@example.org"})

    assert mail.outbox[0].subject == "Vælg en ny adgangskode på quizsite"


def test_the_embedded_default_writes_the_reset_email_as_a_file(client, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    StudentFactory(email="file@example.org")

    client.post(reverse("password_reset"), {"email": "file@example.org"})

    files = list(tmp_path.iterdir())
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes().split(b"\n" + b"-" * 79)[0])
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    link = reset_link(text.get_payload(decode=True).decode())
    assert choose_new_password(client, link).url == reverse("password_reset_complete")


@override_settings(PASSWORD_RESETS_PER_EMAIL=2)
def test_reset_requests_are_throttled_per_address_typed_known_or_not(client):
    StudentFactory(email="t@example.org")
    for email in ("t@example.org", "ghost@example.org"):
        for _ in range(2):
            assert client.post(reverse("password_reset"), {"email": email}).status_code == 302
        refused = client.post(reverse("password_reset"), {"email": email})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert "Too many attempts" in refused.content.decode()
    assert len(mail.outbox) == 2


@override_settings(PASSWORD_RESETS_PER_ADDRESS=3)
def test_reset_requests_are_throttled_per_client_address(client):
    for n in range(3):
        client.post(reverse("password_reset"), {"email": f"x{n}@example.org"})
    refused = client.post(reverse("password_reset"), {"email": "fresh@example.org"})
    assert refused.status_code == 429


def test_a_malformed_address_is_a_400_with_the_form_again(client):
    response = client.post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 400
    assert 'name="email"' in response.content.decode()


def test_the_sign_in_page_links_to_the_reset_form(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    assert client.get(reverse("password_reset")).status_code == 200
    assert PASSWORD  # the factories' password is not the new one
