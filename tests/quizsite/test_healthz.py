"""/healthz reports database, broker and workers, and nothing secret."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests import servers
from tests.conftest import subprocess_env
from tests.web import running_web_server


def httpx_get(url: str):
    try:
        return urllib.request.urlopen(url, timeout=30)
    except urllib.error.HTTPError as error:
        return error


pytestmark = pytest.mark.django_db


def test_it_reports_the_database_and_broker_as_reachable_with_their_latency(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["database"]["latency_ms"] >= 0


def test_it_is_degraded_but_up_when_no_worker_answers(client):
    body = client.get("/healthz").json()

    assert body["workers"] == {"ok": False, "count": 0, "latency_ms": body["workers"]["latency_ms"]}
    assert body["status"] == "degraded"


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_it_is_ok_when_a_worker_answers(client, celery_worker):
    body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["workers"]["ok"] is True
    assert body["workers"]["count"] >= 1


@pytest.mark.django_db(transaction=True)
def test_it_fails_with_503_when_the_broker_is_unreachable(tmp_path):
    # A real server process whose broker points at a closed port: the app under test must not
    # be the one the rest of the session shares.
    env = subprocess_env(tmp_path, REDIS_URL=f"redis://127.0.0.1:{servers.free_port()}/0")
    with running_web_server(env, tmp_path) as base_url:
        response = httpx_get(f"{base_url}/healthz")

    assert response.status == 503
    body = json.loads(response.read())
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    assert body["status"] == "error"


def test_it_leaks_no_secret_or_connection_string(client):
    text = client.get("/healthz").content.decode()

    assert settings.SECRET_KEY not in text
    assert "redis://" not in text
    assert "sqlite" not in text.lower().replace('"vendor": "sqlite"', "")
    assert str(settings.BASE_DIR) not in text


def test_the_liveness_probe_touches_no_backing_service(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")

    assert response.json() == {"status": "ok"}


def test_it_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
