"""Checks every demo's output must pass: figures are real SVG with alt text and a table."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from training.registry import DemoOutput


def assert_well_formed(output: DemoOutput) -> None:
    json.dumps(output.result_json(), allow_nan=False)  # the result is strict JSON
    assert output.summary
    assert output.figures, "every demo draws at least one figure"
    for figure in output.figures:
        root = ET.fromstring(figure.svg)
        assert root.tag.endswith("svg")
        assert len(figure.alt) > 30, f"{figure.name}: the text alternative says too little"
        assert figure.title
        assert figure.columns, f"{figure.name}: no table columns"
        assert figure.rows, f"{figure.name}: no table rows"
        assert all(len(row) == len(figure.columns) for row in figure.rows)
        json.dumps(figure.meta(), allow_nan=False)
