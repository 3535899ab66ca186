"""Import problems are shown in the reader's language: the parsers' and the import service's
messages are translated (pt-BR, Danish), their codes stay stable English identifiers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from flashcards.services.import_preview import preview_import, validate_parsed_set
from tests.flashcards.factories import InstructorFactory

pytestmark = pytest.mark.django_db

BROKEN_GIFT = (
    "$CATEGORY: $course$/top/Deep learning\n\n"
    "::Act:: Which function is zero for negative inputs?{=ReLU ~Sigmoid\n\n"
    "::Weight:: Pick the optimiser.{~%150%Adam =SGD}\n\n"
    "::Fine:: Sigmoid outputs are always positive.{T}\n"
)

MESSAGES = {
    "pt-br": [
        (
            1,
            "category-as-tag",
            "As categorias do GIFT são importadas como etiquetas (o caminho da categoria, "
            "p. ex. 'Deep learning/Chapter 4').",
        ),
        (3, "", "Chaves de resposta desbalanceadas: '{' nunca é fechada."),
        (5, "", "O peso 150% está fora de -100..100."),
    ],
    "da": [
        (
            1,
            "category-as-tag",
            "GIFT-kategorier importeres som mærker (kategoriens sti, f.eks. "
            "'Deep learning/Chapter 4').",
        ),
        (3, "", "Ubalancerede svarparenteser: '{' lukkes aldrig."),
        (5, "", "Vægten 150% ligger uden for -100..100."),
    ],
    "en": [
        (
            1,
            "category-as-tag",
            "GIFT categories are imported as tags (the category path, e.g. "
            "'Deep learning/Chapter 4').",
        ),
        (3, "", "Unbalanced answer braces: '{' is never closed."),
        (5, "", "Weight 150% is outside -100..100."),
    ],
}


@pytest.mark.parametrize("language", ["pt-br", "da", "en"])
def test_a_broken_gift_upload_lists_its_problems_in_the_instructors_language(api_client, language):
    api_client.force_authenticate(InstructorFactory())
    upload = SimpleUploadedFile("broken.gift", BROKEN_GIFT.encode())
    response = api_client.post(
        reverse("flashcards:import-list"),
        {"file": upload},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 201, response.data
    assert response.data["can_confirm"] is False
    problems = [(p["line"], p["code"], p["message"]) for p in response.data["problems"]]
    assert problems == MESSAGES[language]


@pytest.mark.parametrize("language", ["pt-br", "da"])
def test_the_import_service_words_its_problems_in_the_active_language(language):
    with translation.override(language):
        parsed = preview_import(data=BROKEN_GIFT.encode(), fmt="gift")
    problems = [(p.line, p.code, p.message) for p in parsed.problems]
    assert problems == MESSAGES[language]


def test_the_import_checks_are_translated_with_their_numbers_in_place():
    with translation.override("pt-br"):
        parsed = preview_import(data=b"::Long:: Which? {=a ~b}\n", fmt="gift", filename="x.gift")
        parsed.questions[0].title = "x" * 300
        parsed.validated = False
        validate_parsed_set(parsed)
    assert [p.message for p in parsed.errors] == ["Pergunta 1, título: Tem mais de 200 caracteres."]
