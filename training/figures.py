"""Figures as SVG text drawn with matplotlib's Agg-family backends, never pyplot.

`matplotlib.figure.Figure` objects are independent of pyplot's global state, so two demos
drawing at once in one process (threads in the web server) cannot draw on each other.  Each
figure travels with a text alternative and the table of numbers it was drawn from: a chart
a screen reader cannot read, or whose numbers cannot be checked, is not a result.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure as MplFigure

from training.texts import Text, to_json

# Same input, same bytes: no timestamps, fixed ids, text kept as text (smaller, selectable).
matplotlib.rcParams.update(
    {
        "svg.hashsalt": "quizsite-demos",
        "svg.fonttype": "none",
        "font.size": 10,
        "axes.grid": True,
        "grid.alpha": 0.3,
    }
)


@dataclass
class Figure:
    name: str
    title: str
    alt: str
    svg: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    # Computed words drawn inside the SVG (a title with numbers, a legend naming a digit):
    # each is a training.texts.Message, swapped for its translation when the SVG is served.
    labels: list[str] = field(default_factory=list)

    def meta(self) -> dict[str, Any]:
        """Everything but the SVG: what a polling page needs before it fetches the image."""
        meta = {
            "name": self.name,
            "title": to_json(self.title),
            "alt": to_json(self.alt),
            "table": {"columns": [to_json(c) for c in self.columns], "rows": self.rows},
        }
        labels = [label.json() for label in self.labels if isinstance(label, Text)]
        if labels:
            meta["labels"] = labels
        return meta


def new_figure(width: float = 6.4, height: float = 4.0) -> MplFigure:
    return MplFigure(figsize=(width, height), layout="constrained")


def to_svg(figure: MplFigure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "quizsite"})
    return buffer.getvalue()


def make_figure(
    name: str,
    figure: MplFigure,
    *,
    title: str,
    alt: str,
    columns: list[str],
    rows: list[list[Any]],
    labels: Sequence[str] | None = None,
) -> Figure:
    return Figure(
        name=name,
        title=title,
        alt=alt,
        svg=to_svg(figure),
        columns=columns,
        rows=[[json_number(value) for value in row] for row in rows],
        labels=list(labels or []),
    )


def json_number(value: Any, digits: int = 6) -> Any:
    """Round floats for tables and JSON; NaN and infinities become strings JSON can carry."""
    if isinstance(value, bool) or not isinstance(value, float | int):
        return value
    if isinstance(value, int):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(f"{value:.{digits}g}")


def sample_rows(rows: list[list[Any]], limit: int = 101) -> list[list[Any]]:
    """Keep a long table readable: every k-th row, always including the last."""
    if len(rows) <= limit:
        return rows
    step = math.ceil(len(rows) / (limit - 1))
    picked = rows[::step]
    if picked[-1] is not rows[-1]:
        picked.append(rows[-1])
    return picked


_TEXT = re.compile(r"(<text\b[^>]*>)([^<]+)(</text>)")


def translate_svg_text(svg: str, translate, computed: dict[str, str] | None = None) -> str:
    """A figure's words in the reader's language: each <text> whose whole content is a
    message of the catalogue (axis labels, legends, marked with gettext_noop where drawn) is
    replaced by `translate(content)`, and each computed label (its English text in
    `computed`, from the figure's `labels`) by its rendering; numbers and names pass through
    unchanged.  Figures are drawn once per run, in the worker, and are read in every
    language."""
    computed = computed or {}

    def swap(match: re.Match) -> str:
        original = html.unescape(match.group(2))
        translated = computed.get(original) or translate(original)
        if translated == original:
            return match.group(0)
        return match.group(1) + html.escape(translated, quote=False) + match.group(3)

    return _TEXT.sub(swap, svg)
