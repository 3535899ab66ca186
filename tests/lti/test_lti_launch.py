"""Launches from a learning platform (LTI 1.3), against a platform simulated in the tests
with its own RSA key and real signed id_tokens; the library's verification is not mocked."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from flashcards.models import Membership, User
from lti import content_refs
from lti.models import LtiIdentity, PlatformGrade
from lti.services.launches import username_for
from quizzes.selectors.access import can_take_quiz
from tests.flashcards.factories import StudentFactory
from tests.lti import platform as simulated
from tests.lti.flows import launch


def custom_of(item: dict) -> dict:
    return item["custom"]


def test_the_tool_publishes_one_public_key_made_on_first_use(db, client):
    first = client.get(simulated.TOOL_JWKS_PATH)
    second = client.get(simulated.TOOL_JWKS_PATH)
    assert first.status_code == 200
    (key,) = first.json()["keys"]
    assert second.json() == first.json()
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"]
    assert "d" not in key
    assert "p" not in key


def test_login_initiation_redirects_to_the_platform_with_state_and_nonce(platform, client):
    login = simulated.begin_login(client)
    assert login.params["client_id"] == simulated.CLIENT_ID
    assert login.params["redirect_uri"] == "http://testserver/lti/launch/"
    assert login.params["response_mode"] == "form_post"
    assert login.params["login_hint"] == "hint"
    assert login.state
    assert login.nonce


def test_a_valid_launch_signs_in_a_new_student_and_opens_the_deep_linked_quiz(
    platform, linked_quiz
):
    item, quiz = linked_quiz
    browser = Client()
    response, _token, _login = launch(
        browser,
        platform,
        sub="student-42",
        roles=[simulated.LEARNER],
        custom=custom_of(item),
        lineitem=platform.lineitem_url(),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/quizzes/{quiz.pk}/"
    student = LtiIdentity.objects.get(issuer=simulated.ISSUER, subject="student-42").user
    assert student.role == User.Role.STUDENT
    assert (student.first_name, student.last_name) == ("Ana", "Lima")
    assert student.email == ""  # accounts are linked by issuer and sub, never by email
    assert not student.has_usable_password()
    assert can_take_quiz(student, quiz)
    classroom = Membership.objects.get(user=student).classroom
    assert classroom.name == "Deep learning 101"
    assert classroom.owner == quiz.owner
    assert PlatformGrade.objects.get(student=student).state == PlatformGrade.State.WAITING
    page = browser.get(response["Location"])
    assert page.status_code == 200
    assert page.wsgi_request.user == student


def test_over_https_the_launch_state_is_kept_per_browser_and_still_works_once(
    platform, linked_quiz
):
    item, quiz = linked_quiz
    browser = Client()
    response, token, login = launch(
        browser,
        platform,
        sub="student-42",
        roles=[simulated.LEARNER],
        custom=item["custom"],
        secure=True,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/quizzes/{quiz.pk}/"
    session_cookie = browser.cookies["lti1p3-session-id"]
    assert session_cookie["secure"]
    assert session_cookie["samesite"] == "None"  # the platform's cross-site POST carries it
    replay = browser.post("/lti/launch/", {"id_token": token, "state": login.state}, secure=True)
    refused(replay, 403, "This launch has already been used")


def test_over_https_a_launch_without_the_login_cookies_is_refused(platform, linked_quiz):
    item, _quiz = linked_quiz
    login = simulated.begin_login(Client(), secure=True)
    claims = platform.claims(
        nonce=login.nonce, sub="student-42", roles=[simulated.LEARNER], custom=item["custom"]
    )
    response = Client().post(
        "/lti/launch/", {"id_token": platform.id_token(claims), "state": login.state}, secure=True
    )
    refused(response, 400, "The launch expired or started in another browser")


def test_a_second_launch_finds_the_same_account_by_issuer_and_sub(platform, linked_quiz):
    item, _quiz = linked_quiz
    for _ in range(2):
        response, _token, _login = launch(
            Client(), platform, sub="student-42", roles=[simulated.LEARNER], custom=item["custom"]
        )
        assert response.status_code == 302
    assert LtiIdentity.objects.filter(subject="student-42").count() == 1
    # The same email from another sub is another person.
    launch(Client(), platform, sub="student-43", roles=[simulated.LEARNER], custom=item["custom"])
    assert LtiIdentity.objects.values("user").distinct().count() == 3  # with the teacher


def test_a_new_account_speaks_the_platforms_language(platform, linked_quiz):
    item, _quiz = linked_quiz
    browser = Client()
    presentation = {"locale": "pt_BR", "document_target": "window"}
    response, _token, _login = launch(
        browser,
        platform,
        sub="student-br",
        roles=[simulated.LEARNER],
        custom=item["custom"],
        **{simulated.LTI + "launch_presentation": presentation},
    )
    assert LtiIdentity.objects.get(subject="student-br").user.language == "pt-br"
    page = browser.get(response["Location"])
    assert '<html lang="pt-br">' in page.content.decode()


def test_a_site_account_with_the_same_username_does_not_block_a_first_launch(platform, linked_quiz):
    item, _quiz = linked_quiz
    squatter = StudentFactory(username=username_for(simulated.ISSUER, "student-42"))
    response, _token, _login = launch(
        Client(), platform, sub="student-42", roles=[simulated.LEARNER], custom=item["custom"]
    )
    assert response.status_code == 302
    launched = LtiIdentity.objects.get(subject="student-42").user
    assert launched != squatter
    assert launched.username.startswith(squatter.username + "-")


def test_the_platforms_instructor_role_makes_an_instructor(platform, linked_quiz):
    item, _quiz = linked_quiz
    response, _token, _login = launch(
        Client(), platform, sub="co-teacher", roles=[simulated.INSTRUCTOR], custom=item["custom"]
    )
    assert response.status_code == 302
    user = LtiIdentity.objects.get(subject="co-teacher").user
    assert user.role == User.Role.INSTRUCTOR


def refused(response, status: int, title: str) -> None:
    assert response.status_code == status
    assert response.templates[0].name == "lti/refused.html"
    assert title in response.content.decode()


def test_a_tampered_token_is_refused_with_a_clear_page(platform, linked_quiz):
    item, _quiz = linked_quiz
    browser = Client()
    login = simulated.begin_login(browser)
    claims = platform.claims(
        nonce=login.nonce, sub="student-42", roles=[simulated.LEARNER], custom=item["custom"]
    )
    header, _body, signature = platform.id_token(claims).split(".")
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = browser.post(
        "/lti/launch/", {"id_token": f"{header}.{forged}.{signature}", "state": login.state}
    )
    refused(response, 403, "The launch could not be verified")
    assert not LtiIdentity.objects.filter(subject__in=["student-42", "someone-else"]).exists()
    assert "_auth_user_id" not in browser.session


def test_a_token_signed_with_another_key_is_refused(platform, linked_quiz):
    item, _quiz = linked_quiz
    browser = Client()
    login = simulated.begin_login(browser)
    claims = platform.claims(
        nonce=login.nonce, sub="student-42", roles=[simulated.LEARNER], custom=item["custom"]
    )
    token = platform.id_token(claims, key=simulated.new_key())
    response = browser.post("/lti/launch/", {"id_token": token, "state": login.state})
    refused(response, 403, "The launch could not be verified")


def test_an_expired_token_is_refused(platform, linked_quiz):
    item, _quiz = linked_quiz
    browser = Client()
    login = simulated.begin_login(browser)
    claims = platform.claims(
        nonce=login.nonce, sub="student-42", roles=[simulated.LEARNER], custom=item["custom"]
    )
    claims["exp"] = claims["iat"] - 60
    token = platform.id_token(claims)
    response = browser.post("/lti/launch/", {"id_token": token, "state": login.state})
    refused(response, 403, "The launch could not be verified")


def test_a_replayed_launch_is_refused(platform, linked_quiz):
    item, _quiz = linked_quiz
    browser = Client()
    response, token, login = launch(
        browser, platform, sub="student-42", roles=[simulated.LEARNER], custom=item["custom"]
    )
    assert response.status_code == 302
    again = Client()  # an attacker holding the posted form, with the state cookie copied
    again.cookies = browser.cookies
    replay = again.post("/lti/launch/", {"id_token": token, "state": login.state})
    refused(replay, 403, "This launch has already been used")
    # Without the cookie too: the library counts the state as valid once its launch passed,
    # so it is the used-up nonce that stops this one.
    bare = Client().post("/lti/launch/", {"id_token": token, "state": login.state})
    refused(bare, 403, "This launch has already been used")
    assert LtiIdentity.objects.filter(subject="student-42").count() == 1


def test_a_launch_without_the_login_state_is_refused(platform, linked_quiz):
    item, _quiz = linked_quiz
    login = simulated.begin_login(Client())
    claims = platform.claims(
        nonce=login.nonce, sub="student-42", roles=[simulated.LEARNER], custom=item["custom"]
    )
    other_browser = Client()  # has no state cookie
    response = other_browser.post(
        "/lti/launch/", {"id_token": platform.id_token(claims), "state": login.state}
    )
    refused(response, 400, "The launch expired or started in another browser")


def test_an_unknown_platform_is_refused_at_login_and_at_launch(platform, linked_quiz):
    item, _quiz = linked_quiz
    browser = Client()
    response = browser.get(
        "/lti/login/",
        {"iss": "https://unknown.example", "login_hint": "x", "client_id": simulated.CLIENT_ID},
    )
    refused(response, 403, "This learning platform is not registered")
    login = simulated.begin_login(browser)
    claims = platform.claims(
        nonce=login.nonce,
        sub="student-42",
        roles=[simulated.LEARNER],
        custom=item["custom"],
        issuer="https://unknown.example",
    )
    response = browser.post(
        "/lti/launch/", {"id_token": platform.id_token(claims), "state": login.state}
    )
    refused(response, 403, "This learning platform is not registered")


def test_an_unknown_deployment_is_refused(platform, linked_quiz):
    item, _quiz = linked_quiz
    response, _token, _login = launch(
        Client(),
        platform,
        sub="student-42",
        roles=[simulated.LEARNER],
        custom=item["custom"],
        deployment_id="99",
    )
    refused(response, 403, "This deployment is not registered")


def test_a_content_reference_edited_on_the_platform_is_refused(platform, linked_quiz):
    item, quiz = linked_quiz
    forged = {content_refs.CUSTOM_PARAMETER: item["custom"][content_refs.CUSTOM_PARAMETER][:-2]}
    response, _token, _login = launch(
        Client(), platform, sub="student-42", roles=[simulated.LEARNER], custom=forged
    )
    refused(response, 404, "This activity opens nothing in quizsite")
    other_platform = content_refs.sign(
        content_refs.ContentRef(content_refs.QUIZ, quiz.pk),
        issuer="https://other.example",
        client_id=simulated.CLIENT_ID,
    )
    response, _token, _login = launch(
        Client(),
        platform,
        sub="student-42",
        roles=[simulated.LEARNER],
        custom={content_refs.CUSTOM_PARAMETER: other_platform},
    )
    refused(response, 404, "This activity opens nothing in quizsite")


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("da", "Starten kunne ikke bekræftes"),
        ("pt-br", "Não foi possível verificar o acesso"),
    ],
)
def test_the_refusal_page_speaks_the_readers_language(platform, language, title):
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    login = simulated.begin_login(browser)
    claims = platform.claims(nonce=login.nonce, sub="s", roles=[simulated.LEARNER])
    token = platform.id_token(claims, key=simulated.new_key())
    response = browser.post("/lti/launch/", {"id_token": token, "state": login.state})
    refused(response, 403, title)


def test_a_login_initiation_that_names_no_platform_is_a_page_not_a_500(platform, client):
    response = client.get("/lti/login/")
    refused(response, 400, "The launch could not be completed")


@pytest.mark.parametrize("body", [{}, {"id_token": "not-a-jwt", "state": "state-x"}])
def test_a_launch_with_no_usable_token_is_a_page_not_a_500(platform, client, body):
    response = client.post("/lti/launch/", body)
    assert response.status_code == 400
    assert response.templates[0].name == "lti/refused.html"


@pytest.mark.redis
def test_state_and_nonces_work_with_redis_as_the_cache(platform, linked_quiz, redis_server):
    """Production's cache: the nonce is consumed there as in the database cache."""
    item, _quiz = linked_quiz
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    with override_settings(CACHES=redis_cache):
        cache.clear()
        browser = Client()
        login = simulated.begin_login(browser, secure=True)
        stored = [key for key in cache._cache.get_client().keys("*") if b"lti1p3" in key]
        claims = platform.claims(
            nonce=login.nonce, sub="student-r", roles=[simulated.LEARNER], custom=item["custom"]
        )
        form = {"id_token": platform.id_token(claims), "state": login.state}
        first = browser.post("/lti/launch/", form, secure=True)
        replay = browser.post("/lti/launch/", form, secure=True)
        cache.clear()
    assert any(login.nonce.encode() in key for key in stored)
    assert first.status_code == 302
    refused(replay, 403, "This launch has already been used")
