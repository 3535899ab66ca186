"""Every sample card whose text cites a figure agrees with its attached demo on the data the
demos use by default (the 5,000-image MNIST subset), or the demo shows the full-data figure
beside its own and says why they differ.  The cheap ones are held here; the batch-norm
cards are held by test_demo_full_data_comparison.py.  Checked by hand, with the figures the
demos give on the subset:

- "Pixel similarity": "right about 95% of the time"; the demo: 3s 0.92, 7s 1.00, mean 0.96.
- "A linear model from scratch": "roughly 97%" (full MNIST); the demo on the subset: 0.915 after
  80 SGD steps, so it shows the full-data 0.97 beside it and why (980 steps on full MNIST).
- "Softmax" 0.87 and "Cross-entropy" −ln 0.1299 ≈ 2.04; "Drawing sigmoid" slope 0.25 at 0;
  "Epochs, batches and gradient updates" 2,345; "Why not always a high learning rate" a factor
  of 0.8 per step at lr 0.1 and a doubling at lr 1.5: exact, whatever the data.
- "Recognising a drawn digit" quotes 98% on the MNIST test set as its premise; a CNN trained on
  the subset says its own test accuracy in a note ("trained on the embedded subset").
"""

from __future__ import annotations

import pytest

from flashcards.sample_content import read_course
from training.data import load_mnist
from training.registry import get_demo
from training.sample_demos import DIGITS, NETWORKS, SAMPLE_DEMOS


@pytest.fixture(scope="module")
def cards() -> dict[str, str]:
    course = read_course()
    return {
        question["title"]: " ".join(
            [question.get("prompt", ""), question.get("answer", "")]
            + [c.get("feedback", "") + c.get("text", "") for c in question.get("choices", [])]
        )
        for question_set in course["sets"]
        for question in question_set["questions"]
    }


@pytest.fixture(autouse=True)
def on_the_embedded_subset(settings):
    """The cards are checked against what a fresh install shows: the embedded subset, even
    where the suite was given full MNIST (scripts/test sets MNIST_DIR when ../shared has it)."""
    settings.MNIST_DIR = None


def attached(set_title: str, question: str, position: int = 0):
    sample = SAMPLE_DEMOS[(set_title, question)][position]
    return get_demo(sample.demo).run(sample.params)


def test_the_pixel_similarity_baseline_is_right_about_95_percent_of_the_time(cards):
    assert "right about 95% of the time" in cards["Pixel similarity"]
    output = attached(DIGITS, "Pixel similarity")
    assert load_mnist().is_subset  # the data a fresh install's demos use
    assert 0.93 <= output.data["mean_accuracy"] <= 0.98


def test_the_linear_model_shows_the_full_data_97_percent_beside_its_own_and_why(cards):
    assert "roughly 97% validation accuracy" in cards["A linear model from scratch"]
    output = attached(DIGITS, "A linear model from scratch")
    (why,) = [note for note in output.notes if "the figure the cards quote" in note]
    assert "about 0.97" in why
    steps = output.data["gradient_updates"]
    assert f"it took {steps} SGD steps where full MNIST's 12,396 images give 980" in why
    assert output.data["final_accuracy"] < 0.95  # why the note is there


def test_softmax_and_cross_entropy_give_the_cards_numbers(cards):
    assert "P(\\text{cat}) \\approx 0.87" in cards["Softmax"]
    assert "cat 0.87, dog 0.13" in attached(NETWORKS, "Softmax").summary
    assert "-\\ln 0.1299 \\approx 2" in cards["Cross-entropy"]
    output = attached(NETWORKS, "Cross-entropy")
    assert output.data["cross_entropy"] == pytest.approx(2.0411, abs=1e-4)
    assert "−log(0.1299) = 2.041" in output.summary


def test_the_sigmoid_is_steepest_at_zero_with_slope_a_quarter(cards):
    assert "= 0.25" in cards["Drawing sigmoid"]
    output = attached(DIGITS, "Drawing sigmoid")
    curve = output.data["functions"]["sigmoid"]
    steepest = max(range(len(curve["dy_dx"])), key=lambda i: curve["dy_dx"][i])
    assert output.data["x"][steepest] == pytest.approx(0.0, abs=0.06)
    assert curve["dy_dx"][steepest] == pytest.approx(0.25, abs=1e-3)


def test_the_gradient_update_count_is_the_captions():
    (sample,) = SAMPLE_DEMOS[(NETWORKS, "Epochs, batches and gradient updates")]
    assert "2,345 gradient updates" in sample.caption
    assert attached(NETWORKS, "Epochs, batches and gradient updates").data["updates"] == 2345


def test_a_high_learning_rate_shrinks_then_doubles_the_distance_as_the_captions_say():
    small, large = SAMPLE_DEMOS[(DIGITS, "Why not always a high learning rate")]
    assert "factor of 0.8" in small.caption
    assert "doubles the distance" in large.caption
    shrinking = attached(DIGITS, "Why not always a high learning rate", 0).data["parameters"]
    assert shrinking[1][0] / shrinking[0][0] == pytest.approx(0.8)
    growing = attached(DIGITS, "Why not always a high learning rate", 1)
    assert growing.data["verdict"] == "diverged"
    points = growing.data["parameters"]
    assert points[1][0] / points[0][0] == pytest.approx(-2.0)
