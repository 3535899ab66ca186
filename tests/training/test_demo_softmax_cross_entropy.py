"""Softmax and cross-entropy against exponentials computed with the math module."""

from __future__ import annotations

import math

import pytest

from tests.demo_checks import assert_well_formed
from training.params import DemoParameterError
from training.registry import get_demo

DEMO = get_demo("softmax-cross-entropy")


def test_cat_dog_frog_car_logits_give_the_reference_probabilities():
    output = DEMO.run()

    assert [round(p, 2) for p in output.data["probabilities"]] == [0.87, 0.13, 0.0, 0.0]
    assert "cat 0.87, dog 0.13, frog 0.00, car 0.00" in output.summary
    assert_well_formed(output)


def test_probabilities_and_cross_entropy_equal_the_exponentials_divided_by_their_sum():
    logits = [5.1, 3.2, -1.7, -2.0]
    exponentials = [math.exp(v) for v in logits]
    expected = [e / sum(exponentials) for e in exponentials]

    output = DEMO.run({"target": 1})

    assert output.data["probabilities"] == pytest.approx(expected, rel=1e-12)
    assert output.data["cross_entropy"] == pytest.approx(-math.log(expected[1]), rel=1e-12)
    assert sum(output.data["probabilities"]) == pytest.approx(1.0)


def test_a_higher_temperature_flattens_the_distribution():
    cold = DEMO.run({"temperature": 0.5}).data["probabilities"]
    hot = DEMO.run({"temperature": 5}).data["probabilities"]

    assert cold[0] > 0.87 > hot[0]


def test_equal_labels_still_get_a_bar_each():
    output = DEMO.run({"logits": [1, 1], "labels": ["cat", "cat"]})

    assert output.data["probabilities"] == [0.5, 0.5]
    assert len(output.figures[0].rows) == 2


def test_it_rejects_labels_that_do_not_match_the_logits_and_a_target_out_of_range():
    with pytest.raises(DemoParameterError) as raised:
        DEMO.run({"logits": [1, 2, 3], "labels": ["a", "b"], "target": 5})

    assert raised.value.errors["labels"] == ["needs one label per logit: 3 logits, 2 labels"]
    assert raised.value.errors["target"] == ["must be the index of a logit (0 to 2)"]


def test_it_rejects_logits_that_are_not_numbers():
    with pytest.raises(DemoParameterError) as raised:
        DEMO.run({"logits": "5.1,abc"})

    assert raised.value.errors["logits"] == ["item 2 must be a number, got 'abc'"]
