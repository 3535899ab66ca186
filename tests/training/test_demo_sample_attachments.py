"""Sample demos attach to the sample course's questions, once, however often it runs."""

from __future__ import annotations

import io

import pytest

from tests.flashcards.factories import QuestionFactory, QuestionSetFactory
from training.models import DemoAttachment, DemoRun
from training.registry import get_demo
from training.sample_demos import NETWORKS, SAMPLE_DEMOS, attach_sample_demos

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_course():
    """Sets and questions with the titles the sample content uses."""
    sets = {}
    for set_title, question_title in SAMPLE_DEMOS:
        if set_title not in sets:
            sets[set_title] = QuestionSetFactory(title=set_title)
        QuestionFactory(question_set=sets[set_title], title=question_title)
    return sets


def test_every_listed_demo_exists_and_its_parameters_are_valid():
    for demos in SAMPLE_DEMOS.values():
        for sample in demos:
            get_demo(sample.demo).validate(sample.params)


def test_it_attaches_the_fitting_demos_and_requests_their_runs(
    sample_course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        counts = attach_sample_demos()

    expected = sum(len(demos) for demos in SAMPLE_DEMOS.values())
    assert counts["created"] == expected
    assert DemoAttachment.objects.count() == expected
    relu = DemoAttachment.objects.get(question__title="Drawing ReLU")
    assert (relu.demo, relu.params["function"], relu.params["x_min"]) == (
        "activation-functions",
        "relu",
        -2.0,
    )
    high_lr = DemoAttachment.objects.filter(
        question__title="Why not always a high learning rate"
    ).order_by("position")
    assert [a.params["lr"] for a in high_lr] == [0.1, 1.5]
    updates = DemoAttachment.objects.get(question__title="Epochs, batches and gradient updates")
    assert updates.run.params == {
        "batch_size": 128,
        "drop_last": False,
        "epochs": 5,
        "samples": 60000,
    }
    # One run per distinct computation, each enqueued once.
    assert DemoRun.objects.count() == len(callbacks)
    assert all(a.run_id for a in DemoAttachment.objects.all())


def test_running_it_again_changes_nothing(sample_course, django_capture_on_commit_callbacks):
    attach_sample_demos()
    before = list(DemoAttachment.objects.values_list("pk", "run_id", "params", "caption"))

    output = io.StringIO()
    with django_capture_on_commit_callbacks() as callbacks:
        counts = attach_sample_demos(stdout=output)

    assert counts["created"] == counts["updated"] == 0
    assert list(DemoAttachment.objects.values_list("pk", "run_id", "params", "caption")) == before
    assert callbacks == []
    assert "0 attached, 0 updated" in output.getvalue()


def test_an_attachment_edited_since_is_brought_back_to_the_sample(sample_course):
    attach_sample_demos()
    softmax = DemoAttachment.objects.get(question__title="Softmax")
    softmax.caption = "edited"
    softmax.save()

    counts = attach_sample_demos()

    assert counts["updated"] == 1
    softmax.refresh_from_db()
    assert softmax.caption.startswith("Logits cat 5.1")


def test_missing_questions_are_reported_and_skipped():
    QuestionFactory(question_set=QuestionSetFactory(title=NETWORKS), title="Softmax")
    output = io.StringIO()

    counts = attach_sample_demos(stdout=output)

    assert counts["created"] == 1
    assert counts["missing_questions"] == len(SAMPLE_DEMOS) - 1
    assert (
        "No question 'Drawing sigmoid' in a set 'Training a digit classifier'" in output.getvalue()
    )


def test_it_can_be_limited_to_some_sets(sample_course):
    other = QuestionSetFactory(title=NETWORKS)
    QuestionFactory(question_set=other, title="Softmax")

    attach_sample_demos(question_sets=[sample_course[NETWORKS]])

    assert not DemoAttachment.objects.filter(question__question_set=other).exists()
    assert DemoAttachment.objects.filter(question__question_set=sample_course[NETWORKS]).exists()
