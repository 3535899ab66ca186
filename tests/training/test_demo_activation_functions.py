"""Activation functions: values and autograd derivatives against the formulas on paper."""

from __future__ import annotations

import math

import pytest

from tests.demo_checks import assert_well_formed
from training.params import DemoParameterError
from training.registry import get_demo

DEMO = get_demo("activation-functions")


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def normal_pdf(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# (value, derivative) as derived by hand.
FORMULAS = {
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "relu": (lambda x: max(0.0, x), lambda x: 1.0 if x > 0 else 0.0),
    "leaky_relu": (lambda x: x if x > 0 else 0.01 * x, lambda x: 1.0 if x > 0 else 0.01),
    "gelu": (lambda x: x * normal_cdf(x), lambda x: normal_cdf(x) + x * normal_pdf(x)),
    "softplus": (lambda x: math.log1p(math.exp(x)), sigmoid),
}


@pytest.mark.parametrize("name", list(FORMULAS))
def test_each_function_and_its_autograd_derivative_match_the_hand_derived_formulas(name):
    output = DEMO.run({"function": name, "x_min": -3, "x_max": 3, "points": 61})

    value, derivative = FORMULAS[name]
    curve = output.data["functions"][name]
    for x, y, dy in zip(output.data["x"], curve["y"], curve["dy_dx"], strict=True):
        if name in {"relu", "leaky_relu"} and abs(x) < 1e-12:
            continue  # the kink: autograd picks a subgradient
        assert y == pytest.approx(value(x), abs=1e-9)
        assert dy == pytest.approx(derivative(x), abs=1e-9)


def test_relu_from_minus_two_to_two_is_zero_then_the_identity():
    output = DEMO.run({"function": "relu", "x_min": -2, "x_max": 2, "points": 5})

    assert output.data["x"] == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert output.data["functions"]["relu"]["y"] == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert output.data["functions"]["relu"]["dy_dx"] == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert "ReLU is 0 for negative inputs" in output.summary


def test_sigmoid_stays_strictly_between_zero_and_one_with_slope_at_most_a_quarter():
    output = DEMO.run({"function": "sigmoid", "x_min": -10, "x_max": 10, "points": 201})

    curve = output.data["functions"]["sigmoid"]
    assert 0 < min(curve["y"]) < 1e-4
    assert 1 - 1e-4 < max(curve["y"]) < 1
    assert max(curve["dy_dx"]) == pytest.approx(0.25)
    assert "(0, 1)" in output.summary
    assert_well_formed(output)


def test_all_draws_the_six_functions_in_one_figure_with_a_column_pair_each():
    output = DEMO.run({"function": "all", "points": 11})

    assert sorted(output.data["functions"]) == sorted(FORMULAS)
    (figure,) = output.figures
    assert len(figure.columns) == 1 + 2 * 6
    assert len(figure.rows) == 11
    assert_well_formed(output)


def test_the_leaky_slope_parameter_sets_the_slope_for_negative_inputs():
    output = DEMO.run({"function": "leaky_relu", "negative_slope": 0.2, "x_min": -1, "x_max": -0.5})

    assert set(output.data["functions"]["leaky_relu"]["dy_dx"]) == {0.2}


def test_it_rejects_a_range_whose_end_is_not_after_its_start():
    with pytest.raises(DemoParameterError) as raised:
        DEMO.run({"x_min": 2, "x_max": 2})

    assert raised.value.errors == {"x_max": ["must be greater than x_min (2)"]}


def test_it_rejects_a_range_beyond_the_bounds_and_an_unknown_function():
    with pytest.raises(DemoParameterError) as raised:
        DEMO.run({"x_min": -500, "function": "swish"})

    assert raised.value.errors["x_min"] == ["must be between -50 and 50, got -500"]
    assert "must be one of sigmoid, tanh" in raised.value.errors["function"][0]


def test_the_same_parameters_draw_byte_identical_figures():
    first = DEMO.run({"function": "tanh"})
    second = DEMO.run({"function": "tanh"})

    assert first.figures[0].svg == second.figures[0].svg
