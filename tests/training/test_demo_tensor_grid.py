"""The 3×3 tensor of 1..9, doubled, bottom-right 2×2 selected; rank against shape."""

from __future__ import annotations

import pytest

from tests.demo_checks import assert_well_formed
from training.params import DemoParameterError
from training.registry import get_demo

DEMO = get_demo("tensor-grid")


def test_the_default_is_the_doubled_three_by_three_with_its_bottom_right_corner():
    output = DEMO.run()

    assert output.data["tensor"] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert output.data["multiplied"] == [[2, 4, 6], [8, 10, 12], [14, 16, 18]]
    assert output.data["expression"] == "t[1:, 1:]"
    assert output.data["selection"] == [[10, 12], [16, 18]]
    assert_well_formed(output)


def test_it_tells_rank_from_shape():
    output = DEMO.run({"rows": 2, "columns": 4})

    assert output.data["rank"] == 2
    assert output.data["shape"] == [2, 4]
    assert "rank 2" in output.summary
    assert "shape (2, 4)" in output.summary


def test_a_one_by_one_corner_of_a_tripled_tensor_is_its_last_element_tripled():
    output = DEMO.run({"rows": 4, "columns": 5, "multiplier": 3, "corner": 1})

    assert output.data["selection"] == [[20 * 3]]
    assert output.data["selection_shape"] == [1, 1]


def test_the_figure_table_holds_the_multiplied_tensor_row_by_row():
    output = DEMO.run()

    assert output.figures[0].rows == [[0, 2, 4, 6], [1, 8, 10, 12], [2, 14, 16, 18]]
    assert "[[10, 12], [16, 18]]" in output.figures[0].alt


def test_it_rejects_a_corner_larger_than_the_tensor():
    with pytest.raises(DemoParameterError) as raised:
        DEMO.run({"rows": 2, "columns": 3, "corner": 3})

    assert "corner" in raised.value.errors
