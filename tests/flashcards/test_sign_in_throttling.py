"""Sign-in, token and sign-up attempts are limited per address and per account; forged
X-Forwarded-For headers do not buy a client a fresh throttle."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from flashcards.models import User
from quizsite.client_address import client_address
from tests.flashcards.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def wrong_then_right_on_the_page(client, username: str, wrong: int = 50):
    for _ in range(wrong):
        client.post(reverse("login"), {"username": username, "password": "not it"})
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_fifty_wrong_passwords_then_the_right_one_is_refused_on_the_sign_in_page(client):
    student = StudentFactory()

    response = wrong_then_right_on_the_page(client, student.username)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_refuses_the_right_password_after_fifty_wrong_ones():
    student = StudentFactory()
    api = APIClient()
    for _ in range(50):
        api.post("/api/auth/token/", {"username": student.username, "password": "x"})

    response = api.post("/api/auth/token/", {"username": student.username, "password": PASSWORD})

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["status"] == 429
    assert "Too many attempts" in body["detail"]
    assert int(response["Retry-After"]) > 0


@override_settings(SIGN_IN_FAILURES_PER_ACCOUNT=3)
def test_an_account_is_locked_for_every_address_and_every_spelling_of_its_name():
    student = StudentFactory(username="alice")
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        APIClient(REMOTE_ADDR=address).post(
            "/api/auth/token/", {"username": "alice", "password": "x"}
        )

    from_elsewhere = APIClient(REMOTE_ADDR="10.9.9.9").post(
        "/api/auth/token/", {"username": "ALICE", "password": PASSWORD}
    )

    assert student.username == "alice"
    assert from_elsewhere.status_code == 429


@override_settings(SIGN_IN_FAILURES_PER_ADDRESS=5)
def test_one_address_trying_many_accounts_is_refused(client):
    for number in range(5):
        client.post(reverse("login"), {"username": f"guess{number}", "password": "x"})
    student = StudentFactory()

    response = client.post(reverse("login"), {"username": student.username, "password": PASSWORD})

    assert response.status_code == 429


@override_settings(SIGN_IN_FAILURES_PER_ACCOUNT=3)
def test_another_account_and_another_address_are_not_affected(client):
    locked, other = StudentFactory(), StudentFactory()
    wrong_then_right_on_the_page(client, locked.username, wrong=3)

    response = client.post(reverse("login"), {"username": other.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


@override_settings(SIGN_IN_FAILURES_PER_ACCOUNT=2)
def test_the_lockout_sentence_is_translated(client):
    student = StudentFactory()
    wrong_then_right_on_the_page(client, student.username, wrong=2)

    danish = client.post(
        reverse("login"),
        {"username": student.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="da",
    )
    portuguese = client.post(
        reverse("login"),
        {"username": student.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )

    assert danish.status_code == portuguese.status_code == 429
    assert "For mange forsøg" in danish.content.decode()
    assert "Muitas tentativas" in portuguese.content.decode()


@override_settings(SIGN_UPS_PER_ADDRESS=3)
def test_sign_ups_are_limited_per_address(client):
    for number in range(3):
        client.post(
            reverse("signup"),
            {"username": f"new{number}", "password": "a long enough pass phrase 42"},
        )
        client.logout()

    response = client.post(
        reverse("signup"), {"username": "new99", "password": "a long enough pass phrase 42"}
    )

    assert response.status_code == 429
    assert not User.objects.filter(username="new99").exists()


def test_showing_the_sign_in_page_is_not_an_attempt(client):
    with override_settings(SIGN_IN_FAILURES_PER_ADDRESS=2):
        for _ in range(5):
            assert client.get(reverse("login")).status_code == 200


# --- client addresses -------------------------------------------------------------------


@override_settings(DIGIT_PREDICTIONS_PER_MINUTE=3)
def test_a_forged_forwarded_for_does_not_bypass_the_anonymous_prediction_throttle():
    api = APIClient()
    statuses = [
        api.post(
            "/api/digit-predictions/", {}, format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(5)
    ]

    assert statuses[:3] == [400, 400, 400]
    assert statuses[3:] == [429, 429]


@override_settings(DIGIT_PREDICTIONS_PER_MINUTE=2, TRUSTED_PROXY_COUNT=1)
def test_behind_a_configured_proxy_each_forwarded_client_has_its_own_count():
    api = APIClient(REMOTE_ADDR="10.0.0.254")  # the proxy

    def predict(forwarded: str) -> int:
        return api.post(
            "/api/digit-predictions/", {}, format="json", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    first = [predict("198.51.100.7") for _ in range(3)]
    # A client that prepends a forged entry is still counted by the address the proxy saw.
    forged = predict("1.2.3.4, 198.51.100.7")
    other = predict("198.51.100.8")

    assert first == [400, 400, 429]
    assert forged == 429
    assert other == 400


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_by_default_the_forwarded_header_is_ignored():
    assert client_address(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_a_proxy_count_skips_that_many_hops_from_the_right():
    forged_chain = "6.6.6.6, 203.0.113.9, 10.0.0.2"

    assert client_address(request_from("10.0.0.1", forged_chain)) == "203.0.113.9"
    assert client_address(request_from("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    assert client_address(request_from("10.0.0.1")) == "10.0.0.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "::1"])
def test_a_proxy_list_trusts_only_those_networks():
    assert client_address(request_from("10.1.2.3", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_address(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"
    assert client_address(request_from("10.1.2.3", "not-an-ip, 10.2.2.2")) == "10.2.2.2"


# --- the same limits with Redis as the cache ---------------------------------------------


@pytest.mark.redis
def test_the_lockout_works_with_redis_as_the_cache(redis_server):
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    with override_settings(CACHES=redis_cache, SIGN_IN_FAILURES_PER_ACCOUNT=3):
        cache.clear()
        student = StudentFactory()
        api = APIClient()
        for _ in range(3):
            api.post("/api/auth/token/", {"username": student.username, "password": "x"})
        refused = api.post("/api/auth/token/", {"username": student.username, "password": PASSWORD})
        stored = [key for key in cache._cache.get_client().keys("*") if b"sign-in" in key]
        cache.clear()

    assert refused.status_code == 429
    assert stored
