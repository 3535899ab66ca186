"""A deployment that did not collect static files still serves pages, and says so."""

from __future__ import annotations

import logging

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import override_settings

from quizsite import wsgi

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncollected(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "quizsite.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=str(tmp_path)):
        staticfiles_storage._setup()  # the lazy storage object, built again from the settings
        assert staticfiles_storage.manifest_problem()
        yield
    staticfiles_storage._setup()


def test_without_a_manifest_every_page_is_served_with_plain_static_urls(client, uncollected):
    response = client.get("/")

    assert response.status_code == 200
    assert '/static/frontend/site.css"' in response.content.decode()


def test_without_a_manifest_healthz_reports_static_files_as_missing(client, uncollected):
    body = client.get("/healthz").json()

    assert body["static"]["ok"] is False
    assert body["static"]["manifest"] == "missing"
    assert body["status"] in {"degraded", "error"}


def test_the_web_process_says_at_start_up_what_to_run(uncollected, caplog):
    with caplog.at_level(logging.ERROR, logger="quizsite.static"):
        wsgi._report_static_files()

    assert "collectstatic --noinput" in caplog.text
    assert "have not been collected" in caplog.text


def test_with_development_storage_healthz_does_not_ask_for_a_manifest(client):
    body = client.get("/healthz").json()

    assert body["static"]["ok"] is True
    assert body["static"]["manifest"] == "not used"
