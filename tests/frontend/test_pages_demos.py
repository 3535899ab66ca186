"""Demo pages through the test client: the list, a demo's schema form and its run, the digit
canvas page, the attachment picker of the question editor and answers with demos, per role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.frontend.factories import class_world
from tests.training.factories import DemoAttachmentFactory, DemoRunFactory
from training.models import CAPTION_MAX_LENGTH, DemoAttachment, DemoRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return class_world(cards=2)


def done_run():
    return DemoRunFactory(
        status=DemoRun.Status.DONE,
        progress=1.0,
        result={"summary": "Softmax puts 0.87 on cat.", "notes": ["Logits are not probabilities."]},
        figures=[
            {
                "name": "probabilities",
                "title": "Probabilities",
                "alt": "cat 0.87, dog 0.13",
                "table": {"columns": ["label", "p"], "rows": [["cat", 0.87]]},
            }
        ],
    )


def test_anyone_may_browse_the_demos_and_read_a_demo_form(client):
    page = client.get(reverse("demo-list-page")).content.decode()
    assert "Softmax" in page or "softmax" in page
    assert reverse("demo-draw") in page
    form = client.get(reverse("demo-page", args=["sgd-steps"]))
    assert form.status_code == 200
    text = form.content.decode()
    assert 'name="lr"' in text
    assert 'value="1e-05"' in text
    assert "From 0.00000001 to 10." in text
    assert "Learning rate" in text
    assert ">Walk down the parabola x²</option>" in text
    assert "From 0 to 2,147,483,647." in text
    assert "2.14748e+09" not in text
    assert "Sign in to run it" in text


def test_an_unknown_demo_is_404(client):
    assert client.get(reverse("demo-page", args=["no-such-demo"])).status_code == 404


def test_anonymous_runs_are_sent_to_sign_in(client):
    response = client.post(reverse("demo-page", args=["sgd-steps"]), {"lr": "0.1"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not DemoRun.objects.exists()


def test_a_student_runs_a_demo_and_is_shown_its_progress(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["student"])
    response = client.post(
        reverse("demo-page", args=["sgd-steps"]),
        {"problem": "parabola", "lr": "1.5", "steps": "20", "momentum": "0", "start": "1"},
    )
    run = DemoRun.objects.get()
    assert run.params["lr"] == 1.5
    assert run.requested_by == world["student"]
    assert response["Location"].endswith(f"?run={run.pk}")
    with django_assert_max_num_queries(8):
        page = client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in page
    assert f'hx-get="{reverse("demo-run-panel", args=[run.pk])}"' in page
    assert 'value="1.5"' in page  # the form shows the run's parameters


def test_bad_parameters_keep_what_was_typed_and_say_what_is_wrong(client, world):
    client.force_login(world["student"])
    response = client.post(
        reverse("demo-page", args=["sgd-steps"]),
        {"problem": "parabola", "lr": "99", "steps": "ten", "momentum": "0"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="99"' in page
    assert 'value="ten"' in page
    assert "must be between 1e-08 and 10, got 99" in page
    assert "must be a whole number" in page
    assert 'aria-invalid="true"' in page
    assert not DemoRun.objects.exists()


def test_too_many_runs_answer_429_with_the_retry_time(client, world, settings):
    settings.DEMO_ACTIVE_RUNS_PER_USER = 1
    client.force_login(world["student"])
    url = reverse("demo-page", args=["sgd-steps"])
    client.post(url, {"lr": "0.5"})
    response = client.post(url, {"lr": "0.25"})
    assert response.status_code == 429
    assert response["Retry-After"] == "5"
    assert "try again in 5 seconds" in response.content.decode()
    assert 'value="0.25"' in response.content.decode()


def test_a_finished_run_shows_its_figures_tables_summary_and_notes(client):
    run = done_run()
    page = client.get(reverse("demo-run-panel", args=[run.pk])).content.decode()
    assert "hx-get" not in page  # finished: no more polling
    assert reverse("training:run-figure", args=[run.pk, "probabilities"]) in page
    assert 'alt="cat 0.87, dog 0.13"' in page
    assert "<td>cat</td>" in page
    assert "Softmax puts 0.87 on cat." in page
    assert "Logits are not probabilities." in page


def test_the_drawing_page_points_at_the_prediction_endpoint(client):
    page = client.get(reverse("demo-draw")).content.decode()
    assert f'data-predict-url="{reverse("training:digit-prediction")}"' in page
    assert 'id="digit-canvas"' in page
    assert "Clear the drawing" in page


# --- attachments ---------------------------------------------------------------------------


def test_the_question_editor_offers_the_demo_picker_to_the_owner(client, world):
    client.force_login(world["owner"])
    question = world["questions"][0]
    page = client.get(reverse("question-edit", args=[question.pk])).content.decode()
    assert "Live demos on the answer" in page
    assert 'name="demo"' in page
    assert 'name="caption"' in page


def test_the_caption_input_takes_as_many_characters_as_a_caption_may_have(client, world):
    client.force_login(world["owner"])
    question = world["questions"][0]
    page = client.get(reverse("question-demos-page", args=[question.pk])).content.decode()
    assert f'name="caption" value="" maxlength="{CAPTION_MAX_LENGTH}"' in page


def test_the_owner_attaches_a_demo_and_sees_it_pending(client, world):
    client.force_login(world["owner"])
    question = world["questions"][0]
    response = client.post(
        reverse("question-demos-page", args=[question.pk]),
        {
            "demo": "softmax-cross-entropy",
            "p-logits": "5.1, 3.2, -1.7, -2.0",
            "p-labels": "cat, dog, frog, car",
            "p-target": "0",
            "caption": "Softmax of four logits",
        },
    )
    assert response.status_code == 302
    attachment = DemoAttachment.objects.get(question=question)
    assert attachment.params["logits"] == [5.1, 3.2, -1.7, -2.0]
    assert attachment.caption == "Softmax of four logits"
    assert attachment.run.status == DemoRun.Status.QUEUED
    page = client.get(reverse("question-edit", args=[question.pk])).content.decode()
    assert "Softmax of four logits" in page
    assert "Waiting for a worker" in page


def test_htmx_attaching_answers_with_the_panel_alone(client, world):
    client.force_login(world["owner"])
    question = world["questions"][0]
    response = client.post(
        reverse("question-demos-page", args=[question.pk]),
        {"demo": "tensor-grid", "p-rows": "3", "p-columns": "3", "caption": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "Demo attached." in page


def test_bad_attachment_parameters_keep_what_was_typed(client, world):
    client.force_login(world["owner"])
    question = world["questions"][0]
    response = client.post(
        reverse("question-demos-page", args=[question.pk]),
        {"demo": "tensor-grid", "p-rows": "80", "p-columns": "3", "caption": "My grid"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="80"' in page
    assert 'value="My grid"' in page
    assert "must be between 1 and 8, got 80" in page
    assert not DemoAttachment.objects.exists()


def test_an_unknown_demo_is_refused_with_a_message(client, world):
    client.force_login(world["owner"])
    question = world["questions"][0]
    response = client.post(
        reverse("question-demos-page", args=[question.pk]), {"demo": "nope", "caption": "x"}
    )
    assert response.status_code == 400
    assert "Choose one of the demos." in response.content.decode()


def test_the_fields_follow_the_chosen_demo(client, world):
    client.force_login(world["owner"])
    question = world["questions"][0]
    page = client.get(
        reverse("question-demo-fields", args=[question.pk]), {"demo": "pixel-similarity"}
    ).content.decode()
    assert 'name="p-digit_a"' in page
    assert 'name="p-logits"' not in page


@pytest.mark.parametrize(
    ("role", "status"), [("student", 403), ("other_instructor", 404), ("outsider", 404)]
)
def test_only_editors_may_attach_or_remove_demos(client, world, role, status):
    question = world["questions"][0]
    attachment = DemoAttachmentFactory(question=question)
    client.force_login(world[role])
    attach = client.post(
        reverse("question-demos-page", args=[question.pk]), {"demo": "tensor-grid"}
    )
    assert attach.status_code == status
    remove = client.post(reverse("demo-attachment-delete", args=[attachment.pk]))
    assert remove.status_code == status
    assert DemoAttachment.objects.count() == 1


def test_anonymous_attachment_requests_are_sent_to_sign_in(client, world):
    question = world["questions"][0]
    response = client.post(reverse("question-demos-page", args=[question.pk]), {"demo": "x"})
    assert response.status_code == 302


def test_the_owner_removes_a_demo(client, world):
    attachment = DemoAttachmentFactory(question=world["questions"][0])
    client.force_login(world["owner"])
    response = client.post(reverse("demo-attachment-delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert not DemoAttachment.objects.exists()
    assert DemoRun.objects.filter(pk=attachment.run_id).exists()  # the cached run stays


def test_the_set_page_shows_answers_with_their_demo_results(
    client, world, django_assert_max_num_queries
):
    run = done_run()
    DemoAttachmentFactory(question=world["questions"][1], run=run, caption="Four logits")
    client.force_login(world["student"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("set-detail", args=[world["set"].pk])).content.decode()
    assert "Answer 0: the open interval" in page
    assert "Four logits" in page
    assert reverse("training:run-figure", args=[run.pk, "probabilities"]) in page
