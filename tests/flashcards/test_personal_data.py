"""A person's data export covers every table that points at them, and deleting the account
leaves nothing that names them while instructors' item statistics stay the same."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import models
from rest_framework.authtoken.models import Token

from flashcards.models import CardState, Membership, ReviewLog, StudySettings, User
from flashcards.personal_data import covers, sections
from flashcards.services import personal_data
from flashcards.services.study import submit_review
from quizzes.models import Attempt, AttemptAnswer
from quizzes.selectors.access import attempts_for_results
from quizzes.selectors.statistics import quiz_statistics
from quizzes.services.attempts.answer import save_answer, submit_attempt
from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    InstructorFactory,
    QuestionSetFactory,
    cards_of,
    choice_id,
    classroom_with_students,
    multiple_choice,
    studyable_set,
    true_false,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db


def user_references():
    """(model label, field name) of every foreign key or one-to-one to the user model."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                yield model._meta.label, field.name


def test_every_table_that_points_at_a_user_is_in_the_export_and_the_deletion():
    missing = [f"{label}.{name}" for label, name in user_references() if not covers(label, name)]
    assert missing == [], "register these in a personal_sections module (flashcards.personal_data)"


def test_the_walk_finds_the_tables_it_is_meant_to_find():
    found = set(user_references())
    assert {("flashcards.ReviewLog", "student"), ("quizzes.Attempt", "student")} <= found
    assert ("authtoken.Token", "user") in found  # one-to-one fields count too


def take(quiz, student, responses):
    attempt, _ = start_attempt(quiz=quiz, student=student)
    for slot, response in responses.items():
        save_answer(attempt=attempt, student=student, slot=slot, response=response)
    submit_attempt(attempt=attempt, student=student)


@pytest.fixture
def course():
    instructor = InstructorFactory()
    classroom, students = classroom_with_students(instructor, 3)
    question_set = QuestionSetFactory(owner=instructor)
    q1 = multiple_choice(question_set, correct=("right",), wrong=("wrong",))
    true_false(question_set, correct=True)
    quiz = QuizFactory(owner=instructor, question_set=question_set, classrooms=[classroom])
    right, wrong = {"choice": choice_id(q1, "right")}, {"choice": choice_id(q1, "wrong")}
    take(quiz, students[0], {1: right, 2: {"value": True}})
    take(quiz, students[1], {1: wrong, 2: {"value": True}})
    take(quiz, students[2], {1: wrong, 2: {"value": False}})
    leaving = students[0]
    leaving.first_name, leaving.last_name = "Ingrid", "Leaving"
    leaving.save()
    study = studyable_set(leaving, questions=2)
    for n, card in enumerate(cards_of(study)):
        submit_review(student=leaving, card_id=card.pk, rating=4, client_review_id=f"r{n}")
    StudySettings.objects.get_or_create(student=leaving)
    Token.objects.create(user=leaving)
    return {"instructor": instructor, "quiz": quiz, "leaving": leaving, "others": students[1:]}


def test_the_export_holds_the_profile_memberships_reviews_attempts_and_answers(course):
    leaving = course["leaving"]

    data = personal_data.export(leaving)

    json.dumps(data)  # plain JSON
    assert data["profile"]["username"] == leaving.username
    assert data["profile"]["email"] == leaving.email
    assert "password" not in data["profile"]
    assert len(data["memberships"]) == Membership.objects.filter(user=leaving).count() == 2
    assert len(data["reviews"]) == ReviewLog.objects.filter(student=leaving).count() >= 2
    assert len(data["quiz_attempts"]) == 1
    assert data["study_settings"][0]["student_id"] == leaving.pk
    assert data["api_token"]
    assert "key" not in data["api_token"][0]
    assert {section.name for section in sections()} <= set(data)


def test_the_export_includes_each_answer_of_each_attempt(course):
    data = personal_data.export(course["leaving"])
    attempt_id = data["quiz_attempts"][0]["id"]
    answers = AttemptAnswer.objects.filter(attempt_id=attempt_id).count()
    assert answers == 2
    assert len(data["quiz_answers"]) == answers


def test_deleting_an_account_leaves_no_personal_field_and_keeps_item_statistics(course):
    leaving, instructor, quiz = course["leaving"], course["instructor"], course["quiz"]
    before = quiz_statistics(quiz, attempts_for_results(instructor, quiz))
    counts = [
        ReviewLog.objects.filter(student=leaving).count(),
        Membership.objects.filter(user=leaving).count(),
    ]
    marks = (leaving.pk, leaving.username, leaving.email, "Ingrid", "Leaving")

    placeholder = personal_data.delete_account(user=leaving)

    assert not User.objects.filter(pk=leaving.pk).exists()
    after = quiz_statistics(quiz, attempts_for_results(instructor, quiz))
    assert after == before
    assert not placeholder.is_active
    assert not placeholder.has_usable_password()
    assert (placeholder.email, placeholder.first_name, placeholder.last_name) == ("", "", "")
    assert leaving.username not in placeholder.username
    assert Attempt.objects.filter(student=placeholder).count() == 1
    assert [
        ReviewLog.objects.filter(student=placeholder).count(),
        Membership.objects.filter(user=placeholder).count(),
    ] == counts
    assert not CardState.objects.filter(student=placeholder).exists()
    assert not Token.objects.filter(user=placeholder).exists()
    assert not StudySettings.objects.filter(student=placeholder).exists()
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            for name, value in row.items():
                if isinstance(value, str):
                    for mark in marks[1:]:
                        assert mark not in value, f"{model._meta.label}.{name} keeps {mark!r}"
                elif name.endswith("_id") or name in {"user", "student", "owner"}:
                    field = model._meta.get_field(name.removesuffix("_id"))
                    if getattr(field, "related_model", None) is User:
                        assert value != leaving.pk, f"{model._meta.label}.{name}"


def test_deleting_an_instructor_keeps_their_quiz_and_class_for_the_students(course):
    instructor, quiz = course["instructor"], course["quiz"]

    placeholder = personal_data.delete_account(user=instructor)

    quiz.refresh_from_db()
    assert quiz.owner == placeholder
    assert Attempt.objects.filter(quiz=quiz).count() == 3
    assert quiz.classrooms.get().owner == placeholder
    assert quiz.classrooms.get().members.count() == 3


def test_the_page_explains_what_is_kept():
    kept = " ".join(personal_data.kept_explanations())
    assert "item statistics" in kept
    assert "reviews" in kept
