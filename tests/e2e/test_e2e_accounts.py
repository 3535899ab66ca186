"""A person signs up, joins a class and finds its sets — in a real Chromium."""

from __future__ import annotations

import pytest

from flashcards.models import Membership, QuestionSet, User
from tests.e2e.conftest import assert_accessible, screenshot
from tests.flashcards.factories import PASSWORD, ClassroomFactory, QuestionFactory, StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_student_signs_up_joins_a_class_and_finds_its_set(new_page):
    classroom = ClassroomFactory(name="Deep learning, Monday")
    chapter = QuestionFactory(
        question_set__title="Training a digit classifier",
        question_set__visibility=QuestionSet.Visibility.CLASSES,
    ).question_set
    classroom.question_sets.add(chapter)

    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/dashboard/")
    assert User.objects.get(username="maria").role == "student"

    page.get_by_role("link", name="Join a class", exact=True).click()
    page.get_by_label("Join code").fill(classroom.join_code.lower())
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("status").inner_text().startswith("You joined")
    assert Membership.objects.filter(classroom=classroom, user__username="maria").exists()
    screenshot(page, "dashboard")
    assert_accessible(page, "dashboard")

    page.get_by_role("link", name="Training a digit classifier", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Training a digit classifier"


def test_the_dashboard_is_accessible_in_dark_mode_on_a_phone(new_page):
    student = StudentFactory()
    page = new_page(user=student, color_scheme="dark", viewport={"width": 375, "height": 740})
    page.goto("/dashboard/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 20, 23)"
    screenshot(page, "dashboard-dark-phone")
    assert_accessible(page, "dashboard-dark-phone")
    # The toggle overrides the system preference and survives a reload.
    page.get_by_role("button", name="Dark mode").click()
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(new_page):
    page = new_page(user=StudentFactory())
    page.goto("/dashboard/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_danish_browser_gets_danish_pages(new_page):
    page = new_page(locale="da-DK")
    page.goto("/accounts/login/")
    assert page.evaluate("document.documentElement.lang") == "da"
    assert page.get_by_role("heading", level=1).inner_text() == "Log ind"
