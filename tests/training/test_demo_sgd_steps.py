"""SGD steps: trajectories against closed forms and hand-written updates; the verdicts."""

from __future__ import annotations

import pytest

from tests.demo_checks import assert_well_formed
from training.demos.sgd_steps import speed_data
from training.registry import get_demo

DEMO = get_demo("sgd-steps")


def test_on_a_parabola_each_step_multiplies_x_by_one_minus_two_lr():
    output = DEMO.run({"problem": "parabola", "lr": 0.1, "steps": 8, "start": -1.5})

    xs = [point[0] for point in output.data["parameters"]]
    assert xs == pytest.approx([-1.5 * 0.8**k for k in range(9)])
    assert output.data["losses"] == pytest.approx([x * x for x in xs], rel=1e-5)
    assert output.data["verdict"] == "converging"
    assert_well_formed(output)


def test_momentum_follows_pytorchs_velocity_rule_written_out_by_hand():
    lr, momentum, x, velocity = 0.05, 0.9, 2.0, 0.0
    expected = [x]
    for _ in range(12):
        velocity = momentum * velocity + 2 * x  # gradient of x² is 2x
        x -= lr * velocity
        expected.append(x)

    output = DEMO.run(
        {"problem": "parabola", "lr": lr, "momentum": momentum, "steps": 12, "start": 2.0}
    )

    assert [point[0] for point in output.data["parameters"]] == pytest.approx(expected)


def test_the_speed_gradients_equal_the_hand_derived_mean_squared_error_gradients():
    import torch

    output = DEMO.run({"problem": "speed", "steps": 3, "seed": 7})

    generator = torch.Generator().manual_seed(7)
    time, speed = (t.tolist() for t in speed_data(generator))
    for (a, b, c), gradient in zip(
        output.data["parameters"][:3], output.data["gradients"], strict=True
    ):
        residuals = [a * t * t + b * t + c - s for t, s in zip(time, speed, strict=True)]
        by_hand = [
            sum(2 * r * t * t for r, t in zip(residuals, time, strict=True)) / 20,
            sum(2 * r * t for r, t in zip(residuals, time, strict=True)) / 20,
            sum(2 * r for r in residuals) / 20,
        ]
        assert gradient == pytest.approx(by_hand, rel=1e-5)


def test_the_default_speed_fit_brings_the_loss_down_in_ten_steps():
    output = DEMO.run()

    losses = output.data["losses"]
    assert len(losses) == 11
    assert losses[-1] < losses[0] / 10
    assert output.data["verdict"] == "converging"
    assert_well_formed(output)


def test_a_learning_rate_of_one_and_a_half_on_the_parabola_diverges_and_says_why():
    output = DEMO.run({"problem": "parabola", "lr": 1.5, "steps": 10})

    xs = [point[0] for point in output.data["parameters"]]
    assert xs[1:4] == pytest.approx([3.0, -6.0, 12.0])  # −1.5 × (1 − 2·1.5)^k
    assert output.data["verdict"] == "diverged"
    assert "1 − 2·lr = -2" in output.data["explanation"]
    assert "too high" in output.summary


def test_a_high_learning_rate_on_the_speed_data_diverges_even_to_infinity():
    output = DEMO.run({"problem": "speed", "lr": 0.01, "steps": 200})

    assert output.data["verdict"] == "diverged"
    assert "Infinity" in output.data["losses"] or "NaN" in output.data["losses"]
    assert_well_formed(output)  # strict JSON even though the loss overflowed


def test_a_tiny_learning_rate_stalls_and_says_so():
    output = DEMO.run({"problem": "parabola", "lr": 1e-4, "steps": 10})

    assert output.data["verdict"] == "stalled"
    assert "too low" in output.summary


def test_a_learning_rate_just_below_one_oscillates_around_the_minimum():
    output = DEMO.run({"problem": "parabola", "lr": 0.9, "steps": 10})

    assert output.data["verdict"] == "oscillating"


def test_the_seed_decides_the_data_and_the_starting_parameters():
    first, again, other = (DEMO.run({"seed": s}) for s in (3, 3, 4))

    assert first.data == again.data
    assert first.data["speed"] != other.data["speed"]
