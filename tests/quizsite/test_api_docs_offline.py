"""The API docs and the favicon come from the site's own static files, never a CDN."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.flashcards.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["api-docs", "api-redoc"])
def test_the_docs_load_only_the_sites_own_files(client, name):
    client.force_login(StudentFactory())
    page = client.get(reverse(name)).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(source.startswith("/") for source in sources), sources
    assert "drf_spectacular_sidecar" in page
    assert "<script>" not in page.replace(" ", "")  # no inline start-up code (strict CSP)


def test_the_swagger_start_up_script_is_a_file(client):
    client.force_login(StudentFactory())
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    assert "SwaggerUIBundle" in script.content.decode()


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/frontend/favicon")
    assert 'rel="icon"' in client.get(reverse("home")).content.decode()
