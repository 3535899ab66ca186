"""The steps of a launch, as a platform and a browser take them, for the LTI tests."""

from __future__ import annotations

import jwt
from django.test import Client
from jwt.algorithms import RSAAlgorithm

from lti.models import LtiIdentity
from tests.flashcards.factories import QuestionSetFactory, true_false
from tests.lti import platform as simulated
from tests.quizzes.factories import QuizFactory


def launch(client, moodle, *, sub, roles, secure=False, **claims):
    """One whole launch: login initiation, then the id_token posted to the launch URL."""
    login = simulated.begin_login(client, secure=secure)
    token = moodle.id_token(moodle.claims(nonce=login.nonce, sub=sub, roles=roles, **claims))
    form = {"id_token": token, "state": login.state}
    return client.post("/lti/launch/", form, secure=secure), token, login


def tool_claims(moodle, token: str) -> dict:
    """A JWT the tool signed, checked with the tool's published keys."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in moodle.tool_jwks()["keys"] if k["kid"] == kid)
    return jwt.decode(
        token,
        RSAAlgorithm.from_jwk(key),
        algorithms=["RS256"],
        audience=simulated.ISSUER,
        issuer=simulated.CLIENT_ID,
    )


def deep_link(moodle, content: str, *, make_content=None) -> tuple[dict, object]:
    """An instructor's deep-linking launch and choice.  `make_content(instructor)` builds the
    quiz or set once the launch has made the instructor's account; `content` may name it
    with "{pk}".  Returns (the content item the platform receives, the content)."""
    browser = Client()
    response, _token, _login = launch(
        browser,
        moodle,
        sub="teacher-1",
        roles=[simulated.INSTRUCTOR],
        message_type="LtiDeepLinkingRequest",
    )
    assert response.status_code == 200, response.content
    instructor = LtiIdentity.objects.get(subject="teacher-1").user
    made = make_content(instructor) if make_content else None
    answer = browser.post(
        "/lti/deep-link/",
        {
            "launch_id": response.context["launch_id"],
            "content": content.format(pk=getattr(made, "pk", "")),
        },
    )
    assert answer.status_code == 200, answer.content
    claims = tool_claims(moodle, answer.context["jwt"])
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    return item, made


def graded_quiz(instructor):
    """A quiz of one true/false question (true), owned by `instructor`."""
    question_set = QuestionSetFactory(owner=instructor)
    true_false(question_set, correct=True)
    return QuizFactory(owner=instructor, question_set=question_set)
