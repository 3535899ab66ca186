"""Assigning sets to classes from the pages: the class page and the set form, per role.

Both go through `assign_set` / `unassign_set`, so the API's rules hold: only the class's
instructor assigns, and only sets they edit or public ones.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from flashcards.models import QuestionSet
from flashcards.services.study import sync_cards
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
)
from tests.flashcards.factories import join_class as join

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = InstructorFactory()
    classroom = ClassroomFactory(owner=owner, name="Monday group")
    student = StudentFactory()
    join(student, classroom)
    own_set = QuestionSetFactory(owner=owner, title="Loss functions")
    QuestionFactory(question_set=own_set, prompt="What does cross-entropy punish?")
    return {
        "owner": owner,
        "classroom": classroom,
        "student": student,
        "set": own_set,
        "someone_elses": QuestionSetFactory(
            owner=InstructorFactory(), title="Private notes", visibility="private"
        ),
    }


def test_the_instructor_assigns_a_set_on_the_class_page_and_students_see_it_at_once(client, world):
    client.force_login(world["student"])
    assert "Loss functions" not in client.get(reverse("dashboard")).content.decode()

    client.force_login(world["owner"])
    url = reverse("class-detail", args=[world["classroom"].pk])
    page = client.get(url).content.decode()
    assert f'<option value="{world["set"].pk}">Loss functions</option>' in page
    assert "Private notes" not in page
    response = client.post(url, {"action": "assign", "question_set": world["set"].pk})
    assert response.status_code == 302
    assert list(world["set"].classrooms.all()) == [world["classroom"]]
    world["set"].refresh_from_db()
    assert world["set"].visibility == QuestionSet.Visibility.CLASSES

    client.force_login(world["student"])
    sync_cards(questions=world["set"].questions.all())
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Loss functions" in dashboard
    assert reverse("study-set", args=[world["set"].pk]) in dashboard


def test_the_instructor_unassigns_a_set_on_the_class_page(client, world):
    world["classroom"].question_sets.add(world["set"])
    client.force_login(world["owner"])
    url = reverse("class-detail", args=[world["classroom"].pk])
    assert "Unassign" in client.get(url).content.decode()
    response = client.post(url, {"action": "unassign", "set": world["set"].pk}, follow=True)
    assert "is no longer assigned to Monday group" in response.content.decode()
    assert not world["set"].classrooms.exists()


def test_it_refuses_a_set_the_instructor_may_not_assign(client, world):
    client.force_login(world["owner"])
    url = reverse("class-detail", args=[world["classroom"].pk])
    response = client.post(url, {"action": "assign", "question_set": world["someone_elses"].pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not world["classroom"].question_sets.exists()


@pytest.mark.parametrize("role", ["student", "other_instructor"])
def test_only_the_class_instructor_may_change_its_sets(client, world, role):
    user = world["student"] if role == "student" else InstructorFactory()
    client.force_login(user)
    url = reverse("class-detail", args=[world["classroom"].pk])
    response = client.post(url, {"action": "assign", "question_set": world["set"].pk})
    assert response.status_code == (403 if role == "student" else 404)
    assert not world["classroom"].question_sets.exists()


def test_the_set_form_offers_the_instructors_classes_and_assigns_on_create(client, world):
    ClassroomFactory(owner=InstructorFactory(), name="Someone else's class")
    client.force_login(world["owner"])
    page = client.get(reverse("set-create")).content.decode()
    assert "Monday group" in page
    assert "Someone else&#x27;s class" not in page
    response = client.post(
        reverse("set-create"),
        {
            "title": "Regularisation",
            "language": "en",
            "visibility": "private",
            "classes": [world["classroom"].pk],
        },
    )
    assert response.status_code == 302
    created = QuestionSet.objects.get(title="Regularisation")
    assert list(created.classrooms.all()) == [world["classroom"]]
    assert created.visibility == QuestionSet.Visibility.CLASSES


def test_the_set_form_unassigns_a_class_left_unticked_and_keeps_other_instructors(client, world):
    theirs = ClassroomFactory(owner=InstructorFactory())
    world["classroom"].question_sets.add(world["set"])
    theirs.question_sets.add(world["set"])
    client.force_login(world["owner"])
    url = reverse("set-edit", args=[world["set"].pk])
    assert "checked" in client.get(url).content.decode()
    response = client.post(
        url, {"title": "Loss functions", "language": "en", "visibility": "classes"}
    )
    assert response.status_code == 302
    assert list(world["set"].classrooms.all()) == [theirs]


def test_a_set_form_without_own_classes_has_no_class_field(client):
    client.force_login(InstructorFactory())
    assert "Classes that study it" not in client.get(reverse("set-create")).content.decode()
