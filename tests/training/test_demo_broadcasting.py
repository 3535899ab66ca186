"""Broadcasting: result shapes agree with numpy's rules; failures carry PyTorch's own error."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.demo_checks import assert_well_formed
from training.params import DemoParameterError
from training.registry import get_demo

DEMO = get_demo("broadcasting")


def test_a_column_and_a_row_broadcast_to_a_grid():
    output = DEMO.run({"shape_a": [3, 1], "shape_b": [4]})

    assert output.data["broadcasts"] is True
    assert output.data["result_shape"] == [3, 4]
    assert output.data["result"][2] == [3 + 1, 3 + 2, 3 + 3, 3 + 4]
    assert [axis["rule"] for axis in output.data["axes"]] == [
        "missing on one side: treated as 1",
        "one is 1: stretched",
    ]
    assert_well_formed(output)


def test_mismatched_trailing_axes_report_the_error_pytorch_raises():
    output = DEMO.run({"shape_a": "3x2", "shape_b": "3"})

    assert output.data["broadcasts"] is False
    assert output.data["result_shape"] is None
    assert "must match the size of tensor b (3)" in output.data["error"]
    assert output.data["axes"][-1]["rule"] == "incompatible"
    assert "do not broadcast" in output.summary
    assert_well_formed(output)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=0, max_size=4),
    st.lists(st.integers(1, 4), min_size=0, max_size=4),
)
def test_the_outcome_agrees_with_numpys_broadcasting_for_any_small_shapes(shape_a, shape_b):
    output = DEMO.run({"shape_a": shape_a, "shape_b": shape_b})

    try:
        expected = list(np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
    except ValueError:
        expected = None
    assert output.data["result_shape"] == expected


def test_it_rejects_shapes_with_a_zero_or_too_many_axes():
    with pytest.raises(DemoParameterError) as raised:
        DEMO.run({"shape_a": [3, 0], "shape_b": [1, 1, 1, 1, 1]})

    assert raised.value.errors["shape_a"] == ["item 2 must be between 1 and 64, got 0"]
    assert raised.value.errors["shape_b"] == ["takes at most 4 items, got 5"]


def test_it_rejects_a_tensor_too_large_to_build():
    with pytest.raises(DemoParameterError) as raised:
        DEMO.run({"shape_a": [64, 64, 64], "shape_b": [1]})

    assert "more than 100,000 elements" in raised.value.errors["shape_a"][0]
