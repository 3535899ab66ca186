"""REST API for question sets and questions: who may do what, nested writes, validation
errors, versions, filtering, pagination, query counts and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from flashcards.models import Choice, NumericalAnswer, Question, QuestionSet, Tag
from tests.flashcards.factories import PASSWORD, QuestionFactory, QuestionSetFactory, build_world

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student_in", "student_out", "owner", "other_instructor", "co_editor"]


@pytest.fixture
def world():
    return build_world()


def client_for(api_client, world, role):
    user = world.user(role)
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def new_mc_payload(**extra) -> dict:
    return {
        "kind": "multiple_choice",
        "title": "Activation functions",
        "prompt": "Which of these are activation functions?",
        "answer": "ReLU and sigmoid are; **MNIST** is a data set.",
        "allow_multiple": True,
        "tags": ["Activations", "basics"],
        "choices": [
            {"text": "ReLU", "is_correct": True, "feedback": "$\\max(0, x)$"},
            {"text": "sigmoid", "is_correct": True},
            {"text": "MNIST", "is_correct": False, "feedback": "A data set."},
        ],
        **extra,
    }


# --- authorization: every endpoint × role -------------------------------------------------------

# (method, path template, payload, expected status per role in ROLES order)
SET_ENDPOINTS = [
    ("get", "/api/sets/", None, [401, 200, 200, 200, 200, 200]),
    ("post", "/api/sets/", {"title": "New chapter"}, [401, 403, 403, 201, 201, 201]),
    ("get", "/api/sets/{set}/", None, [401, 200, 404, 200, 404, 200]),
    ("patch", "/api/sets/{set}/", {"title": "Renamed"}, [401, 403, 404, 200, 404, 200]),
    ("patch", "/api/sets/{set}/", {"visibility": "public"}, [401, 403, 404, 200, 404, 403]),
    ("delete", "/api/sets/{set}/", None, [401, 403, 404, 204, 404, 403]),
    ("post", "/api/sets/{set}/reorder/", "reorder", [401, 403, 404, 204, 404, 204]),
    ("get", "/api/sets/{set}/questions/", None, [401, 200, 404, 200, 404, 200]),
    ("post", "/api/sets/{set}/questions/", "question", [401, 403, 404, 201, 404, 201]),
    ("get", "/api/questions/", None, [401, 200, 200, 200, 200, 200]),
    ("get", "/api/questions/{question}/", None, [401, 200, 404, 200, 404, 200]),
    ("patch", "/api/questions/{question}/", {"prompt": "New?"}, [401, 403, 404, 200, 404, 200]),
    ("put", "/api/questions/{question}/", "full", [401, 403, 404, 200, 404, 200]),
    ("delete", "/api/questions/{question}/", None, [401, 403, 404, 204, 404, 204]),
    ("get", "/api/me/", None, [401, 200, 200, 200, 200, 200]),
]


def _payload(world, payload):
    if payload == "reorder":
        return {"question_ids": [world.question.pk]}
    if payload == "question":
        return new_mc_payload()
    if payload == "full":
        return {**new_mc_payload(), "choices": [{"text": "a", "is_correct": True}, {"text": "b"}]}
    return payload


@pytest.mark.parametrize(("method", "path", "payload", "expected"), SET_ENDPOINTS)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_set_and_question_endpoints_allow_and_deny_by_role(
    api_client, world, method, path, payload, expected, role_index
):
    role = ROLES[role_index]
    client = client_for(api_client, world, role)
    url = path.format(set=world.assigned_set.pk, question=world.question.pk)
    response = getattr(client, method)(url, _payload(world, payload), format="json")
    assert response.status_code == expected[role_index], (role, method, url, response.data)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student_out", [200, 403, 403]),
        ("owner", [200, 403, 403]),
        ("other_instructor", [200, 200, 201]),
    ],
)
def test_a_public_set_is_readable_by_everyone_signed_in_and_writable_by_its_editors(
    api_client, world, role, expected
):
    client = client_for(api_client, world, role)
    url = f"/api/sets/{world.public_set.pk}/"
    statuses = [
        client.get(url).status_code,
        client.patch(url, {"title": "Mine now"}).status_code,
        client.post(f"{url}questions/", new_mc_payload()).status_code,
    ]
    assert statuses == expected


def test_listing_sets_shows_each_role_only_what_it_may_read(api_client, world):
    private = QuestionSetFactory(owner=world.owner, title="Draft")
    expected = {
        "student_in": {world.assigned_set.pk, world.public_set.pk},
        "student_out": {world.public_set.pk},
        "owner": {world.assigned_set.pk, world.public_set.pk, private.pk},
        "other_instructor": {world.public_set.pk},
        "co_editor": {world.assigned_set.pk, world.public_set.pk},
    }
    for role, ids in expected.items():
        api_client.force_authenticate(world.user(role))
        listed = {item["id"] for item in api_client.get("/api/sets/").data["results"]}
        assert listed == ids, role


def test_listing_questions_never_leaks_questions_of_sets_one_cannot_read(api_client, world):
    api_client.force_authenticate(world.student_out)
    response = api_client.get("/api/questions/", {"question_set": world.assigned_set.pk})
    assert response.status_code == 200
    assert response.data["results"] == []


def test_session_and_token_authentication_both_work(api_client, world):
    assert api_client.login(username="owner", password=PASSWORD)
    assert api_client.get("/api/me/").data["role"] == "instructor"
    api_client.logout()

    response = api_client.post(
        "/api/auth/token/", {"username": "student_in", "password": PASSWORD}, format="json"
    )
    token = response.data["token"]
    assert token == Token.objects.get(user=world.student_in).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/me/").data["username"] == "student_in"


def test_students_cannot_create_sets_even_through_the_service(world):
    from django.core.exceptions import PermissionDenied

    from flashcards.services.content import create_question_set

    with pytest.raises(PermissionDenied):
        create_question_set(owner=world.student_in, title="Sneaky")


# --- sets -------------------------------------------------------------------------------------


def test_an_instructor_creates_a_set_with_tags_and_co_editors(api_client, world):
    api_client.force_authenticate(world.owner)
    response = api_client.post(
        "/api/sets/",
        {
            "title": "Training neural networks",
            "description": "Softmax, $\\mathrm{CE}$ and friends.",
            "language": "pt-BR",
            "tags": ["Deep  Learning", "deep learning", "mnist"],
            "co_editors": ["coeditor"],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    body = response.data
    assert body["owner"] == "owner"
    assert body["tags"] == ["Deep Learning", "mnist"]  # case kept, one tag per spelling
    assert body["co_editors"] == ["coeditor"]
    assert body["visibility"] == "private"
    assert body["question_count"] == 0
    assert body["can_edit"] is True
    assert "<math" in body["description_html"]


def test_co_editors_must_be_instructors(api_client, world):
    api_client.force_authenticate(world.owner)
    response = api_client.patch(
        f"/api/sets/{world.assigned_set.pk}/", {"co_editors": ["student_in"]}, format="json"
    )
    assert response.status_code == 400
    assert response.data == {"co_editors": ["Co-editors must be instructors."]}


def test_a_set_title_cannot_be_blank(api_client, world):
    api_client.force_authenticate(world.owner)
    response = api_client.post("/api/sets/", {"title": "  "}, format="json")
    assert response.status_code == 400
    assert "title" in response.data
    assert not QuestionSet.objects.filter(title="").exists()


def test_sets_can_be_filtered_searched_and_ordered(api_client, world):
    api_client.force_authenticate(world.owner)
    world.assigned_set.tags.add(Tag.objects.create(name="mnist"))
    QuestionSetFactory(owner=world.owner, title="Transformers", language="da")

    def titles(**params):
        response = api_client.get("/api/sets/", params)
        assert response.status_code == 200, response.data
        return [item["title"] for item in response.data["results"]]

    assert titles(tag="mnist") == ["Training a digit classifier"]
    assert titles(language="da") == ["Transformers"]
    assert titles(visibility="public") == ["Public chapter"]
    assert titles(search="digit") == ["Training a digit classifier"]
    assert titles(editable="false") == ["Public chapter"]
    assert titles(classroom=world.classroom.pk) == ["Training a digit classifier"]
    assert titles(owner="other") == ["Public chapter"]
    assert titles(ordering="-title") == [
        "Transformers",
        "Training a digit classifier",
        "Public chapter",
    ]


def test_sets_are_paginated(api_client, world):
    api_client.force_authenticate(world.owner)
    for number in range(5):
        QuestionSetFactory(owner=world.owner, title=f"Extra {number}")
    page = api_client.get("/api/sets/", {"page_size": 3}).data
    assert page["count"] == 7
    assert len(page["results"]) == 3
    assert page["next"]


def test_reordering_needs_every_question_exactly_once(api_client, world):
    api_client.force_authenticate(world.owner)
    second = QuestionFactory(question_set=world.assigned_set)
    url = f"/api/sets/{world.assigned_set.pk}/reorder/"
    assert api_client.post(url, {"question_ids": [second.pk]}, format="json").status_code == 400
    ids = [second.pk, world.question.pk]
    assert api_client.post(url, {"question_ids": ids}, format="json").status_code == 204
    listed = api_client.get(f"/api/sets/{world.assigned_set.pk}/questions/").data["results"]
    assert [item["id"] for item in listed] == ids


# --- questions: nested writes ------------------------------------------------------------------


def test_an_editor_creates_a_question_with_its_choices_in_one_request(api_client, world):
    api_client.force_authenticate(world.co_editor)
    response = api_client.post(
        f"/api/sets/{world.assigned_set.pk}/questions/", new_mc_payload(), format="json"
    )
    assert response.status_code == 201, response.data
    body = response.data
    assert body["question_set"] == world.assigned_set.pk
    assert body["version"] == 1
    assert body["position"] == world.question.position + 1
    assert body["tags"] == ["Activations", "basics"]
    assert [c["text"] for c in body["choices"]] == ["ReLU", "sigmoid", "MNIST"]
    assert body["choices"][0]["feedback_html"].startswith("<p><math")
    assert "<strong>MNIST</strong>" in body["answer_html"]
    assert Choice.objects.filter(question_id=body["id"]).count() == 3


def test_a_numerical_question_is_created_with_its_answers(api_client, world):
    api_client.force_authenticate(world.owner)
    payload = {
        "kind": "numerical",
        "title": "Epochs, batches and gradient updates",
        "prompt": "60,000 images, batch size 128, 5 epochs: how many updates?",
        "numerical_answers": [
            {"value": 2345, "feedback": "$\\lceil 60000/128 \\rceil \\times 5$"},
            {"minimum": 2340, "maximum": 2350, "weight": "50.00"},
        ],
    }
    response = api_client.post(
        f"/api/sets/{world.assigned_set.pk}/questions/", payload, format="json"
    )
    assert response.status_code == 201, response.data
    answers = response.data["numerical_answers"]
    assert answers[0]["value"] == 2345
    assert answers[0]["tolerance"] == 0
    assert answers[1]["minimum"] == 2340
    assert answers[1]["weight"] == "50.00"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            new_mc_payload(choices=[{"text": "a"}, {"text": "b"}]),
            {"choices": ["Mark at least one choice as correct."]},
        ),
        (
            new_mc_payload(choices=[{"text": "a", "is_correct": True}]),
            {"choices": ["A multiple-choice question needs at least two choices."]},
        ),
        (
            {
                "kind": "numerical",
                "prompt": "p",
                "numerical_answers": [{"value": 1, "tolerance": -0.5}],
            },
            {"numerical_answers": {0: {"tolerance": ["The tolerance cannot be negative."]}}},
        ),
        (
            {
                "kind": "numerical",
                "prompt": "p",
                "numerical_answers": [{"value": 1}, {"minimum": 3, "maximum": 2}],
            },
            {"numerical_answers": {1: {"minimum": ["The minimum is greater than the maximum."]}}},
        ),
        (
            {"kind": "true_false", "prompt": "ReLU is linear."},
            {"correct_boolean": ["Say whether the statement is true or false."]},
        ),
        (
            new_mc_payload(choices=[{"text": "a", "is_correct": True}, {"text": " "}]),
            {"choices": {1: {"text": ["This field may not be blank."]}}},
        ),
        (
            {"kind": "essay", "prompt": "p"},
            {"kind": ['"essay" is not a valid choice.']},
        ),
    ],
    ids=[
        "no-correct-choice",
        "one-choice",
        "negative-tolerance",
        "range-min-over-max",
        "true-false-without-answer",
        "blank-choice-text",
        "unknown-kind",
    ],
)
def test_invalid_questions_get_field_level_errors_and_nothing_is_saved(
    api_client, world, payload, errors
):
    api_client.force_authenticate(world.owner)
    before = Question.objects.count(), Choice.objects.count(), NumericalAnswer.objects.count()
    response = api_client.post(
        f"/api/sets/{world.assigned_set.pk}/questions/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.data == errors
    after = Question.objects.count(), Choice.objects.count(), NumericalAnswer.objects.count()
    assert after == before


def test_several_problems_with_the_list_and_its_items_are_all_reported(api_client, world):
    api_client.force_authenticate(world.owner)
    payload = new_mc_payload(choices=[{"text": "a"}, {"text": "b", "weight": 100}])
    response = api_client.post(
        f"/api/sets/{world.assigned_set.pk}/questions/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.data == {
        "choices": {
            "non_field_errors": ["Mark at least one choice as correct."],
            1: {"weight": ["A wrong choice cannot be worth 100%."]},
        }
    }


def test_updating_choices_keeps_ids_adds_new_ones_and_deletes_missing_ones(api_client, world):
    api_client.force_authenticate(world.owner)
    url = f"/api/questions/{world.question.pk}/"
    sigmoid, relu, _identity = world.question.choices.all()
    response = api_client.patch(
        url,
        {
            "choices": [
                {"id": relu.pk, "text": "ReLU", "is_correct": False},
                {"id": sigmoid.pk, "text": "sigmoid (logistic)", "is_correct": True},
                {"text": "tanh", "is_correct": False},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    choices = response.data["choices"]
    assert [c["text"] for c in choices] == ["ReLU", "sigmoid (logistic)", "tanh"]
    assert [c["id"] for c in choices[:2]] == [relu.pk, sigmoid.pk]
    assert not Choice.objects.filter(pk=_identity.pk).exists()


def test_an_answer_id_from_another_question_is_rejected(api_client, world):
    api_client.force_authenticate(world.owner)
    other = QuestionFactory(question_set=world.assigned_set, kind="multiple_choice")
    foreign = Choice.objects.create(question=other, text="x", is_correct=True)
    response = api_client.patch(
        f"/api/questions/{world.question.pk}/",
        {"choices": [{"id": foreign.pk, "text": "x", "is_correct": True}, {"text": "y"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.data == {"choices": {0: {"id": ["This is not one of the question's answers."]}}}
    foreign.refresh_from_db()
    assert foreign.question_id == other.pk


def test_a_content_edit_bumps_the_version_and_a_no_op_or_a_move_does_not(api_client, world):
    api_client.force_authenticate(world.owner)
    url = f"/api/questions/{world.question.pk}/"
    assert api_client.patch(url, {"prompt": world.question.prompt}).data["version"] == 1
    assert api_client.patch(url, {"position": 7, "tags": ["x"], "title": "T"}).data["version"] == 1
    assert api_client.patch(url, {"prompt": "Which squashes into (0, 1)?"}).data["version"] == 2
    choices = api_client.get(url).data["choices"]
    choices[1]["feedback"] = "ReLU is unbounded above."
    assert api_client.patch(url, {"choices": choices}, format="json").data["version"] == 3


def test_changing_the_kind_requires_the_answers_of_the_new_kind(api_client, world):
    api_client.force_authenticate(world.owner)
    url = f"/api/questions/{world.question.pk}/"
    response = api_client.patch(url, {"kind": "true_false", "correct_boolean": True})
    assert response.status_code == 400
    assert response.data == {"choices": ["A true/false question has no choices."]}
    response = api_client.patch(
        url, {"kind": "true_false", "correct_boolean": True, "choices": []}, format="json"
    )
    assert response.status_code == 200
    assert response.data["choices"] == []
    assert response.data["version"] == 2


def test_a_free_text_question_keeps_its_rubric(api_client, world):
    api_client.force_authenticate(world.owner)
    payload = {
        "kind": "free_text",
        "prompt": "Why do we need a loss *and* a metric?",
        "answer": "The loss must be smooth for gradients; the metric is what people care about.",
        "rubric": [
            {"criterion": "Loss is differentiable", "points": 1},
            {"criterion": "Metric is for humans", "points": 0.5},
        ],
    }
    response = api_client.post(
        f"/api/sets/{world.assigned_set.pk}/questions/", payload, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["rubric"] == payload["rubric"]


def test_questions_can_be_filtered_by_set_kind_tag_and_searched(api_client, world):
    api_client.force_authenticate(world.owner)
    flash = QuestionFactory(question_set=world.assigned_set, prompt="What is broadcasting?")
    flash.tags.add(Tag.objects.create(name="tensors"))

    def ids(**params):
        return [item["id"] for item in api_client.get("/api/questions/", params).data["results"]]

    assert ids(question_set=world.assigned_set.pk, kind="flashcard") == [flash.pk]
    assert ids(tag="tensors") == [flash.pk]
    assert ids(search="broadcasting") == [flash.pk]
    assert ids(kind="multiple_choice") == [world.question.pk]


# --- performance -----------------------------------------------------------------------------


def make_big_set(owner, size: int) -> QuestionSet:
    """`size` multiple-choice questions with four choices and two tags, in bulk."""
    question_set = QuestionSetFactory(owner=owner, title=f"{size} questions")
    tags = [Tag.objects.create(name=f"tag-{size}-{n}") for n in range(2)]
    questions = [
        Question(
            question_set=question_set,
            kind=Question.Kind.MULTIPLE_CHOICE,
            position=n,
            prompt=f"Question {n}: what is $x^{n}$?",
            answer="It is `x ** n`.",
        )
        for n in range(size)
    ]
    for question in questions:
        question.render_rich_text_fields()
    questions = Question.objects.bulk_create(questions)
    choices = [
        Choice(question=q, position=p, text=f"choice {p}", is_correct=p == 0)
        for q in questions
        for p in range(4)
    ]
    for choice in choices:
        choice.render_rich_text_fields()
    Choice.objects.bulk_create(choices)
    through = Question.tags.through
    through.objects.bulk_create(
        [through(question_id=q.pk, tag_id=t.pk) for q in questions for t in tags]
    )
    return question_set


def test_listing_a_500_question_set_takes_a_constant_number_of_queries(
    api_client, world, django_assert_max_num_queries
):
    api_client.force_login(world.owner)  # session auth, as the browser does
    small = make_big_set(world.owner, 5)
    big = make_big_set(world.owner, 500)

    with CaptureQueriesContext(connection) as small_queries:
        response = api_client.get(f"/api/sets/{small.pk}/questions/", {"page_size": 500})
    assert len(response.data["results"]) == 5

    with django_assert_max_num_queries(len(small_queries)):
        response = api_client.get(f"/api/sets/{big.pk}/questions/", {"page_size": 500})
    assert response.status_code == 200
    assert len(response.data["results"]) == 500
    assert len(response.data["results"][499]["choices"]) == 4
    assert len(response.data["results"][499]["tags"]) == 2
    assert len(small_queries) <= 10


def test_listing_sets_takes_a_constant_number_of_queries(
    api_client, world, django_assert_max_num_queries
):
    api_client.force_login(world.owner)
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/sets/")
    for number in range(20):
        question_set = QuestionSetFactory(owner=world.owner, title=f"More {number}")
        question_set.co_editors.add(world.co_editor)
    with django_assert_max_num_queries(len(few)):
        response = api_client.get("/api/sets/")
    assert response.data["count"] == 22


# --- schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_covers_these_endpoints_without_warnings(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    captured = capsys.readouterr()
    assert "Warning" not in captured.err
    assert "Error" not in captured.err


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/sets/{id}/", "/api/sets/{set_id}/questions/", "/api/classes/join/"):
        assert path in text
    assert client.get("/api/docs/").status_code == 200
