"""Emails to a person, in their language: a subject, a text body and an HTML body.

Each email is three templates under `emails/` (`<name>_subject.txt`, `<name>.txt`,
`<name>.html`), rendered with the person's chosen language active (the request's language
when they chose none), so a reset asked for from a Danish page by a Portuguese speaker still
arrives in Portuguese.  Which backend carries it is settings' business (EMAIL_URL, ...).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from flashcards.models import User


def send_to_user(*, user: User, to: str, template: str, context: dict[str, Any]) -> None:
    language = user.language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"user": user, "site_name": "quizsite", **context}
        rendered = render_to_string(f"emails/{template}_subject.txt", context)
        subject = " ".join(rendered.split())  # one line: headers carry no newline
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
