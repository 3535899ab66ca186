"""REST API for classes: creating them, joining by code, rosters and assigned sets, by role."""

from __future__ import annotations

import pytest

from flashcards.models import Classroom, Membership, QuestionSet
from flashcards.selectors.content import can_view_set
from tests.flashcards.factories import QuestionSetFactory, StudentFactory, build_world, join_class

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student_in", "student_out", "owner", "other_instructor"]


@pytest.fixture
def world():
    return build_world()


def as_role(api_client, world, role):
    user = world.user(role)
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


# (method, path template, payload, expected status per role in ROLES order); anonymous is a
# 401 with a token challenge (quizsite.settings: token authentication comes first)
CLASS_ENDPOINTS = [
    ("get", "/api/classes/", None, [401, 200, 200, 200, 200]),
    ("post", "/api/classes/", {"name": "Evening group"}, [401, 403, 403, 201, 201]),
    ("get", "/api/classes/{cls}/", None, [401, 200, 404, 200, 404]),
    ("patch", "/api/classes/{cls}/", {"name": "Renamed"}, [401, 403, 404, 200, 404]),
    ("delete", "/api/classes/{cls}/", None, [401, 403, 404, 204, 404]),
    ("post", "/api/classes/join/", "code", [401, 200, 200, 400, 200]),
    ("post", "/api/classes/{cls}/leave/", None, [401, 204, 404, 400, 404]),
    ("post", "/api/classes/{cls}/regenerate-code/", None, [401, 403, 404, 200, 404]),
    ("get", "/api/classes/{cls}/members/", None, [401, 403, 404, 200, 404]),
    ("delete", "/api/classes/{cls}/members/{member}/", None, [401, 403, 404, 204, 404]),
    ("get", "/api/classes/{cls}/sets/", None, [401, 200, 404, 200, 404]),
    ("post", "/api/classes/{cls}/sets/", "own-set", [401, 403, 404, 201, 404]),
    ("delete", "/api/classes/{cls}/sets/{set}/", None, [401, 403, 404, 204, 404]),
]


@pytest.mark.parametrize(("method", "path", "payload", "expected"), CLASS_ENDPOINTS)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_class_endpoints_allow_and_deny_by_role(
    api_client, world, method, path, payload, expected, role_index
):
    role = ROLES[role_index]
    if payload == "code":
        payload = {"join_code": world.classroom.join_code}
    elif payload == "own-set":
        payload = {"question_set": QuestionSetFactory(owner=world.owner).pk}
    url = path.format(cls=world.classroom.pk, member=world.student_in.pk, set=world.assigned_set.pk)
    response = getattr(as_role(api_client, world, role), method)(url, payload, format="json")
    assert response.status_code == expected[role_index], (role, method, url, response.data)


def test_each_role_lists_only_its_own_classes(api_client, world):
    expected = {
        "student_in": [world.classroom.pk],
        "student_out": [],
        "owner": [world.classroom.pk],
        "other_instructor": [],
    }
    for role, ids in expected.items():
        as_role(api_client, world, role)
        assert [c["id"] for c in api_client.get("/api/classes/").data["results"]] == ids, role


def test_only_the_instructor_sees_the_join_code(api_client, world):
    url = f"/api/classes/{world.classroom.pk}/"
    assert as_role(api_client, world, "owner").get(url).data["join_code"] == (
        world.classroom.join_code
    )
    body = as_role(api_client, world, "student_in").get(url).data
    assert body["join_code"] is None
    assert body["is_owner"] is False
    assert body["member_count"] == 1
    assert body["question_sets"] == [world.assigned_set.pk]


def test_an_instructor_creates_a_class_with_a_readable_join_code(api_client, world):
    response = as_role(api_client, world, "owner").post(
        "/api/classes/", {"name": "Deep learning, autumn"}, format="json"
    )
    assert response.status_code == 201
    code = response.data["join_code"]
    assert len(code) == 8
    assert not set(code) & set("01IO")
    assert response.data["owner"] == "owner"


def test_a_student_joins_with_a_code_typed_sloppily_and_then_reads_the_sets(api_client, world):
    code = world.classroom.join_code
    sloppy = f" {code[:4].lower()}-{code[4:]} "
    as_role(api_client, world, "student_out")
    assert api_client.get(f"/api/sets/{world.assigned_set.pk}/").status_code == 404
    response = api_client.post("/api/classes/join/", {"join_code": sloppy}, format="json")
    assert response.status_code == 200
    assert response.data["id"] == world.classroom.pk
    assert api_client.get(f"/api/sets/{world.assigned_set.pk}/").status_code == 200
    assert api_client.get(f"/api/sets/{world.assigned_set.pk}/questions/").data["count"] == 1


def test_joining_twice_leaves_one_membership(api_client, world):
    as_role(api_client, world, "student_in")
    api_client.post("/api/classes/join/", {"join_code": world.classroom.join_code})
    assert Membership.objects.filter(user=world.student_in).count() == 1


def test_an_unknown_join_code_is_a_field_error(api_client, world):
    response = as_role(api_client, world, "student_out").post(
        "/api/classes/join/", {"join_code": "NOPE2345"}, format="json"
    )
    assert response.status_code == 400
    assert response.data == {"join_code": ["No class has this join code."]}


def test_a_student_who_leaves_loses_access_to_the_sets(api_client, world):
    as_role(api_client, world, "student_in")
    assert api_client.post(f"/api/classes/{world.classroom.pk}/leave/").status_code == 204
    assert not can_view_set(world.student_in, world.assigned_set)
    assert api_client.get(f"/api/classes/{world.classroom.pk}/").status_code == 404


def test_the_roster_lists_members_for_the_instructor(api_client, world):
    late = StudentFactory(username="late_joiner")
    join_class(late, world.classroom)
    response = as_role(api_client, world, "owner").get(
        f"/api/classes/{world.classroom.pk}/members/"
    )
    assert [m["user"]["username"] for m in response.data["results"]] == [
        "late_joiner",
        "student_in",
    ]


def test_removing_a_member_takes_away_their_access(api_client, world):
    as_role(api_client, world, "owner")
    url = f"/api/classes/{world.classroom.pk}/members/{world.student_in.pk}/"
    assert api_client.delete(url).status_code == 204
    assert not can_view_set(world.student_in, world.assigned_set)
    assert api_client.delete(url).status_code == 400


def test_a_new_join_code_locks_out_the_old_one(api_client, world):
    old = world.classroom.join_code
    response = as_role(api_client, world, "owner").post(
        f"/api/classes/{world.classroom.pk}/regenerate-code/"
    )
    assert response.data["join_code"] != old
    as_role(api_client, world, "student_out")
    assert api_client.post("/api/classes/join/", {"join_code": old}).status_code == 400
    assert Membership.objects.filter(user=world.student_in).exists()


def test_assigning_a_private_set_shares_it_with_the_class(api_client, world):
    draft = QuestionSetFactory(owner=world.owner, title="Draft chapter")
    response = as_role(api_client, world, "owner").post(
        f"/api/classes/{world.classroom.pk}/sets/", {"question_set": draft.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.data["visibility"] == "classes"
    assert can_view_set(world.student_in, draft)
    assert not can_view_set(world.student_out, draft)
    listed = api_client.get(f"/api/classes/{world.classroom.pk}/sets/").data["results"]
    assert [s["title"] for s in listed] == ["Training a digit classifier", "Draft chapter"]


def test_an_instructor_may_assign_a_public_set_of_someone_else(api_client, world):
    response = as_role(api_client, world, "owner").post(
        f"/api/classes/{world.classroom.pk}/sets/",
        {"question_set": world.public_set.pk},
        format="json",
    )
    assert response.status_code == 201
    world.public_set.refresh_from_db()
    assert world.public_set.visibility == QuestionSet.Visibility.PUBLIC


def test_an_instructor_cannot_pass_on_a_set_shared_with_their_class(api_client, world):
    """Another instructor's classes-only set, readable through one class, stays put."""
    foreign = QuestionSetFactory(
        owner=world.other_instructor, visibility=QuestionSet.Visibility.CLASSES
    )
    foreign_class = Classroom.objects.create(owner=world.other_instructor, name="Theirs")
    foreign_class.question_sets.add(foreign)
    join_class(world.owner, foreign_class)
    assert can_view_set(world.owner, foreign)
    response = as_role(api_client, world, "owner").post(
        f"/api/classes/{world.classroom.pk}/sets/", {"question_set": foreign.pk}, format="json"
    )
    assert response.status_code == 403
    assert not world.classroom.question_sets.filter(pk=foreign.pk).exists()


def test_an_invisible_set_cannot_be_assigned(api_client, world):
    hidden = QuestionSetFactory(owner=world.other_instructor)
    response = as_role(api_client, world, "owner").post(
        f"/api/classes/{world.classroom.pk}/sets/", {"question_set": hidden.pk}, format="json"
    )
    assert response.status_code == 404


def test_unassigning_a_set_hides_it_from_the_class_but_keeps_it(api_client, world):
    as_role(api_client, world, "owner").delete(
        f"/api/classes/{world.classroom.pk}/sets/{world.assigned_set.pk}/"
    )
    assert QuestionSet.objects.filter(pk=world.assigned_set.pk).exists()
    assert not can_view_set(world.student_in, world.assigned_set)


def test_a_class_needs_a_name(api_client, world):
    response = as_role(api_client, world, "owner").post(
        "/api/classes/", {"name": " "}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.data
