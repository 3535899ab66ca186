"""What an export cannot carry, and the title an import gives a set, in the user's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from flashcards.formats import parse
from flashcards.selectors.exports import export_question_set
from flashcards.services.imports import import_questions
from tests.flashcards.factories import InstructorFactory, full_question_set

pytestmark = pytest.mark.django_db


def test_a_gift_export_warns_in_danish_of_what_gift_cannot_carry():
    question_set = full_question_set()

    with translation.override("da"):
        exported = export_question_set(question_set=question_set, fmt="gift")

    messages = [problem.message for problem in exported.problems]
    assert any(
        message.startswith("Spørgsmål ")
        and "GIFT kan ikke rumme" in message
        and "bedømmelsesskemaet" in message
        for message in messages
    ), messages
    assert not any("cannot carry" in message for message in messages)


def test_a_csv_export_warns_in_portuguese():
    question_set = full_question_set()

    with translation.override("pt-br"):
        exported = export_question_set(question_set=question_set, fmt="csv")

    messages = " ".join(problem.message for problem in exported.problems)
    assert "o CSV não comporta" in messages
    assert "cannot carry" not in messages


def test_an_imported_file_without_a_title_makes_a_set_titled_in_the_users_language():
    data = b"What is 2 + 2?\nA. 3\nB. 4\nANSWER: B\n"
    assert parse(data, fmt="aiken").title == ""

    with translation.override("pt-br"):
        outcome = import_questions(user=InstructorFactory(), data=data, fmt="aiken")

    assert outcome.question_set is not None
    assert outcome.question_set.title == "Perguntas importadas"
