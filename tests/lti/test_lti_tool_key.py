"""The tool's key pair: made once, kept in the database, replaced only when asked."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiToolKey

from lti.services import keys

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("lti_tool_key", *args, stdout=out)
    return out.getvalue()


def test_the_command_makes_the_key_once_and_prints_its_kid():
    first = run()
    assert run() == first
    key = LtiToolKey.objects.get()
    assert keys.public_kid(key) in first
    assert key.private_key.startswith("-----BEGIN PRIVATE KEY-----")


def test_rotating_replaces_the_pair_and_the_jwks_publishes_the_new_one(client):
    old = keys.public_kid(keys.site_key())
    printed = run("--rotate")
    new = keys.public_kid(LtiToolKey.objects.get())
    assert new != old
    assert new in printed
    assert [k["kid"] for k in client.get("/lti/jwks.json").json()["keys"]] == [new]
