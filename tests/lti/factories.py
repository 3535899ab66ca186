"""Factories for the LTI tests: a platform registered as the admin would register it."""

from __future__ import annotations

import json

import factory
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from lti.services import keys
from tests.lti import platform as simulated


class RegisteredPlatformFactory(factory.django.DjangoModelFactory):
    """Pass `base_url=` the simulated platform's address."""

    class Meta:
        model = LtiTool
        exclude = ["base_url"]

    base_url = "http://127.0.0.1:9"
    title = "School Moodle"
    issuer = simulated.ISSUER
    client_id = simulated.CLIENT_ID
    auth_login_url = factory.LazyAttribute(lambda o: f"{o.base_url}/auth")
    auth_token_url = factory.LazyAttribute(lambda o: f"{o.base_url}/token")
    key_set_url = factory.LazyAttribute(lambda o: f"{o.base_url}/jwks")
    deployment_ids = json.dumps([simulated.DEPLOYMENT_ID])
    tool_key = factory.LazyFunction(keys.site_key)
