"""The reset email goes through a real SMTP server (aiosmtpd, on a free local port)."""

from __future__ import annotations

import re
import threading
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.urls import reverse

from tests import servers
from tests.flashcards.factories import StudentFactory

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        self.arrived.set()
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=servers.free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_the_reset_email_is_delivered_to_a_real_smtp_server(client, settings, smtp_server):
    controller, inbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    cache.clear()
    StudentFactory(email="smtp@example.org")

    response = client.post(reverse("password_reset"), {"email": "smtp@example.org"})

    assert response.status_code == 302
    assert inbox.arrived.wait(timeout=10)
    [(recipients, raw)] = inbox.messages
    assert recipients == ["smtp@example.org"]
    message = message_from_bytes(raw)
    assert message["Subject"] == "Choose a new password on quizsite"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert re.search(r"/accounts/reset/[^/\s]+/[^/\s]+/", text.get_payload(decode=True).decode())
