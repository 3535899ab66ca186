"""Hostile request bodies and unknown API paths get a JSON 4xx in the one error shape."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.flashcards.factories import InstructorFactory, QuestionSetFactory, StudentFactory

pytestmark = pytest.mark.django_db

DEEP = b"[" * 1000 + b"]" * 1000
HOSTILE_BODIES = {
    "a thousand nested arrays": DEEP,
    "a thousand nested objects": b'{"a":' * 1000 + b"1" + b"}" * 1000,
    "forty nested arrays": b"[" * 40 + b"]" * 40,
    "a huge array": b"[" + b"0," * 200_000 + b"0]",
    "a number too large for a float": b'{"params": {"epochs": 1e999}}',
    "an integer of five thousand digits": b'{"params": {"epochs": ' + b"9" * 5000 + b"}}",
    "an integer past 64 bits": b'{"set": 99999999999999999999999}',
    "NaN": b'{"params": {"epochs": NaN}}',
    "invalid UTF-8": b'{"username": "\xff\xfe"}',
    "truncated JSON": b'{"params": {',
}


def anonymous():
    return APIClient()


def student():
    client = APIClient()
    client.force_authenticate(StudentFactory())
    return client


def instructor():
    client = APIClient()
    client.force_authenticate(InstructorFactory())
    return client


ENDPOINTS = [
    ("anonymous", anonymous, "/api/auth/token/"),
    ("anonymous", anonymous, "/api/digit-predictions/"),
    ("student", student, "/api/demos/activation-functions/runs/"),
    ("student", student, "/api/study/reviews/"),
    ("instructor", instructor, "/api/sets/"),
    ("instructor", instructor, "/api/quizzes/"),
]


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["code"], str)
    assert body["status"] == status
    return body


@pytest.mark.parametrize(("role", "make_client", "url"), ENDPOINTS)
@pytest.mark.parametrize("label", list(HOSTILE_BODIES))
def test_it_refuses_a_hostile_json_body_with_a_400(role, make_client, url, label):
    response = make_client().post(url, HOSTILE_BODIES[label], content_type="application/json")

    body = assert_error_shape(response, 400)
    if label not in {"forty nested arrays", "a huge array"}:  # these parse; the view refuses
        assert body["code"] == "parse_error"


def test_it_names_the_reason_a_body_is_refused():
    deep = anonymous().post("/api/auth/token/", DEEP, content_type="application/json").json()
    utf8 = (
        anonymous()
        .post("/api/auth/token/", HOSTILE_BODIES["invalid UTF-8"], content_type="application/json")
        .json()
    )

    assert "nests deeper than 32 levels" in deep["detail"]
    assert "not valid utf-8 text" in utf8["detail"].lower()


@pytest.mark.parametrize(("role", "make_client", "url"), ENDPOINTS)
def test_it_answers_a_wrong_content_type_with_a_json_415(role, make_client, url):
    response = make_client().post(url, b"<xml/>", content_type="application/xml")

    assert_error_shape(response, 415)


@override_settings(API_MAX_BODY_BYTES=4096)
@pytest.mark.parametrize(("role", "make_client", "url"), ENDPOINTS)
def test_it_answers_a_body_over_the_limit_with_a_json_413(role, make_client, url):
    body = b'{"title": "' + b"x" * 5000 + b'"}'

    response = make_client().post(url, body, content_type="application/json")

    assert "at most 4096" in assert_error_shape(response, 413)["detail"]


@pytest.mark.parametrize("make_client", [anonymous, student, instructor])
def test_an_unknown_api_path_is_a_json_404(make_client):
    response = make_client().get("/api/no-such-thing/")

    assert "/api/no-such-thing/" in assert_error_shape(response, 404)["detail"]


def test_an_unknown_id_is_a_json_404_in_the_same_shape():
    response = instructor().get("/api/sets/987654/")

    assert assert_error_shape(response, 404)["code"] == "not_found"


def test_invalid_fields_keep_their_messages_under_errors_and_at_the_top_level():
    response = instructor().post("/api/sets/", {"title": ""}, format="json")

    body = assert_error_shape(response, 400)
    assert body["errors"]["title"] == body["title"]
    assert "title" in body["detail"]


def test_without_credentials_the_api_answers_401_with_a_token_challenge():
    response = anonymous().get("/api/sets/")

    assert_error_shape(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_a_401_not_a_403():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get("/api/sets/")

    assert assert_error_shape(response, 401)["detail"] == "Invalid token."
    assert response["WWW-Authenticate"] == "Token"


def test_a_good_token_still_works_and_a_forbidden_action_is_still_a_403():
    owner = InstructorFactory()
    other = StudentFactory()
    question_set = QuestionSetFactory(owner=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other).key}")

    assert client.get("/api/me/").status_code == 200
    refused = client.patch(f"/api/sets/{question_set.pk}/", {"title": "x"}, format="json")
    assert refused.status_code in {403, 404}
    assert_error_shape(refused, refused.status_code)


def test_a_signed_in_browser_session_still_uses_the_api():
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(StudentFactory())

    assert client.get("/api/me/").status_code == 200
    assert_error_shape(client.post("/api/sets/", {"title": "x"}, format="json"), 403)  # no CSRF


def test_a_form_field_integer_beyond_64_bits_is_a_400_not_a_500():
    response = student().post(
        "/api/study/reviews/",
        {"card": "3671152305195977925886936067604480", "rating": "3"},
        format="multipart",
    )

    assert assert_error_shape(response, 400)["detail"]


# --- by role: every refusal of the same request has the same shape ---------------------------

ROLES = ["anonymous", "student_in", "student_out", "owner", "other_instructor"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student_in", 403),
        ("student_out", 404),
        ("owner", 400),
        ("other_instructor", 404),
    ],
)
def test_a_hostile_edit_of_a_set_is_refused_in_the_error_shape_for_every_role(role, expected):
    from tests.flashcards.factories import build_world

    world = build_world()
    client = APIClient()
    if world.user(role) is not None:
        client.force_authenticate(world.user(role))

    response = client.patch(f"/api/sets/{world.assigned_set.pk}/", {"title": ""}, format="json")
    nested = client.patch(
        f"/api/sets/{world.assigned_set.pk}/", DEEP, content_type="application/json"
    )

    assert_error_shape(response, expected)
    # The body is read only once the user may write: before that the refusal is the same.
    assert_error_shape(nested, 400 if role == "owner" else expected)
