"""Deep linking: an instructor picks a quiz or a set; the platform gets a JWT signed with the
tool's published key, whose content item opens exactly that in later launches."""

from __future__ import annotations

import pytest
from django.test import Client

from flashcards.models import QuestionSet
from lti import content_refs
from lti.models import LtiIdentity
from tests.flashcards.factories import InstructorFactory, QuestionSetFactory, StudentFactory
from tests.lti import platform as simulated
from tests.lti.flows import deep_link, graded_quiz, launch, tool_claims

DL = "LtiDeepLinkingRequest"
ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def deep_linking_launch(browser, moodle, roles=(simulated.INSTRUCTOR,)):
    response, _token, _login = launch(
        browser, moodle, sub="teacher-1", roles=list(roles), message_type=DL
    )
    return response


def test_a_chosen_quiz_comes_back_as_a_graded_resource_link(platform):
    item, quiz = deep_link(platform, "quiz:{pk}", make_content=graded_quiz)
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == "http://testserver/lti/launch/"
    assert item["title"] == quiz.title
    assert item["lineItem"] == {
        "scoreMaximum": 100,
        "label": quiz.title,
        "resourceId": f"quiz-{quiz.pk}",
    }
    ref = content_refs.read(
        item["custom"][content_refs.CUSTOM_PARAMETER],
        issuer=simulated.ISSUER,
        client_id=simulated.CLIENT_ID,
    )
    assert ref == content_refs.ContentRef(content_refs.QUIZ, quiz.pk)


def test_the_answer_jwt_is_addressed_to_the_platform_and_echoes_its_data(platform):
    browser = Client()
    response = deep_linking_launch(browser, platform)
    instructor = LtiIdentity.objects.get(subject="teacher-1").user
    quiz = graded_quiz(instructor)
    form = {"launch_id": response.context["launch_id"], "content": f"quiz:{quiz.pk}"}
    answer = browser.post("/lti/deep-link/", form)
    assert answer.context["return_url"] == f"{platform.url}/deep-link-return"

    claims = tool_claims(platform, answer.context["jwt"])
    lti = "https://purl.imsglobal.org/spec/lti/claim/"
    assert claims[lti + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[lti + "deployment_id"] == simulated.DEPLOYMENT_ID
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "platform-opaque-data"
    # The page posts itself to the platform: the CSP lets this one form go there.
    assert f"form-action 'self' {platform.url}" in answer["Content-Security-Policy"]
    assert f"frame-ancestors {platform.url}" in answer["Content-Security-Policy"]
    assert "X-Frame-Options" not in answer


def test_a_chosen_set_opens_the_set_for_students_without_a_grade(platform):
    item, question_set = deep_link(
        platform, "set:{pk}", make_content=lambda owner: QuestionSetFactory(owner=owner)
    )
    assert "lineItem" not in item
    response, _token, _login = launch(
        Client(), platform, sub="student-9", roles=[simulated.LEARNER], custom=item["custom"]
    )
    assert response.status_code == 302
    assert response["Location"] == f"/sets/{question_set.pk}/"
    student = LtiIdentity.objects.get(subject="student-9").user
    assert question_set.classrooms.filter(members=student).exists()


def test_the_picker_lists_only_the_instructors_own_quizzes_and_sets(platform):
    someone_elses = graded_quiz(InstructorFactory())
    browser = Client()
    first = deep_linking_launch(browser, platform)
    instructor = LtiIdentity.objects.get(subject="teacher-1").user
    mine = graded_quiz(instructor)
    response = deep_linking_launch(browser, platform)
    values = [value for value, _label in response.context["choices"]]
    assert f"quiz:{mine.pk}" in values
    assert f"quiz:{someone_elses.pk}" not in values
    assert first.context["launch_id"] != response.context["launch_id"]
    answer = browser.post(
        "/lti/deep-link/",
        {"launch_id": response.context["launch_id"], "content": f"quiz:{someone_elses.pk}"},
    )
    assert answer.status_code == 422  # the picker again, nothing signed
    assert "jwt" not in answer.context


def test_a_deep_linking_request_answers_once(platform):
    browser = Client()
    response = deep_linking_launch(browser, platform)
    instructor = LtiIdentity.objects.get(subject="teacher-1").user
    quiz = graded_quiz(instructor)
    form = {"launch_id": response.context["launch_id"], "content": f"quiz:{quiz.pk}"}
    assert browser.post("/lti/deep-link/", form).status_code == 200
    again = browser.post("/lti/deep-link/", form)
    assert again.status_code == 400
    assert again.templates[0].name == "lti/refused.html"


def test_a_return_url_that_is_not_a_web_address_is_refused(platform):
    browser = Client()
    settings = {
        "deep_link_return_url": "javascript:alert(1)",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["window"],
    }
    response, _token, _login = launch(
        browser,
        platform,
        sub="teacher-1",
        roles=[simulated.INSTRUCTOR],
        message_type=DL,
        **{simulated.DL_SETTINGS: settings},
    )
    quiz = graded_quiz(LtiIdentity.objects.get(subject="teacher-1").user)
    form = {"launch_id": response.context["launch_id"], "content": f"quiz:{quiz.pk}"}
    answer = browser.post("/lti/deep-link/", form)
    assert answer.status_code == 400
    assert answer.templates[0].name == "lti/refused.html"


def test_a_learner_cannot_choose_content(platform):
    response = deep_linking_launch(Client(), platform, roles=[simulated.LEARNER])
    assert response.status_code == 403
    assert "Only instructors choose content" in response.content.decode()
    assert not LtiIdentity.objects.exists()


def test_a_linked_set_made_quiz_only_since_is_refused_not_a_500(platform):
    item, question_set = deep_link(
        platform, "set:{pk}", make_content=lambda owner: QuestionSetFactory(owner=owner)
    )
    question_set.visibility = QuestionSet.Visibility.QUIZ_ONLY
    question_set.save()
    response, _token, _login = launch(
        Client(), platform, sub="student-9", roles=[simulated.LEARNER], custom=item["custom"]
    )
    assert response.status_code == 404
    assert "This activity opens nothing in quizsite" in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "student", "instructor"])
def test_each_endpoint_answers_every_role_the_same(platform, role):
    """The tool's endpoints do not depend on a site session: the JWKS is public, and the
    launch and the deep-linking answer are authorised by what the platform signed."""
    browser = Client()
    if role != "anonymous":
        user = StudentFactory() if role == "student" else InstructorFactory()
        browser.force_login(user)
    assert browser.get(simulated.TOOL_JWKS_PATH).status_code == 200
    assert browser.post(simulated.TOOL_JWKS_PATH).status_code == 405
    assert browser.get("/lti/launch/").status_code == 405
    no_launch = browser.post("/lti/deep-link/", {"launch_id": "lti1p3-launch-forged"})
    assert no_launch.status_code == 400
    assert no_launch.templates[0].name == "lti/refused.html"
    assert browser.post("/lti/deep-link/", {}).status_code == 400
    unknown = browser.get("/lti/login/", {"iss": "https://nobody.example", "login_hint": "x"})
    assert unknown.status_code == 403
