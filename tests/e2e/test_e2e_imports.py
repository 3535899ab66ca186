"""An instructor imports a GIFT file with one error: sees it with its line, fixes it, imports."""

from __future__ import annotations

import pytest

from flashcards.models import QuestionSet
from tests.e2e.conftest import assert_accessible, screenshot
from tests.flashcards.factories import InstructorFactory

pytestmark = pytest.mark.django_db(transaction=True)

GIFT = """// Activations, chapter 4
::sigmoid:: What does sigmoid return for 0? {=0.5 ~1 ~0}

::relu:: ReLU of a negative number is {=zero =0}

::squash:: Which one squashes into (0, 1)? {~tanh ~ReLU}

::linear:: ReLU is linear for positive inputs. {T}
"""


def test_an_instructor_fixes_a_gift_error_and_imports(new_page):
    instructor = InstructorFactory()
    page = new_page(user=instructor)
    page.goto("/sets/")
    page.get_by_role("link", name="Import questions").click()
    page.get_by_label("File").set_input_files(
        {"name": "chapter4.gift", "mimeType": "text/plain", "buffer": GIFT.encode()}
    )
    page.get_by_label("Title of the new set").fill("Activations")
    page.get_by_role("button", name="Check the file").click()

    problems = page.locator(".problems")
    problems.wait_for()
    assert "line 6, column" in problems.text_content()
    assert "No answer is marked correct" in problems.text_content()
    assert page.get_by_role("button", name="Import").count() == 0
    screenshot(page, "import-preview-with-error")
    assert_accessible(page, "import-preview")

    source = page.get_by_label("Or paste the text")
    source.fill(source.input_value().replace("{~tanh ~ReLU}", "{~tanh ~ReLU =sigmoid}"))
    page.get_by_role("button", name="Check again").click()
    page.get_by_role("heading", name="4 questions found").wait_for()
    page.get_by_role("button", name="Import 4 questions").click()

    page.get_by_role("status").get_by_text("Imported 4 questions into Activations.").wait_for()
    question_set = QuestionSet.objects.get(owner=instructor)
    assert question_set.title == "Activations"
    assert question_set.questions.count() == 4
