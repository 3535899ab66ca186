"""Accounts, dashboard, classes and the set browser, through Django's test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flashcards.models import Membership, QuestionSet, User
from tests.flashcards.factories import (
    PASSWORD,
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
    join_class,
)

pytestmark = pytest.mark.django_db


def test_the_home_page_invites_anonymous_visitors_to_sign_up(client):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("signup") in response.content.decode()
    assert b'class="skip-link" href="#main"' in response.content


def test_the_home_page_sends_signed_in_people_to_their_dashboard(client):
    client.force_login(StudentFactory())
    assert client.get("/").url == reverse("dashboard")


def test_signing_up_creates_a_student_account_and_signs_in_even_if_instructor_is_asked(client):
    response = client.post(
        reverse("signup"),
        {"username": "ada", "email": "ada@example.org", "password": PASSWORD, "role": "instructor"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="ada")
    assert user.role == "student"
    assert client.get(reverse("dashboard")).status_code == 200


def test_sign_up_rejects_a_weak_password_and_keeps_what_was_typed(client):
    response = client.post(
        reverse("signup"),
        {"username": "bob", "email": "b@example.org", "password": "123", "role": "student"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="bob"' in page
    assert "too short" in page
    assert not User.objects.filter(username="bob").exists()


def test_sign_up_rejects_a_taken_username(client):
    StudentFactory(username="carol")
    response = client.post(
        reverse("signup"), {"username": "Carol", "password": PASSWORD, "role": "student"}
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_sign_up_offers_no_choice_of_role(client):
    page = client.get(reverse("signup")).content.decode()
    assert 'name="role"' not in page


def test_signing_in_and_out_works_with_the_auth_views(client):
    student = StudentFactory()
    response = client.post(reverse("login"), {"username": student.username, "password": PASSWORD})
    assert response.url == reverse("dashboard")
    response = client.post(reverse("logout"))
    assert response.url == reverse("home")
    assert client.get(reverse("dashboard")).status_code == 302


def test_pages_behind_sign_in_redirect_anonymous_visitors(client):
    for name in ("dashboard", "set-list", "class-join", "class-list", "settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login"))


def test_a_student_joins_a_class_with_its_code_typed_loosely(client):
    classroom = ClassroomFactory(join_code="ABCD2345")
    student = StudentFactory()
    client.force_login(student)
    response = client.post(reverse("class-join"), {"join_code": " abcd-2345 "})
    assert response.url == reverse("dashboard")
    assert Membership.objects.filter(classroom=classroom, user=student).exists()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert classroom.name in dashboard


def test_a_wrong_join_code_is_reported_and_joins_nothing(client):
    client.force_login(StudentFactory())
    response = client.post(reverse("class-join"), {"join_code": "NOPE9999"})
    assert response.status_code == 400
    assert "No class has this join code" in response.content.decode()
    assert not Membership.objects.exists()


def test_joining_twice_keeps_one_membership(client):
    classroom = ClassroomFactory()
    student = StudentFactory()
    client.force_login(student)
    client.post(reverse("class-join"), {"join_code": classroom.join_code})
    client.post(reverse("class-join"), {"join_code": classroom.join_code})
    assert Membership.objects.filter(user=student).count() == 1


def test_an_instructor_creates_a_class_and_sees_its_join_code(client):
    instructor = InstructorFactory()
    own_set = QuestionSetFactory(owner=instructor)
    client.force_login(instructor)
    response = client.post(
        reverse("class-list"), {"name": "Tuesday group", "question_sets": [str(own_set.pk)]}
    )
    classroom = instructor.owned_classrooms.get()
    assert response.url == reverse("class-detail", args=[classroom.pk])
    page = client.get(response.url).content.decode()
    assert classroom.join_code in page
    assert own_set.title in page


def test_an_instructor_cannot_assign_someone_elses_set(client):
    instructor = InstructorFactory()
    foreign = QuestionSetFactory()
    client.force_login(instructor)
    response = client.post(
        reverse("class-list"), {"name": "Group", "question_sets": [str(foreign.pk)]}
    )
    assert response.status_code == 400
    assert not instructor.owned_classrooms.exists()


def test_students_cannot_open_the_instructors_class_pages(client):
    classroom = ClassroomFactory()
    client.force_login(StudentFactory())
    assert client.get(reverse("class-list")).status_code == 403
    assert client.get(reverse("class-detail", args=[classroom.pk])).status_code == 403


def test_an_instructor_cannot_open_another_instructors_class(client):
    classroom = ClassroomFactory()
    client.force_login(InstructorFactory())
    assert client.get(reverse("class-detail", args=[classroom.pk])).status_code == 404


def test_the_set_browser_lists_only_sets_the_student_may_read(client):
    student = StudentFactory()
    classroom = ClassroomFactory()
    join_class(student, classroom)
    assigned = QuestionSetFactory(
        title="Assigned chapter", visibility=QuestionSet.Visibility.CLASSES
    )
    classroom.question_sets.add(assigned)
    QuestionSetFactory(title="Public chapter", visibility=QuestionSet.Visibility.PUBLIC)
    QuestionSetFactory(title="Private chapter")
    client.force_login(student)
    page = client.get(reverse("set-list")).content.decode()
    assert "Assigned chapter" in page
    assert "Public chapter" in page
    assert "Private chapter" not in page


def test_the_set_browser_searches_by_title_and_answers_htmx_with_a_fragment(client):
    QuestionSetFactory(title="Softmax and friends", visibility=QuestionSet.Visibility.PUBLIC)
    QuestionSetFactory(title="Tensors", visibility=QuestionSet.Visibility.PUBLIC)
    client.force_login(StudentFactory())
    response = client.get(reverse("set-list"), {"q": "softmax"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "Softmax and friends" in page
    assert "Tensors" not in page
    assert "<html" not in page


def test_a_set_page_lists_its_questions_and_hides_private_sets(client):
    question = QuestionFactory(question_set__visibility=QuestionSet.Visibility.PUBLIC)
    hidden = QuestionSetFactory()
    client.force_login(StudentFactory())
    page = client.get(reverse("set-detail", args=[question.question_set_id])).content.decode()
    assert question.prompt in page
    assert client.get(reverse("set-detail", args=[hidden.pk])).status_code == 404


def test_the_set_browser_runs_in_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    for _ in range(20):
        QuestionFactory(question_set__visibility=QuestionSet.Visibility.PUBLIC)
    client.force_login(StudentFactory())
    with django_assert_max_num_queries(6):
        assert client.get(reverse("set-list")).status_code == 200


def test_the_dashboard_runs_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    student = StudentFactory()
    for _ in range(5):
        join_class(student, ClassroomFactory())
        QuestionSetFactory(visibility=QuestionSet.Visibility.PUBLIC)
    client.force_login(student)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize(
    ("header", "expected"), [("pt-BR,pt;q=0.9", "Entrar"), ("da", "Log ind"), ("en-US", "Sign in")]
)
def test_the_page_speaks_the_browsers_language(client, header, expected):
    response = client.get("/", headers={"accept-language": header})
    assert expected in response.content.decode()


def test_a_users_language_setting_beats_the_browser(client):
    student = StudentFactory(language="da")
    client.force_login(student)
    response = client.get(reverse("dashboard"), headers={"accept-language": "pt-BR"})
    assert response.headers["Content-Language"] == "da"


def test_the_language_chooser_saves_the_choice_on_the_account(client):
    student = StudentFactory()
    client.force_login(student)
    response = client.post(reverse("set-language"), {"language": "pt-br", "next": "/sets/"})
    assert response.url == "/sets/"
    student.refresh_from_db()
    assert student.language == "pt-br"


def test_settings_reject_an_unknown_time_zone(client):
    student = StudentFactory()
    client.force_login(student)
    response = client.post(reverse("settings"), {"language": "da", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    student.refresh_from_db()
    assert student.time_zone == "UTC"


def test_settings_save_language_and_time_zone(client):
    student = StudentFactory()
    client.force_login(student)
    response = client.post(
        reverse("settings"), {"language": "da", "time_zone": "Europe/Copenhagen"}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.language, student.time_zone) == ("da", "Europe/Copenhagen")
