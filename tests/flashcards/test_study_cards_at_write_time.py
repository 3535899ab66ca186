"""Cards exist by the time they are due to be seen: made when a question is saved, an import
confirmed, a set assigned or a class joined, so the dashboard counts them before any study
page was opened, and the repair command mends data written outside the services."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from flashcards.models import Card, QuestionSet
from flashcards.services.classes import assign_set, join_classroom
from flashcards.services.content import create_question
from flashcards.services.imports import import_questions
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
    join_class,
)

pytestmark = pytest.mark.django_db


def dashboard_row(client, student, question_set) -> tuple[int, int]:
    """(Due, New) of the set's row on the student's dashboard."""
    client.force_login(student)
    page = client.get(reverse("dashboard")).content.decode()
    row = re.search(
        rf'<tr data-set="{question_set.pk}">.*?<td>(\d+)</td><td>(\d+)</td>', page, re.S
    )
    assert row, f"no dashboard row for set {question_set.pk}"
    return int(row.group(1)), int(row.group(2))


def class_set_without_cards(questions: int):
    """A class with a set whose questions were written outside the services: no cards yet."""
    owner = InstructorFactory()
    question_set = QuestionSetFactory(owner=owner, visibility=QuestionSet.Visibility.CLASSES)
    for position in range(questions):
        QuestionFactory(question_set=question_set, position=position, cards=False)
    classroom = ClassroomFactory(owner=owner)
    classroom.question_sets.add(question_set)
    return owner, classroom, question_set


def test_a_student_who_joins_a_class_sees_the_new_count_before_opening_a_study_page(client):
    _owner, classroom, question_set = class_set_without_cards(questions=7)
    student = StudentFactory()

    join_classroom(user=student, join_code=classroom.join_code)

    assert dashboard_row(client, student, question_set) == (0, 7)


def test_assigning_a_set_makes_its_cards_for_every_member(client):
    owner = InstructorFactory()
    question_set = QuestionSetFactory(owner=owner, visibility=QuestionSet.Visibility.PRIVATE)
    for position in range(4):
        QuestionFactory(question_set=question_set, position=position, cards=False)
    classroom = ClassroomFactory(owner=owner)
    members = [StudentFactory(), StudentFactory()]
    for member in members:
        join_class(member, classroom)

    assign_set(classroom=classroom, question_set=question_set, actor=owner)

    assert Card.objects.filter(question_set=question_set).count() == 4
    for member in members:
        assert dashboard_row(client, member, question_set) == (0, 4)


def test_a_question_added_to_an_assigned_set_appears_in_every_members_queue(client):
    _owner, classroom, question_set = class_set_without_cards(questions=0)
    members = [StudentFactory(), StudentFactory()]
    for member in members:
        join_class(member, classroom)

    question = create_question(
        question_set=question_set,
        data={"kind": "flashcard", "prompt": "Why zero the gradients?", "answer": "They add up."},
    )

    for member in members:
        client.force_login(member)
        body = client.get(f"{reverse('study-queue')}?set={question_set.pk}").json()
        assert [c["card"]["question"]["id"] for c in body["cards"]] == [question.pk]
        assert body["counts"]["new"] == 1


def test_an_edit_that_adds_a_cloze_gap_adds_its_card_at_once():
    from flashcards.services.content import update_question

    _owner, _classroom, question_set = class_set_without_cards(questions=0)
    question = create_question(
        question_set=question_set, data={"kind": "cloze", "prompt": "ReLU is {{c1::max(0, x)}}."}
    )

    update_question(
        question=question, changes={"prompt": "ReLU is {{c1::max(0, x)}}, {{c2::piecewise}}."}
    )

    assert sorted(Card.objects.filter(question=question).values_list("ordinal", flat=True)) == [
        1,
        2,
    ]


def test_a_confirmed_import_has_its_cards_when_it_commits():
    owner = InstructorFactory()
    data = b"What does SGD stand for?\tStochastic gradient descent\nWhat is an epoch?\tOne pass\n"

    outcome = import_questions(user=owner, data=data, fmt="tsv", title="Imported")

    assert outcome.saved
    assert Card.objects.filter(question_set=outcome.question_set).count() == 2


def test_the_repair_command_makes_the_cards_of_questions_written_outside_the_services():
    _owner, _classroom, question_set = class_set_without_cards(questions=3)
    out = StringIO()

    call_command("sync_study_cards", "--dry-run", stdout=out)
    assert "3 questions need cards" in out.getvalue()
    assert not Card.objects.filter(question_set=question_set).exists()

    call_command("sync_study_cards", stdout=out)
    assert Card.objects.filter(question_set=question_set).count() == 3
    again = StringIO()
    call_command("sync_study_cards", stdout=again)
    assert "0 sets repaired" in again.getvalue()


def test_the_repair_command_refuses_a_set_that_does_not_exist():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No question set with id 999999"):
        call_command("sync_study_cards", "--set", "999999")
