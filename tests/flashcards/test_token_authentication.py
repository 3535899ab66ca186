"""API tokens: the one-query lookup answers exactly as DRF's TokenAuthentication would."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from flashcards.authentication import TokenAuthentication
from flashcards.models import User
from tests.flashcards.factories import InstructorFactory, StudentFactory

pytestmark = pytest.mark.django_db

ME = "/api/me/"


def with_token(api_client, header: str):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    return api_client


@pytest.mark.parametrize("factory", [StudentFactory, InstructorFactory])
def test_a_token_signs_its_user_in_with_a_single_query(
    api_client, factory, django_assert_max_num_queries
):
    user = factory(time_zone="Asia/Tokyo", language="de")
    token = Token.objects.create(user=user)

    with django_assert_max_num_queries(1):
        response = with_token(api_client, f"Token {token.key}").get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["role"] == user.role


def test_the_user_read_with_the_token_has_every_field_the_orm_would_load():
    user = StudentFactory(time_zone="Europe/Lisbon", first_name="Ada", last_name="Lovelace")
    token = Token.objects.create(user=user)

    authenticated, found = TokenAuthentication().authenticate_credentials(token.key)

    expected = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(authenticated, field.attname) == getattr(expected, field.attname), field
    assert found.key == token.key
    assert found.created == Token.objects.get(pk=token.key).created
    assert found.user is authenticated
    authenticated.time_zone = "UTC"
    authenticated.save(update_fields=["time_zone"])  # an ordinary, saveable instance
    assert User.objects.get(pk=user.pk).time_zone == "UTC"


# Token authentication comes first in the settings, and DRF answers a failed authentication
# with the first class's challenge, `WWW-Authenticate: Token`: hence 401.
REFUSED = 401


def test_an_unknown_token_is_refused_with_drfs_message(api_client):
    response = with_token(api_client, "Token " + "0" * 40).get(ME)

    assert response.status_code == REFUSED
    assert response.json()["detail"] == "Invalid token."


def test_the_token_of_a_deactivated_account_is_refused(api_client):
    user = StudentFactory(is_active=False)
    token = Token.objects.create(user=user)

    response = with_token(api_client, f"Token {token.key}").get(ME)

    assert response.status_code == REFUSED
    assert response.json()["detail"] == "User inactive or deleted."


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
    ],
)
def test_a_malformed_authorization_header_is_refused_with_what_is_wrong(
    api_client, header, message
):
    response = with_token(api_client, header).get(ME)

    assert response.status_code == REFUSED
    assert response.json()["detail"] == message


def test_a_deleted_token_stops_working_at_once(api_client):
    token = Token.objects.create(user=StudentFactory())
    client = with_token(api_client, f"Token {token.key}")
    assert client.get(ME).status_code == 200

    token.delete()

    assert client.get(ME).status_code == REFUSED
