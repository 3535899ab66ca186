"""The API docs render their operations with no internet: Swagger UI and Redoc are the site's
own static files.  Every request that does not go to the site itself is refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.flashcards.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _offline(page, site_url: str) -> list[str]:
    """Abort every request but loopback ones to the site; returns (resource type, URL) refused."""
    site = urlsplit(site_url).netloc
    refused = []

    def route(route):
        url = route.request.url
        if urlsplit(url).netloc == site or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            refused.append((route.request.resource_type, url))
            route.abort("internetdisconnected")

    page.context.route("**/*", route)
    return refused


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
def test_swagger_ui_lists_the_operations_offline(new_page, site_server, locale):
    page = new_page(user=StudentFactory(), locale=locale)
    refused = _offline(page, site_server)
    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert page.get_by_text("/api/study/reviews/").first.is_visible()
    assert refused == []


def test_redoc_renders_offline_too(new_page, site_server):
    page = new_page(user=StudentFactory())
    refused = _offline(page, site_server)
    page.goto("/api/redoc/")
    page.get_by_text("quizsite API").first.wait_for()
    page.locator("[data-section-id^='tag/'], [data-section-id^='operation/']").first.wait_for()
    # Redoc's own attribution logo is the one outside request; the image hides itself on error.
    assert [url for kind, url in refused if kind != "image"] == []


def test_the_favicon_is_served(new_page, site_server):
    page = new_page()
    response = page.request.get(f"{site_server}/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
