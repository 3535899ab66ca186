"""Live demos in the browser: an instructor attaches one to an answer (computed by a real
worker), a student runs one from its form, and a student draws a digit for the CNN."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.conftest import assert_accessible, screenshot
from tests.flashcards.factories import QuestionFactory
from tests.frontend.factories import class_world
from tests.training.factories import shared_digit_training
from training.models import DemoAttachment, DemoRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_instructor_attaches_a_demo_and_sees_its_result(new_page, celery_worker):
    world = class_world(cards=1)
    question = QuestionFactory(
        question_set=world["set"],
        prompt="What does softmax do to the logits 5.1, 3.2, −1.7, −2.0?",
        answer="It turns them into probabilities that sum to 1.",
    )
    page = new_page(user=world["owner"])
    page.goto(f"/questions/{question.pk}/edit/")
    panel = page.locator("#demos")
    panel.get_by_label("Demo", exact=True).select_option("tensor-grid")
    panel.get_by_label("Rows").wait_for()  # the fields follow the chosen demo
    panel.get_by_label("Demo", exact=True).select_option("softmax-cross-entropy")
    logits = panel.get_by_label("Logits")
    logits.fill("5.1, 3.2, -1.7, x")
    panel.get_by_label("Caption").fill("Softmax of four logits")
    panel.get_by_role("button", name="Attach this demo").click()
    panel.get_by_text("item 4 must be a number").wait_for()
    assert panel.get_by_label("Caption").input_value() == "Softmax of four logits"
    panel.get_by_label("Logits").fill("5.1, 3.2, -1.7, -2.0")
    panel.get_by_role("button", name="Attach this demo").click()
    panel.get_by_text("Demo attached.").wait_for()
    # The panel polls the run until the worker has stored it, then shows plot and numbers.
    panel.locator(".demo[data-status='done'] img").first.wait_for(timeout=60_000)
    attachment = DemoAttachment.objects.get(question=question)
    assert attachment.run.status == DemoRun.Status.DONE
    screenshot(page, "demo-attach")
    assert_accessible(page, "demo-attach")

    # The student sees the result under the answer on the set page.
    student = new_page(user=world["student"])
    student.goto(f"/sets/{world['set'].pk}/")
    answer = student.locator("details.answer-details[data-demos]")
    answer.locator("summary").first.click()
    answer.get_by_text("Softmax of four logits").wait_for()
    assert answer.locator("img").first.get_attribute("alt")


def test_a_student_runs_a_demo_from_its_form(new_page, celery_worker):
    world = class_world(cards=0)
    page = new_page(user=world["student"])
    page.goto("/demos/")
    assert_accessible(page, "demo-list")
    page.locator("a[href='/demos/tensor-grid/']").click()
    page.get_by_label("Rows").fill("12")
    page.get_by_role("button", name="Run the demo").click()
    page.get_by_text("must be between 1 and 8, got 12").wait_for()
    assert page.get_by_label("Rows").input_value() == "12"
    page.get_by_label("Rows").fill("4")
    page.get_by_role("button", name="Run the demo").click()
    page.locator(".run-panel[data-status='done']").wait_for(timeout=60_000)
    page.locator(".run-panel img").first.wait_for()
    screenshot(page, "demo-run")
    assert_accessible(page, "demo-run")


def test_a_student_draws_a_digit_and_gets_a_prediction(new_page, site_workdir):
    _, checkpoint = shared_digit_training()
    (site_workdir / "checkpoints").mkdir(exist_ok=True)
    for path in checkpoint.parent.iterdir():
        shutil.copy(path, site_workdir / "checkpoints" / path.name)
    world = class_world(cards=0)
    page = new_page(user=world["student"])
    page.goto("/demos/draw/")
    canvas = page.locator("#digit-canvas")
    box = canvas.bounding_box()
    # A "1": one vertical stroke down the middle, drawn with the mouse.
    page.mouse.move(box["x"] + 140, box["y"] + 50)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(box["x"] + 140, box["y"] + 50 + step * 9)
    page.mouse.up()
    guess = page.locator("#digit-guess[data-digit]")
    guess.wait_for(timeout=30_000)
    assert guess.get_attribute("data-digit") == "1"
    rows = page.locator("tbody tr .probability")
    assert rows.count() == 10
    assert all(text.endswith("%") for text in rows.all_text_contents())
    screenshot(page, "demo-draw")
    assert_accessible(page, "demo-draw")

    page.get_by_role("button", name="Clear the drawing").focus()
    page.keyboard.press("Enter")
    assert page.locator("#digit-guess").text_content() == ""
    page.get_by_role("button", name="7", exact=True).click()  # a sample drawn for keyboard users
    page.locator("#digit-guess[data-digit]").wait_for()
