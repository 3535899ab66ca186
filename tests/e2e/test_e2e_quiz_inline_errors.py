"""An invalid quiz answer is said next to its question and the page stays, DEBUG on or off.

Under DEBUG=1 (what `scripts/run` uses) django-htmx's debug handler replaces the whole page
with any 400 answer; the autosave's refusal is a 422 that the page swaps in place.  The review
then shows each chosen option's feedback under that option only.
"""

from __future__ import annotations

import pytest

from tests.conftest import subprocess_env
from tests.e2e.site_checks import LANGUAGES, audit_both_themes, say, snap
from tests.flashcards.factories import (
    ChoiceFactory,
    InstructorFactory,
    classroom_with_students,
    free_text,
    numerical,
)
from tests.quizzes.factories import QuizFactory
from tests.web import running_web_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def debug_site_server(django_db_setup, django_db_blocker, celery_broker, tmp_path_factory):
    """The same site under DEBUG=1, as `scripts/run` serves it."""
    workdir = tmp_path_factory.mktemp("debug-web")
    with django_db_blocker.unblock():
        env = subprocess_env(workdir, DEBUG="1", **celery_broker)
    with running_web_server(env, workdir) as url:
        yield url


def _quiz_for_a_student():
    owner = InstructorFactory()
    classroom, (student,) = classroom_with_students(owner, 1)
    quiz = QuizFactory(owner=owner, classrooms=[classroom], title="Sigmoid quiz")
    question = ChoiceFactory(
        text="1",
        is_correct=False,
        feedback="σ(x) approaches 1 but never reaches it.",
        question__question_set=quiz.question_set,
        question__prompt="Which value does σ(0) take?",
        question__position=0,
    ).question
    ChoiceFactory(question=question, text="0.5", is_correct=True, feedback="Right: 1 / (1 + 1).")
    ChoiceFactory(question=question, text="0", is_correct=False, feedback="That is ReLU(0).")
    numerical(quiz.question_set, value=0.5, prompt="σ(0) as a number?", position=1)
    free_text(quiz.question_set, prompt="Why does a sigmoid saturate?", position=2)
    return quiz, student


@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG=0", "DEBUG=1"])
@pytest.mark.parametrize("locale", LANGUAGES)
def test_an_invalid_answer_shows_an_inline_error_and_keeps_the_page(
    new_page, site_server, debug_site_server, debug, locale
):
    quiz, student = _quiz_for_a_student()
    base = debug_site_server if debug else site_server
    page = new_page(user=student, locale=locale, base_url=base)
    page.goto(f"/quizzes/{quiz.pk}/")
    page.locator("form[action$='/start/'] button[type='submit']").click()
    page.locator("#quiz-form").wait_for()

    page.locator("#q2-value").fill("87%")
    error = page.locator("#saved-2 [role='alert']")
    error.wait_for()
    assert "87%" in error.text_content()
    page.locator("#q3-text").fill("x" * 20_001)
    page.locator("#saved-3 [role='alert']").wait_for()
    assert "20" in page.locator("#saved-3").text_content()
    # The page is still the quiz, with what was typed in place.
    assert page.locator("#quiz-form fieldset").count() == 3
    assert page.locator("#q2-value").input_value() == "87%"
    audit_both_themes(page, f"quiz-invalid-{locale}-{'debug' if debug else 'production'}")

    page.locator("#q2-value").fill("0.5")
    page.locator("#saved-2").get_by_text(say(locale, "Saved at", "Salvo às", "Gemt kl.")).wait_for()
    page.locator("#q3-text").fill("Its slope goes to 0 for large |x|.")
    page.locator("#q1").get_by_label("0", exact=True).check()
    page.locator("#submit-quiz").click()
    page.wait_for_url("**/review/")

    wrong = page.locator("#q1 .choice-review li", has_text="That is ReLU(0).")
    assert wrong.count() == 1
    assert wrong.locator(".choice-feedback").text_content().strip() == "That is ReLU(0)."
    for other in ("σ(x) approaches 1", "Right: 1 / (1 + 1)."):
        assert page.locator("#q1").get_by_text(other).count() == 0
    if not debug:
        snap(page, "quiz-review", locale)
        audit_both_themes(page, f"quiz-review-{locale}")
