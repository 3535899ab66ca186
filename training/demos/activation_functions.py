"""Activation functions and their derivatives, computed by PyTorch and autograd."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.figures import make_figure, new_figure, sample_rows
from training.params import Param, Schema
from training.registry import Demo, DemoOutput, register
from training.texts import Joined, Message, number

FUNCTIONS = {
    "sigmoid": ("sigmoid", lambda x, slope: torch.sigmoid(x)),
    "tanh": ("tanh", lambda x, slope: torch.tanh(x)),
    "relu": ("ReLU", lambda x, slope: F.relu(x)),
    "leaky_relu": ("leaky ReLU", lambda x, slope: F.leaky_relu(x, negative_slope=slope)),
    "gelu": ("GELU", lambda x, slope: F.gelu(x)),
    "softplus": ("softplus", lambda x, slope: F.softplus(x)),
}
# What each curve teaches; the summary states it next to the numbers that show it.
FACTS = {
    "sigmoid": gettext_noop(
        "%(name)s squashes any input into (0, 1); its slope is at most 0.25, at x = 0."
    ),
    "tanh": gettext_noop(
        "%(name)s squashes any input into (−1, 1) and is centred on 0; slope at most 1."
    ),
    "relu": gettext_noop(
        "%(name)s is 0 for negative inputs and x itself for positive ones; slope 0 or 1."
    ),
    "leaky_relu": gettext_noop(
        "%(name)s keeps a small slope for negative inputs, so their gradient is not 0."
    ),
    "gelu": gettext_noop(
        "%(name)s is a smooth ReLU: x weighted by the probability that a standard normal is "
        "below x."
    ),
    "softplus": gettext_noop("%(name)s is a smooth ReLU, log(1 + eˣ), whose slope is the sigmoid."),
}


def _range_check(params: dict) -> dict[str, list[str]]:
    if params["x_max"] <= params["x_min"]:
        return {"x_max": [f"must be greater than x_min ({params['x_min']:g})"]}
    return {}


def evaluate(name: str, x: torch.Tensor, slope: float) -> tuple[torch.Tensor, torch.Tensor]:
    """y = f(x) and dy/dx from autograd (each y_i depends only on x_i, so grad of the sum)."""
    x = x.detach().clone().requires_grad_(True)
    y = FUNCTIONS[name][1](x, slope)
    (grad,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), grad.detach()


def run(params, *, generator, device, progress) -> DemoOutput:
    chosen = list(FUNCTIONS) if params["function"] == "all" else [params["function"]]
    x = torch.linspace(
        params["x_min"], params["x_max"], params["points"], dtype=torch.float64, device=device
    )
    curves = {}
    for index, name in enumerate(chosen):
        y, dy = evaluate(name, x, params.get("negative_slope", 0.0))  # leaky ReLU only
        curves[name] = {"y": y.cpu().tolist(), "dy_dx": dy.cpu().tolist()}
        progress(index + 1, len(chosen), FUNCTIONS[name][0])
    xs = x.cpu().tolist()

    figure = new_figure()
    axes = figure.add_subplot()
    for name, curve in curves.items():
        line = axes.plot(xs, curve["y"], label=FUNCTIONS[name][0])[0]
        if len(chosen) == 1:
            axes.plot(
                xs, curve["dy_dx"], "--", color=line.get_color(), label=gettext_noop("derivative")
            )
    axes.axhline(0, color="black", linewidth=0.8)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlabel("x")
    axes.set_ylabel("f(x)" if len(chosen) > 1 else gettext_noop("f(x) and f′(x)"))
    axes.legend()

    describe = [
        Message(
            gettext_noop(
                "%(name)s from %(low)s to %(high)s, slope from %(slope_low)s to %(slope_high)s"
            ),
            name=FUNCTIONS[name][0],
            low=number(min(curve["y"]), ".3g"),
            high=number(max(curve["y"]), ".3g"),
            slope_low=number(min(curve["dy_dx"]), ".3g"),
            slope_high=number(max(curve["dy_dx"]), ".3g"),
        )
        for name, curve in curves.items()
    ]
    span = {"low": number(params["x_min"], "g"), "high": number(params["x_max"], "g")}
    alt = Message(
        gettext_noop("Line chart over x from %(low)s to %(high)s: %(curves)s."),
        curves=Joined(describe, "; "),
        **span,
    )
    columns: list[str] = ["x"]
    for name in curves:
        label = FUNCTIONS[name][0]
        columns += [label, Message(gettext_noop("%(name)s derivative"), name=label)]
    rows = [
        [xs[i]]
        + [value for curve in curves.values() for value in (curve["y"][i], curve["dy_dx"][i])]
        for i in range(len(xs))
    ]
    title = Message(
        gettext_noop("%(functions)s for x from %(low)s to %(high)s"),
        functions=", ".join(FUNCTIONS[name][0] for name in chosen),
        **span,
    )
    figures = [
        make_figure("curve", figure, title=title, alt=alt, columns=columns, rows=sample_rows(rows))
    ]
    summary = Joined(Message(FACTS[name], name=FUNCTIONS[name][0]) for name in chosen)
    return DemoOutput(
        data={"x": xs, "functions": curves},
        figures=figures,
        summary=summary,
    )


DEMO = register(
    Demo(
        slug="activation-functions",
        title=_("Activation functions"),
        description=_(
            "Plot sigmoid, tanh, ReLU, leaky ReLU, GELU or softplus over a range of inputs, "
            "with the derivative autograd computes."
        ),
        schema=Schema(
            params=(
                Param(
                    "function",
                    "choice",
                    "sigmoid",
                    choices=(*FUNCTIONS, "all"),
                    label=_("Function"),
                    help=_("Which function to draw; “all of them” compares them on one plot"),
                    choice_labels={
                        "sigmoid": _("Sigmoid"),
                        "tanh": _("Hyperbolic tangent (tanh)"),
                        "relu": _("ReLU (rectified linear unit)"),
                        "leaky_relu": _("Leaky ReLU"),
                        "gelu": _("GELU (Gaussian error linear unit)"),
                        "softplus": _("Softplus"),
                        "all": _("All of them"),
                    },
                ),
                Param(
                    "x_min",
                    "float",
                    -5.0,
                    minimum=-50,
                    maximum=50,
                    label=_("Smallest input x"),
                    help=_("Left end of the plot"),
                    slider=True,
                    step=0.5,
                ),
                Param(
                    "x_max",
                    "float",
                    5.0,
                    minimum=-50,
                    maximum=50,
                    label=_("Largest input x"),
                    help=_("Right end of the plot"),
                    slider=True,
                    step=0.5,
                ),
                Param(
                    "points",
                    "int",
                    201,
                    minimum=3,
                    maximum=2001,
                    label=_("Number of points"),
                    help=_("How many x values between the two ends are computed"),
                ),
                Param(
                    "negative_slope",
                    "float",
                    0.01,
                    minimum=0,
                    maximum=1,
                    label=_("Slope for negative inputs"),
                    help=_("Leaky ReLU only: its slope left of 0"),
                    used_when={"function": ("leaky_relu", "all")},
                    slider=True,
                    step=0.01,
                ),
            ),
            checks=(_range_check,),
        ),
        version=1,
        function=run,
        live=True,
    )
)
