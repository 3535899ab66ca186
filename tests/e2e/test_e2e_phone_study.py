"""On a phone the study card is on screen without scrolling, and the nav says where one is."""

from __future__ import annotations

import pytest

from tests.e2e.site_checks import LANGUAGES, audit_both_themes, snap
from tests.flashcards.factories import StudentFactory, studyable_set

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_study_card_is_visible_without_scrolling_on_a_phone(new_page, locale):
    student = StudentFactory()
    question_set = studyable_set(student, questions=3, title="Gradients")
    question = question_set.questions.order_by("position").first()
    question.prompt = "What is $\\frac{\\partial L}{\\partial w}$ for $L = (wx - y)^2$?"
    question.save()
    from flashcards.services.content import bump_question_version

    bump_question_version(question)

    page = new_page(user=student, locale=locale, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/study/sets/{question_set.pk}/")
    card = page.locator("#study-card")
    card.locator("math").first.wait_for()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 160, header
    box = card.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    reveal = page.locator("#study-reveal").bounding_box()
    assert reveal["y"] + reveal["height"] <= PHONE["height"], reveal
    assert page.evaluate("window.scrollY") == 0
    assert page.locator("nav a[aria-current='page']").get_attribute("href") == "/study/"

    # Inline math is at the size of its text, not a script level smaller.
    sizes = page.evaluate(
        """() => {
            const paragraph = document.querySelector('#study-front p');
            const text = parseFloat(getComputedStyle(paragraph).fontSize);
            const numerator = document.querySelector('#study-front mfrac > :first-child');
            return [text, parseFloat(getComputedStyle(numerator).fontSize)];
        }"""
    )
    assert sizes[1] >= 0.95 * sizes[0], sizes
    snap(page, "study", locale)
    audit_both_themes(page, f"study-phone-{locale}")
