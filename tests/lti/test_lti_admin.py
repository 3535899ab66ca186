"""Registering a platform in the admin, as the README tells an administrator to."""

from __future__ import annotations

import json

import pytest
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool, LtiToolKey

from tests.flashcards.factories import InstructorFactory, StudentFactory, UserFactory
from tests.lti import platform as simulated

ADD_URL = "/admin/lti1p3_tool_config/ltitool/add/"
FORM = {
    "title": "School Moodle",
    "is_active": "on",
    "issuer": simulated.ISSUER,
    "client_id": simulated.CLIENT_ID,
    "auth_login_url": "https://moodle.school.example/mod/lti/auth.php",
    "auth_token_url": "https://moodle.school.example/mod/lti/token.php",
    "auth_audience": "",
    "key_set_url": "https://moodle.school.example/mod/lti/certs.php",
    "key_set": "",
    "deployment_ids": json.dumps(["1"]),
}


@pytest.fixture
def administrator(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_an_administrator_registers_a_platform_and_the_tool_key_is_attached(client, administrator):
    client.force_login(administrator)
    response = client.post(ADD_URL, FORM)
    assert response.status_code == 302, response.content
    platform = LtiTool.objects.get()
    assert platform.issuer == simulated.ISSUER
    assert platform.tool_key == LtiToolKey.objects.get(name="quizsite")
    assert "BEGIN PRIVATE KEY" in platform.tool_key.private_key


def test_a_deployment_list_that_is_not_json_is_refused_on_the_form(client, administrator):
    client.force_login(administrator)
    response = client.post(ADD_URL, {**FORM, "deployment_ids": "1, 2"})
    assert response.status_code == 200
    assert "Should be a list" in response.content.decode()
    assert not LtiTool.objects.exists()


def test_the_key_page_never_shows_the_private_key(client, administrator):
    client.get(simulated.TOOL_JWKS_PATH)  # makes the key
    client.force_login(administrator)
    key = LtiToolKey.objects.get()
    page = client.get(f"/admin/lti1p3_tool_config/ltitoolkey/{key.pk}/change/")
    assert page.status_code == 200
    assert "PRIVATE KEY" not in page.content.decode()
    assert "PUBLIC KEY" in page.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "student", "instructor"])
def test_only_administrators_reach_the_platform_pages(client, db, role):
    if role != "anonymous":
        client.force_login(StudentFactory() if role == "student" else InstructorFactory())
    response = client.get(ADD_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
