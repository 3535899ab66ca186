"""Error answers: pages in the site's style and language, JSON under /api/, never a bare 500."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from quizsite import errors
from tests.flashcards.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_404_in_the_sites_style(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "Page not found" in html
    assert "/no/such/page/" in html


def test_the_404_page_speaks_the_readers_language(client):
    danish = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    portuguese = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()

    assert "Siden blev ikke fundet" in danish
    assert "Página não encontrada" in portuguese


def test_a_signed_in_reader_is_offered_the_dashboard(client):
    client.force_login(StudentFactory())

    assert "/dashboard/" in client.get("/no/such/page/").content.decode()


def test_the_403_page_is_in_the_sites_style():
    request = RequestFactory().get("/somewhere/")
    request.user = StudentFactory()

    response = errors.permission_denied(request)

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_the_400_page_is_in_the_sites_style():
    response = errors.bad_request(RequestFactory().get("/somewhere/"))

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.quizsite.error_urls")
def test_a_bug_in_a_page_is_a_500_page_that_stands_alone(client):
    client.raise_request_exception = False

    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="da")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Noget gik galt" in html
    assert "a bug in a view" not in html


@override_settings(ROOT_URLCONF="tests.quizsite.error_urls")
def test_a_bug_behind_the_api_is_a_json_500_in_the_error_shape(client):
    client.raise_request_exception = False

    response = client.get("/api/boom/")

    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side; it has been logged.",
        "code": "server_error",
        "status": 500,
    }
