"""The id_token claims this app reads, by their names in the LTI 1.3 specifications."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CONTEXT = LTI + "context"
RESOURCE_LINK = LTI + "resource_link"
CUSTOM = LTI + "custom"
DEPLOYMENT_ID = LTI + "deployment_id"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def section(claims: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A claim that should be an object; {} when it is missing or is not one."""
    value = claims.get(name)
    return value if isinstance(value, Mapping) else {}


def text(claims: Mapping[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    return value[:limit] if isinstance(value, str) else ""
