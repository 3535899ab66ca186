from __future__ import annotations

import pytest

from tests.lti import platform as simulated
from tests.lti.factories import RegisteredPlatformFactory
from tests.lti.flows import deep_link, graded_quiz


@pytest.fixture
def platform(db, client):
    """A platform on a local port, registered in the site as an administrator would."""
    tool_jwks: dict = {}
    moodle = simulated.Platform(lambda: tool_jwks).start()
    RegisteredPlatformFactory(base_url=moodle.url)
    # What the platform knows of the tool's keys: the site's JWKS endpoint, read once here.
    tool_jwks.update(client.get(simulated.TOOL_JWKS_PATH).json())
    yield moodle
    moodle.stop()


@pytest.fixture
def linked_quiz(platform):
    """A quiz an instructor linked to an activity by deep linking: (content item, quiz)."""
    return deep_link(platform, "quiz:{pk}", make_content=graded_quiz)
