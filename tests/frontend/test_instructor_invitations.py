"""The instructor role comes from an invitation link (single-use, expiring) or the admin;
no endpoint lets a student grant it to themselves."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from flashcards.models import InstructorInvitation, User
from flashcards.services import invitations
from tests.flashcards.factories import PASSWORD, InstructorFactory, StudentFactory

pytestmark = pytest.mark.django_db


def make_link(client, creator) -> str:
    client.force_login(creator)
    page = client.post(reverse("invitation-list"), {"note": "Maria"}).content.decode()
    found = re.search(r'value="https?://[^/"]+(/accounts/invitations/[^/"]+/)"', page)
    assert found, page
    client.logout()
    return found.group(1)


def accept(client, user, link, **data):
    client.force_login(user)
    return client.post(link, data)


def test_an_invitation_makes_a_student_an_instructor_once(client):
    link = make_link(client, InstructorFactory())
    first, second = StudentFactory(), StudentFactory()

    response = accept(client, first, link)

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.role == User.Role.INSTRUCTOR
    assert accept(client, second, link).status_code == 404
    second.refresh_from_db()
    assert second.role == User.Role.STUDENT
    invitation = InstructorInvitation.objects.get()
    assert invitation.used_by == first


def test_an_administrator_can_invite_too(client):
    admin = StudentFactory(is_staff=True, is_superuser=True)
    link = make_link(client, admin)
    student = StudentFactory()
    accept(client, student, link)
    student.refresh_from_db()
    assert student.is_instructor


def test_an_invitation_expires(client, settings):
    settings.INSTRUCTOR_INVITATION_DAYS = 2
    link = make_link(client, InstructorFactory())
    student = StudentFactory()

    with time_machine.travel(timezone.now() + timedelta(days=2, seconds=1)):
        response = accept(client, student, link)

    assert response.status_code == 404
    student.refresh_from_db()
    assert student.role == User.Role.STUDENT


def test_accepting_needs_an_email_address_and_takes_one(client):
    link = make_link(client, InstructorFactory())
    student = StudentFactory(email="")

    refused = accept(client, student, link)
    taken = accept(client, student, link, email="new.teacher@example.org")

    assert refused.status_code == 400
    assert taken.status_code == 302
    student.refresh_from_db()
    assert (student.role, student.email) == (User.Role.INSTRUCTOR, "new.teacher@example.org")


def test_an_anonymous_visitor_is_asked_to_sign_in_or_up_with_the_way_back(client):
    link = make_link(client, InstructorFactory())
    page = client.get(link).content.decode()
    assert f"{reverse('login')}?next=" in page
    assert f"{reverse('signup')}?next=" in page
    assert client.post(link).status_code == 200
    assert not InstructorInvitation.objects.filter(used_at__isnull=False).exists()


def test_a_student_cannot_make_invitations():
    with pytest.raises(PermissionDenied):
        invitations.create_invitation(created_by=StudentFactory())


def test_a_made_up_link_is_refused(client):
    student = StudentFactory()
    response = accept(client, student, reverse("invitation-accept", args=["made-up"]))
    assert response.status_code == 404
    student.refresh_from_db()
    assert student.role == User.Role.STUDENT


def test_only_a_hash_of_the_secret_is_stored(client):
    link = make_link(client, InstructorFactory())
    secret = link.rstrip("/").rsplit("/", 1)[1]
    assert InstructorInvitation.objects.get().token_hash != secret
    assert secret not in str(list(InstructorInvitation.objects.values()))


MAKERS = {
    "anonymous": lambda: None,
    "student": StudentFactory,
    "instructor": InstructorFactory,
    "other_instructor": InstructorFactory,
    "admin": lambda: StudentFactory(is_staff=True, is_superuser=True),
}


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("student", 403), ("instructor", 200), ("admin", 200)],
)
def test_who_may_open_the_invitations_page(client, role, status):
    user = MAKERS[role]()
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("invitation-list")).status_code == status
    assert client.post(reverse("invitation-list"), {"note": "x"}).status_code == status
    made = InstructorInvitation.objects.count()
    assert made == (1 if status == 200 else 0)


def test_an_instructor_sees_only_their_own_invitations(client):
    mine, other = InstructorFactory(), InstructorFactory()
    invitations.create_invitation(created_by=other, note="theirs-note")
    client.force_login(mine)
    assert "theirs-note" not in client.get(reverse("invitation-list")).content.decode()


def test_a_student_cannot_grant_themselves_the_role_through_any_endpoint(client):
    student = StudentFactory()
    client.force_login(student)
    api = APIClient()
    api.force_authenticate(student)

    answers = [
        api.patch(reverse("flashcards:api-me"), {"role": "instructor"}).status_code,
        api.put(reverse("flashcards:api-me"), {"role": "instructor"}).status_code,
        client.post(
            reverse("settings"), {"language": "", "time_zone": "UTC", "role": "instructor"}
        ).status_code,
        client.post(
            reverse("email-address"), {"email": "s@example.org", "role": "instructor"}
        ).status_code,
        client.post(reverse("invitation-list"), {"note": "me"}).status_code,
        client.post(reverse("invitation-accept", args=["guess"])).status_code,
    ]
    client.logout()
    signup = client.post(
        reverse("signup"), {"username": "sneaky", "password": PASSWORD, "role": "instructor"}
    )

    assert answers[:2] == [405, 405]
    assert answers[4:] == [403, 404]
    assert signup.status_code == 302
    student.refresh_from_db()
    assert student.role == User.Role.STUDENT
    assert User.objects.get(username="sneaky").role == User.Role.STUDENT
    assert not User.objects.filter(role=User.Role.INSTRUCTOR).exists()


def test_a_used_invitation_cannot_be_reused_by_the_same_or_another_student(client):
    link = make_link(client, InstructorFactory())
    token = link.rstrip("/").rsplit("/", 1)[1]
    first, second = StudentFactory(), StudentFactory()
    invitations.accept_invitation(token=token, user=first)
    first.role = User.Role.STUDENT  # say an admin took the role back
    first.save()

    for student in (first, second):
        assert accept(client, student, link).status_code == 404
        student.refresh_from_db()
        assert student.role == User.Role.STUDENT
