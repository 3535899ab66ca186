"""A student studies ten cards from the keyboard, undoes a rating and reads the statistics.

The page spends one request per card: each rating's answer brings the next cards, so after
the queue read that opens the session no other queue read is needed."""

from __future__ import annotations

import pytest

from flashcards.models import CardState, QuestionSet, ReviewLog
from flashcards.services.classes import assign_set, join_classroom
from tests.e2e.conftest import assert_accessible, screenshot
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    StudentFactory,
)
from tests.training.factories import DemoAttachmentFactory, DemoRunFactory
from training.models import DemoRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_student_studies_ten_cards_with_the_keyboard_and_undoes_one(new_page):
    owner = InstructorFactory()
    question_set = QuestionSet.objects.create(
        title="Activations", owner=owner, visibility=QuestionSet.Visibility.CLASSES
    )
    questions = [
        QuestionFactory(
            question_set=question_set,
            position=n,
            prompt=f"Card {n}: what is $\\sigma({n})$?",
            answer=f"About {1 / (1 + 2.718281828**-n):.3f}.",
        )
        for n in range(12)
    ]
    run = DemoRunFactory(
        status=DemoRun.Status.DONE,
        result={"summary": "Sigmoid squashes every input into (0, 1).", "notes": []},
        figures=[],
    )
    DemoAttachmentFactory(question=questions[0], run=run, caption="The sigmoid curve")
    classroom = ClassroomFactory(owner=owner)
    assign_set(classroom=classroom, question_set=question_set, actor=owner)
    student = StudentFactory()
    join_classroom(user=student, join_code=classroom.join_code)

    page = new_page(user=student)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/study/" in r.url else None)
    page.goto("/dashboard/")
    page.locator(".due-table").get_by_role("link", name="Study Activations").click()
    card = page.locator("#study-card")
    card.get_by_text("Card 0").wait_for()
    assert page.get_by_text("How well did you know this?").count() == 1
    assert_accessible(page, "study-question")

    seen = []
    for number in range(10):
        card_id = card.get_attribute("data-card-id")
        seen.append(card_id)
        page.keyboard.press("Space" if number % 2 else "Enter")
        page.locator("#study-card[data-revealed='true']").wait_for()
        if number == 0:
            page.get_by_text("Sigmoid squashes every input into (0, 1).").wait_for()
            page.get_by_text("The sigmoid curve").wait_for()
            screenshot(page, "study-revealed")
            assert_accessible(page, "study-revealed")
        page.keyboard.press(str(number % 5 + 1))
        page.wait_for_function(
            "(before) => { const id = document.getElementById('study-card').dataset.cardId;"
            " return id && id !== before; }",
            arg=card_id,
        )
    assert len(set(seen)) == 10, " ".join(map(str, seen))
    queue_reads = [url for url in requests if "/study/queue/" in url]
    ratings_sent = [url for url in requests if "/study/reviews/" in url]
    assert len(queue_reads) == 1, queue_reads

    def ratings():
        return ReviewLog.objects.filter(student=student, undone_at__isnull=True).count()

    page.wait_for_function("() => true")  # let the last rating leave the page
    _wait_until(lambda: ratings() == 10)
    assert len(ratings_sent) + len(queue_reads) <= 11  # one request per card
    page.keyboard.press("u")
    page.get_by_text("The last rating was undone.").wait_for()
    assert card.get_attribute("data-card-id") == seen[-1]
    _wait_until(lambda: ratings() == 9)
    # Rate it again, now with the button.
    page.keyboard.press("Space")
    page.get_by_role("button", name="5 Perfectly").click()
    _wait_until(lambda: ratings() == 10)
    screenshot(page, "study-session")

    # Flag the next card, then bury it: it is marked, and the page moves on.
    flagged_id = card.get_attribute("data-card-id")
    page.get_by_role("button", name="Flag").click()
    page.get_by_text("Flagged.").wait_for()
    assert page.get_by_role("button", name="Flag").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Bury until tomorrow").click()
    page.get_by_text("Buried until tomorrow.").wait_for()
    assert card.get_attribute("data-card-id") != flagged_id
    state = CardState.objects.get(student=student, card_id=int(flagged_id))
    assert state.flagged
    assert state.buried_until is not None

    page.goto(f"/study/statistics/?set={question_set.pk}")
    page.get_by_role("heading", name="Cards due in the next 30 days").wait_for()
    assert page.get_by_text("10 reviews on 1 day.").count() == 1
    screenshot(page, "study-statistics")
    assert_accessible(page, "study-statistics")


def _wait_until(condition, seconds: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
