"""An instructor creates a set, gives it to a class from the pages, and a member studies it."""

from __future__ import annotations

import pytest

from flashcards.models import QuestionSet
from tests.e2e.site_checks import LANGUAGES, audit_both_themes, say, snap
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    StudentFactory,
)
from tests.flashcards.factories import join_class as join

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_set_made_in_the_editor_is_assigned_to_a_class_and_studied(new_page, locale):
    instructor = InstructorFactory()
    classroom = ClassroomFactory(owner=instructor, name="Monday group")
    student = StudentFactory()
    join(student, classroom)

    teacher = new_page(user=instructor, locale=locale)
    teacher.goto("/sets/new/")
    teacher.locator("#id_title").fill("Loss functions")
    teacher.get_by_label("Monday group").check()
    snap(teacher, "editor", locale)
    audit_both_themes(teacher, f"editor-new-set-{locale}")
    teacher.locator("form button[type='submit']").last.click()
    teacher.wait_for_url("**/sets/*/edit/")
    question_set = QuestionSet.objects.get(title="Loss functions")
    assert list(question_set.classrooms.all()) == [classroom]
    assert teacher.get_by_label("Monday group").is_checked()
    QuestionFactory(question_set=question_set, prompt="What does cross-entropy punish?")

    # The class page takes it back and gives it again.
    teacher.goto(f"/classes/{classroom.pk}/")
    teacher.get_by_role(
        "button", name=say(locale, "Unassign", "Remover", "Fjern") + " Loss functions"
    ).click()
    teacher.locator(".messages").wait_for()
    assert not question_set.classrooms.exists()
    teacher.get_by_label(
        say(locale, "Set to assign", "Conjunto a atribuir", "Sæt, der skal tildeles")
    ).select_option(label="Loss functions")
    teacher.get_by_role(
        "button", name=say(locale, "Assign", "Atribuir", "Tildel"), exact=True
    ).click()
    teacher.locator(".assigned-sets").get_by_role("link", name="Loss functions").wait_for()
    assert list(question_set.classrooms.all()) == [classroom]
    audit_both_themes(teacher, f"class-page-{locale}")

    learner = new_page(user=student, locale=locale)
    learner.goto("/dashboard/")
    row = learner.locator(".due-table tr", has_text="Loss functions")
    row.get_by_role("link").click()
    learner.locator("#study-card").get_by_text("What does cross-entropy punish?").wait_for()
