"""Pages carry a Content-Security-Policy that allows no inline script, and none is needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.flashcards.factories import StudentFactory

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [
    Path(__file__).resolve().parents[2] / app / "templates"
    for app in ("frontend", "flashcards", "training", "quizzes", "quizsite")
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def templates() -> list[Path]:
    return [path for folder in TEMPLATE_DIRS if folder.exists() for path in folder.rglob("*.html")]


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_anonymous_pages_allow_scripts_from_this_site_only(client, url):
    directives = policy(client.get(url))

    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("url", ["/dashboard/", "/study/", "/demos/", "/demos/draw/"])
def test_signed_in_pages_carry_the_policy_too(client, url):
    client.force_login(StudentFactory())

    response = client.get(url)

    assert response.status_code == 200
    assert "'unsafe-inline'" not in policy(response)["script-src"]
    assert "'unsafe-eval'" not in policy(response)["script-src"]


def test_no_template_has_an_inline_script_or_an_event_handler_attribute():
    offenders = [
        f"{path.name}: {match.group(0)[:60]}"
        for path in templates()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER)
        for match in pattern.finditer(path.read_text())
    ]

    assert templates()
    assert offenders == []


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_from_the_site_alone_with_no_inline_script(client, url):
    response = client.get(url)

    assert response.status_code == 200
    scripts = policy(response)["script-src"]
    assert scripts == ["'self'"]
    assert not INLINE_SCRIPT.search(response.content.decode())
