"""The computation graph: gradients on paper, by the demo's chain rule and by autograd."""

from __future__ import annotations

import math

import pytest

from tests.demo_checks import assert_well_formed
from training.registry import get_demo

DEMO = get_demo("computation-graph")


def nodes(output) -> dict:
    return {node["name"]: node for node in output.data["nodes"]}


def test_squared_error_gradients_are_those_derived_by_hand():
    w, x, b, y = 2.0, 3.0, 1.0, 4.0
    output = DEMO.run({"w": w, "x": x, "b": b, "y": y})

    error = w * x + b - y  # 3
    by_name = nodes(output)
    assert by_name["loss"]["value"] == error**2 == 9
    assert by_name["w"]["gradient"] == 2 * error * x == 18
    assert by_name["x"]["gradient"] == 2 * error * w == 12
    assert by_name["b"]["gradient"] == 2 * error == 6
    assert by_name["y"]["gradient"] == -2 * error == -6
    assert by_name["wx"]["gradient"] == by_name["z"]["gradient"] == 6
    assert output.data["agrees_with_autograd"] is True
    assert_well_formed(output)


def test_every_edge_carries_its_local_derivative_times_the_upstream_gradient():
    output = DEMO.run({"w": -1.5, "x": 0.5, "b": 2.0, "y": 1.0})

    by_name = nodes(output)
    for edge in output.data["edges"]:
        assert edge["gradient"] == pytest.approx(
            by_name[edge["to"]]["gradient"] * edge["local_derivative"]
        )
    edges = {(e["from"], e["to"]): e for e in output.data["edges"]}
    assert edges[("w", "wx")]["local_derivative"] == 0.5  # ∂(w·x)/∂w = x
    assert edges[("y", "error")]["local_derivative"] == -1.0


def test_the_sigmoid_neuron_gradient_includes_the_sigmoids_slope():
    w, x, b, y = 0.5, 2.0, -0.5, 1.0
    output = DEMO.run({"expression": "sigmoid_neuron", "w": w, "x": x, "b": b, "y": y})

    a = 1 / (1 + math.exp(-(w * x + b)))
    d_z = 2 * (a - y) * a * (1 - a)
    by_name = nodes(output)
    assert by_name["loss"]["value"] == pytest.approx((a - y) ** 2)
    assert by_name["w"]["gradient"] == pytest.approx(d_z * x)
    assert by_name["b"]["gradient"] == pytest.approx(d_z)
    assert by_name["w"]["autograd_gradient"] == pytest.approx(d_z * x)
    assert "Autograd agrees" in output.summary


def test_the_figure_table_lists_every_edge():
    output = DEMO.run()

    (figure,) = output.figures
    assert len(figure.rows) == len(output.data["edges"]) == 7
    assert "loss = (w·x + b − y)²" in figure.title
