"""A tensor built from 1..n, multiplied, and a corner selected with slicing: rank vs shape."""

from __future__ import annotations

import torch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.figures import make_figure, new_figure
from training.params import Param, Schema
from training.registry import Demo, DemoOutput, register
from training.texts import Message


def _corner_check(params: dict) -> dict[str, list[str]]:
    if params["corner"] > min(params["rows"], params["columns"]):
        return {"corner": ["must not be larger than the tensor's rows or columns"]}
    return {}


def _draw(axes, tensor: torch.Tensor, corner: int, title: str) -> None:
    rows, columns = tensor.shape
    axes.imshow(tensor.numpy(), cmap="Blues", vmin=0, vmax=float(tensor.max()) * 1.6)
    for r in range(rows):
        for c in range(columns):
            selected = r >= rows - corner and c >= columns - corner
            axes.text(
                c,
                r,
                f"{int(tensor[r, c])}",
                ha="center",
                va="center",
                fontweight="bold" if selected else "normal",
            )
    if corner:
        from matplotlib.patches import Rectangle

        axes.add_patch(
            Rectangle(
                (columns - corner - 0.5, rows - corner - 0.5),
                corner,
                corner,
                fill=False,
                edgecolor="crimson",
                linewidth=2.5,
            )
        )
    axes.set_title(title)
    axes.set_xticks(range(columns))
    axes.set_yticks(range(rows))
    axes.grid(False)


def run(params, *, generator, device, progress) -> DemoOutput:
    rows, columns, factor, corner = (
        params["rows"],
        params["columns"],
        params["multiplier"],
        params["corner"],
    )
    tensor = torch.arange(1, rows * columns + 1, device=device).reshape(rows, columns)
    scaled = tensor * factor
    selection = scaled[rows - corner :, columns - corner :]
    expression = f"t[{rows - corner}:, {columns - corner}:]"
    progress(1, 1, "built")

    figure = new_figure(7.5, 3.6)
    left, right = figure.subplots(1, 2)
    _draw(left, tensor.cpu(), 0, f"t = tensor(1..{rows * columns}).view({rows}, {columns})")
    outlined = Message(
        gettext_noop("t * %(factor)s; %(expression)s outlined"),
        factor=str(factor),
        expression=expression,
    )
    _draw(right, scaled.cpu(), corner, str(outlined))
    table_rows = [[r, *scaled[r].cpu().tolist()] for r in range(rows)]
    sizes = {
        "rows": str(rows),
        "columns": str(columns),
        "corner": str(corner),
        "factor": str(factor),
        "expression": expression,
    }
    alt = Message(
        gettext_noop(
            "Two grids. Left: a %(rows)s×%(columns)s tensor holding 1 to %(count)s row by row. "
            "Right: the same tensor multiplied by %(factor)s, with its bottom-right "
            "%(corner)s×%(corner)s block, %(expression)s, outlined; it holds %(selection)s."
        ),
        count=str(rows * columns),
        selection=str(selection.cpu().tolist()),
        **sizes,
    )
    figures = [
        make_figure(
            "grid",
            figure,
            title=Message(
                gettext_noop(
                    "A %(rows)s×%(columns)s tensor times %(factor)s, bottom-right "
                    "%(corner)s×%(corner)s"
                ),
                **sizes,
            ),
            alt=alt,
            columns=[
                gettext_noop("row"),
                *[
                    Message(gettext_noop("column %(number)s"), number=str(c))
                    for c in range(columns)
                ],
            ],
            rows=table_rows,
            labels=[outlined],
        )
    ]
    summary = Message(
        gettext_noop(
            "t has rank %(rank)s (the number of axes) and shape %(shape)s (the length of each "
            "axis). t * %(factor)s multiplies every element; %(expression)s selects the last "
            "%(corner)s rows and columns: shape %(selected)s."
        ),
        rank=str(tensor.ndim),
        shape=str(tuple(tensor.shape)),
        selected=str(tuple(selection.shape)),
        **sizes,
    )
    return DemoOutput(
        data={
            "tensor": tensor.cpu().tolist(),
            "rank": tensor.ndim,
            "shape": list(tensor.shape),
            "multiplied": scaled.cpu().tolist(),
            "expression": expression,
            "selection": selection.cpu().tolist(),
            "selection_shape": list(selection.shape),
        },
        figures=figures,
        summary=summary,
    )


DEMO = register(
    Demo(
        slug="tensor-grid",
        title=_("A tensor, its rank and shape, and slicing"),
        description=_(
            "Build a tensor of 1..n, multiply it and select its bottom-right corner: the 3×3 "
            "tensor of 1 to 9 doubled, with its bottom-right 2×2 selected."
        ),
        schema=Schema(
            params=(
                Param("rows", "int", 3, minimum=1, maximum=8, label=_("Rows")),
                Param("columns", "int", 3, minimum=1, maximum=8, label=_("Columns")),
                Param("multiplier", "int", 2, minimum=-10, maximum=10, label=_("Multiplier")),
                Param(
                    "corner",
                    "int",
                    2,
                    minimum=1,
                    maximum=8,
                    label=_("Corner size"),
                    help=_("Size of the bottom-right selection"),
                ),
            ),
            checks=(_corner_check,),
        ),
        version=1,
        function=run,
        live=True,
    )
)
