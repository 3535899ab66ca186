"""The sample course is loaded in the site's language (settings.LANGUAGE_CODE): its set
titles, course title and demo class name in pt-BR or Danish, found again in any language
when it is loaded again, with the live demos attached all the same."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from flashcards.models import Classroom, Course, QuestionSet
from flashcards.sample_content import read_course
from flashcards.sample_content.names import NAMES
from training.models import DemoAttachment
from training.sample_demos import SAMPLE_DEMOS

pytestmark = pytest.mark.django_db

TITLES = {
    "en": ["Training a digit classifier", "Training neural networks"],
    "pt-br": ["Treinando um classificador de dígitos", "Treinando redes neurais"],
    "da": ["Træning af en cifferklassifikator", "Træning af neurale netværk"],
}
COURSES = {
    "en": ("Deep learning fundamentals", "Deep learning fundamentals (demo class)"),
    "pt-br": (
        "Fundamentos de aprendizado profundo",
        "Fundamentos de aprendizado profundo (turma de demonstração)",
    ),
    "da": ("Grundlæggende dyb læring", "Grundlæggende dyb læring (demohold)"),
}


def load() -> str:
    output = io.StringIO()
    call_command("load_sample_content", stdout=output)
    return output.getvalue()


def set_titles() -> list[str]:
    return list(QuestionSet.objects.order_by("position").values_list("title", flat=True))


def test_every_name_the_loader_translates_is_a_catalogue_message():
    course = read_course()
    assert {s["title"] for s in course["sets"]} | {
        course["title"],
        course["classroom"]["name"],
    } <= set(NAMES)
    assert {set_title for set_title, _question in SAMPLE_DEMOS} <= set(NAMES)


@pytest.mark.parametrize("language", ["en", "pt-br", "da"])
def test_the_sample_course_is_loaded_in_the_sites_language_with_its_demos(settings, language):
    settings.LANGUAGE_CODE = language
    output = load()

    assert set_titles() == TITLES[language]
    course, classroom = COURSES[language]
    assert list(Course.objects.values_list("title", flat=True)) == [course]
    assert list(Classroom.objects.values_list("name", flat=True)) == [classroom]
    assert "No question" not in output  # every demo found its question
    assert DemoAttachment.objects.count() == sum(len(d) for d in SAMPLE_DEMOS.values())


def test_loading_again_in_another_language_renames_the_same_sets_instead_of_copying(settings):
    settings.LANGUAGE_CODE = "en"
    load()
    ids = list(QuestionSet.objects.order_by("position").values_list("pk", flat=True))
    attachments = DemoAttachment.objects.count()

    settings.LANGUAGE_CODE = "da"
    load()

    assert list(QuestionSet.objects.order_by("position").values_list("pk", flat=True)) == ids
    assert set_titles() == TITLES["da"]
    assert Course.objects.count() == Classroom.objects.count() == 1
    assert Classroom.objects.get().question_sets.count() == 2
    assert DemoAttachment.objects.count() == attachments

    settings.LANGUAGE_CODE = "pt-br"
    load()
    assert set_titles() == TITLES["pt-br"]
    assert QuestionSet.objects.count() == 2
