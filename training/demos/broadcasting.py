"""Broadcasting two shapes: the result shape, or the error PyTorch raises, axis by axis."""

from __future__ import annotations

from typing import Any

import torch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.figures import make_figure, new_figure
from training.params import Param, Schema
from training.registry import Demo, DemoOutput, register
from training.texts import Joined, Message

# The rule each axis follows: stored in the data as English and shown translated.
MISSING = gettext_noop("missing on one side: treated as 1")
EQUAL = gettext_noop("equal")
STRETCHED = gettext_noop("one is 1: stretched")
INCOMPATIBLE = gettext_noop("incompatible")


def align(shape_a: list[int], shape_b: list[int]) -> list[dict]:
    """Line the shapes up from the right, as broadcasting does, and judge each axis."""
    width = max(len(shape_a), len(shape_b))
    padded_a = [None] * (width - len(shape_a)) + list(shape_a)
    padded_b = [None] * (width - len(shape_b)) + list(shape_b)
    axes = []
    for position, (a, b) in enumerate(zip(padded_a, padded_b, strict=True)):
        if a is None or b is None:
            rule, size = MISSING, a if b is None else b
        elif a == b:
            rule, size = EQUAL, a
        elif a == 1 or b == 1:
            rule, size = STRETCHED, max(a, b)
        else:
            rule, size = INCOMPATIBLE, None
        axes.append({"axis": position - width, "a": a, "b": b, "rule": rule, "size": size})
    return axes


def run(params, *, generator, device, progress) -> DemoOutput:
    shape_a, shape_b = params["shape_a"], params["shape_b"]
    a = torch.arange(1, _numel(shape_a) + 1, dtype=torch.float32, device=device).reshape(shape_a)
    b = torch.arange(1, _numel(shape_b) + 1, dtype=torch.float32, device=device).reshape(shape_b)
    axes = align(shape_a, shape_b)
    error = None
    try:
        result = a + b
        result_shape: list[int] | None = list(result.shape)
    except RuntimeError as raised:
        error, result, result_shape = str(raised).splitlines()[0], None, None
    progress(1, 1, "broadcast")

    figure = new_figure(6.4, 1.2 + 0.45 * 3)
    table = figure.add_subplot()
    table.axis("off")
    cells = [
        ["a", *[_cell(axis["a"]) for axis in axes]],
        ["b", *[_cell(axis["b"]) for axis in axes]],
        ["a + b", *[_cell(axis["size"], failed=axis["rule"] == INCOMPATIBLE) for axis in axes]],
    ]
    drawn = table.table(
        cellText=cells,
        colLabels=["", *[str(_axis_name(axis)) for axis in axes]],
        loc="center",
        cellLoc="center",
    )
    for column, axis in enumerate(axes, start=1):
        if axis["rule"] == INCOMPATIBLE:
            for row in range(1, 4):
                drawn[row, column].set_facecolor("#f8d7da")
    shapes = {"a": str(tuple(shape_a)), "b": str(tuple(shape_b))}
    if error is None:
        verdict = Message(
            gettext_noop("result shape %(shape)s"), shape=str(tuple(result_shape or ()))
        )
    else:
        verdict = Message(gettext_noop("error"))
    heading = Message(gettext_noop("%(a)s + %(b)s → %(verdict)s"), verdict=verdict, **shapes)
    table.set_title(str(heading))

    explained = Joined(
        (
            Message(
                gettext_noop("%(axis)s: %(a)s and %(b)s, %(rule)s"),
                axis=_axis_name(axis),
                a=_cell(axis["a"]),
                b=_cell(axis["b"]),
                rule=Message(axis["rule"]),
            )
            for axis in axes
        ),
        "; ",
    )
    if error is None:
        summary = Message(
            gettext_noop(
                "Shapes %(a)s and %(b)s broadcast to %(result)s: compared from the right, "
                "every pair of sizes is equal, or one of them is 1 (or missing) and is "
                "stretched without copying data."
            ),
            result=str(tuple(result_shape or ())),
            **shapes,
        )
    else:
        bad = [axis["axis"] for axis in axes if axis["rule"] == INCOMPATIBLE]
        summary = Message(
            gettext_noop(
                "Shapes %(a)s and %(b)s do not broadcast: on axis %(axes)s the sizes differ "
                "and neither is 1. PyTorch says: %(error)s"
            ),
            axes=", ".join(map(str, bad)),
            error=error,
            **shapes,
        )
    figures = [
        make_figure(
            "alignment",
            figure,
            title=Message(gettext_noop("Broadcasting %(a)s with %(b)s"), **shapes),
            alt=Message(
                gettext_noop(
                    "Table lining up the shapes from the right. %(explained)s. Outcome: "
                    "%(verdict)s."
                ),
                explained=explained,
                verdict=verdict,
            ),
            columns=[
                gettext_noop("axis"),
                "a",
                "b",
                gettext_noop("rule"),
                gettext_noop("result size"),
            ],
            rows=[
                [
                    axis["axis"],
                    _cell(axis["a"]),
                    _cell(axis["b"]),
                    axis["rule"],
                    _cell(axis["size"]),
                ]
                for axis in axes
            ],
            labels=[heading, *(_axis_name(axis) for axis in axes)],
        )
    ]
    data = {
        "shape_a": shape_a,
        "shape_b": shape_b,
        "axes": axes,
        "broadcasts": error is None,
        "result_shape": result_shape,
        "error": error,
    }
    if result is not None and result.numel() <= 64:
        data.update(a=a.cpu().tolist(), b=b.cpu().tolist(), result=result.cpu().tolist())
    return DemoOutput(data=data, figures=figures, summary=summary)


def _axis_name(axis: dict) -> Message:
    return Message(gettext_noop("axis %(number)s"), number=str(axis["axis"]))


def _numel(shape: list[int]) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def _cell(value, *, failed: bool = False) -> str:
    if failed:
        return "✗"
    return "–" if value is None else str(value)


MAX_ELEMENTS = 100_000


def _size_check(params: dict) -> dict[str, list[str]]:
    errors = {}
    for name in ("shape_a", "shape_b"):
        if _numel(params[name]) > MAX_ELEMENTS:
            errors[name] = [f"has more than {MAX_ELEMENTS:,} elements"]
    return errors


SHAPE: dict[str, Any] = {"minimum": 1, "maximum": 64, "min_items": 0, "max_items": 4}

DEMO = register(
    Demo(
        slug="broadcasting",
        title=_("Broadcasting two shapes"),
        description=_(
            "Add tensors of two shapes and see, axis by axis from the right, why they "
            "broadcast to the result shape, or the error PyTorch raises when they cannot."
        ),
        schema=Schema(
            params=(
                Param(
                    "shape_a",
                    "int_list",
                    [3, 1],
                    label=_("Shape of the first tensor"),
                    help=_("Sizes separated by x or commas, e.g. 3x1"),
                    **SHAPE,
                ),
                Param(
                    "shape_b",
                    "int_list",
                    [4],
                    label=_("Shape of the second tensor"),
                    help=_("Sizes separated by x or commas, e.g. 4"),
                    **SHAPE,
                ),
            ),
            checks=(_size_check,),
        ),
        version=1,
        function=run,
        live=True,
    )
)
