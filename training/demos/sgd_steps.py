"""SGD taking steps: the seven steps of fast.ai chapter 4 on two small problems.

Either the "speed over time" data (a quadratic a·t² + b·t + c fitted to 20 noisy points,
parameters initialised at random) or the 1-D parabola f(x) = x² from a chosen start.  Each
step: predict, compute the loss, compute the gradient, step the parameters by lr × gradient
(with optional momentum), repeat.  The run says whether SGD converged, stalled or diverged,
and why.
"""

from __future__ import annotations

import math

import torch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.figures import json_number, make_figure, new_figure
from training.params import Param, Schema, seed_param
from training.registry import Demo, DemoOutput, register
from training.texts import Joined, Message, number

STALL_IMPROVEMENT = 0.05  # less than 5% off the starting loss after all steps: "stalled"


def speed_data(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """fast.ai's roller-coaster speeds: a parabola in time plus Gaussian noise."""
    time = torch.arange(0, 20, dtype=torch.float64)
    noise = torch.randn(20, generator=generator, dtype=torch.float64) * 3
    return time, noise + 0.75 * (time - 9.5) ** 2 + 1


def trajectory(params: dict, generator: torch.Generator) -> dict:
    """Run the steps with torch.optim.SGD and record parameters and loss before each step."""
    if params["problem"] == "speed":
        time, speed = speed_data(generator)
        weights = torch.randn(3, generator=generator, dtype=torch.float64).requires_grad_()
        names = ["a", "b", "c"]

        def loss_fn():
            predicted = weights[0] * time**2 + weights[1] * time + weights[2]
            return ((predicted - speed) ** 2).mean()

    else:
        time = speed = None  # type: ignore[assignment]  # the parabola has no data
        weights = torch.tensor([params["start"]], dtype=torch.float64, requires_grad=True)
        names = ["x"]

        def loss_fn():
            return (weights**2).sum()

    # The step written out, as the chapter does, rather than torch.optim.SGD: the same update
    # (PyTorch's momentum convention: v ← μ·v + g, p ← p − lr·v), and no optimiser import,
    # which costs seconds in a fresh process.
    velocity = torch.zeros_like(weights)
    history, losses, gradients = [weights.detach().tolist()], [], []
    for _step in range(params["steps"]):
        loss = loss_fn()
        (gradient,) = torch.autograd.grad(loss, weights)
        losses.append(loss.item())
        gradients.append(gradient.tolist())
        if not math.isfinite(loss.item()):
            break
        with torch.no_grad():
            velocity = params["momentum"] * velocity + gradient
            weights -= params["lr"] * velocity
        history.append(weights.detach().tolist())
    with torch.no_grad():
        losses.append(loss_fn().item())
    return {
        "names": names,
        "parameters": history,
        "losses": losses,
        "gradients": gradients,
        "time": None if time is None else time.tolist(),
        "speed": None if speed is None else speed.tolist(),
    }


VERDICTS = {
    "diverged": gettext_noop("diverged"),
    "stalled": gettext_noop("stalled"),
    "oscillating": gettext_noop("oscillating"),
    "converging": gettext_noop("converging"),
}
SENTENCES = {
    "diverged": gettext_noop("Diverged."),
    "stalled": gettext_noop("Stalled."),
    "oscillating": gettext_noop("Oscillating."),
    "converging": gettext_noop("Converging."),
}


def diagnose(losses: list[float], params: dict, history: list[list[float]]) -> tuple[str, Message]:
    first, last = losses[0], losses[-1]
    lr = number(params["lr"], "g")
    if not math.isfinite(last) or last > first:
        if params["problem"] == "parabola" and params["momentum"] == 0:
            why = Message(
                gettext_noop(
                    "on f(x) = x² each step multiplies x by 1 − 2·lr = %(factor)s, whose size is "
                    "above 1, so every step lands further from the minimum than the last"
                ),
                factor=number(1 - 2 * params["lr"], "g"),
            )
        else:
            why = Message(
                gettext_noop(
                    "each step overshoots the minimum by more than the distance it started "
                    "from, so the loss grows instead of shrinking"
                )
            )
        return "diverged", Message(
            gettext_noop("The learning rate %(lr)s is too high: %(why)s. Try a smaller one."),
            lr=lr,
            why=why,
        )
    improvement = (first - last) / first if first > 0 else 0.0
    if improvement < STALL_IMPROVEMENT:
        return "stalled", Message(
            gettext_noop(
                "The learning rate %(lr)s is too low: after %(steps)s steps the loss fell by "
                "only %(improvement)s. The steps are so small that training barely moves."
            ),
            lr=lr,
            steps=len(losses) - 1,
            improvement=number(improvement, ".1%"),
        )
    moves = [history[i + 1][0] - history[i][0] for i in range(len(history) - 1)]
    flips = sum(1 for i in range(len(moves) - 1) if moves[i] * moves[i + 1] < 0)
    if moves and flips >= max(1, (len(moves) - 1) // 2):
        return "oscillating", Message(
            gettext_noop(
                "The loss fell by %(improvement)s, but the steps overshoot the minimum and "
                "bounce from side to side: the learning rate is near the largest that still "
                "works."
            ),
            improvement=number(improvement, ".1%"),
        )
    return "converging", Message(
        gettext_noop("The loss fell by %(improvement)s in %(steps)s steps."),
        improvement=number(improvement, ".1%"),
        steps=len(losses) - 1,
    )


def run(params, *, generator, device, progress) -> DemoOutput:
    # Tiny problems in float64: the CPU is the right device whatever the worker has.
    steps = trajectory(params, generator)
    progress(1, 1, f"{params['steps']} steps")
    verdict, explanation = diagnose(steps["losses"], params, steps["parameters"])
    losses = [json_number(value, 12) for value in steps["losses"]]

    loss_figure = new_figure()
    axes = loss_figure.add_subplot()
    finite = [
        # Past 1e200 a log axis overflows while placing its ticks: leave those points out.
        (i, value)
        for i, value in enumerate(steps["losses"])
        if math.isfinite(value) and 0 < value < 1e200
    ]
    if finite:
        axes.plot([i for i, _v in finite], [v for _i, v in finite], "o-")
        if max(v for _i, v in finite) / max(min(v for _i, v in finite), 1e-300) > 100:
            axes.set_yscale("log")
    axes.set_xlabel(gettext_noop("step"))
    axes.set_ylabel(gettext_noop("loss"))
    lr = number(params["lr"], "g")
    verdict_word = Message(VERDICTS[verdict])
    loss_heading = Message(
        gettext_noop("Loss, lr = %(lr)s: %(verdict)s"), lr=lr, verdict=verdict_word
    )
    axes.set_title(str(loss_heading))
    path_labels: list[str] = []

    path_figure = new_figure()
    axes = path_figure.add_subplot()
    if params["problem"] == "parabola":
        xs = [point[0] for point in steps["parameters"] if math.isfinite(point[0])]
        reach = max(abs(x) for x in xs) * 1.1 if xs else 1.0
        grid = torch.linspace(-reach, reach, 200, dtype=torch.float64)
        axes.plot(grid.tolist(), (grid**2).tolist(), color="grey")
        axes.plot(xs, [x * x for x in xs], "o-", color="crimson")
        for index, x in enumerate(xs[:12]):
            axes.annotate(str(index), (x, x * x), textcoords="offset points", xytext=(4, 4))
        axes.set_xlabel("x")
        axes.set_ylabel("f(x) = x²")
        path_title = Message(
            gettext_noop("SGD on x² from x = %(start)s"), start=number(params["start"], "g")
        )
        path_rows = [[i, json_number(point[0])] for i, point in enumerate(steps["parameters"])]
        path_columns = [gettext_noop("step"), "x"]
    else:
        time, speed = steps["time"], steps["speed"]
        axes.scatter(time, speed, color="black", label=gettext_noop("measured speed"), zorder=3)
        shown = sorted({0, len(steps["parameters"]) // 2, len(steps["parameters"]) - 1})
        for index in shown:
            a, b, c = steps["parameters"][index]
            if all(math.isfinite(v) for v in (a, b, c)):
                legend = Message(gettext_noop("after %(steps)s steps"), steps=index)
                path_labels.append(legend)
                axes.plot(time, [a * t * t + b * t + c for t in time], label=str(legend))
        axes.set_xlabel(gettext_noop("time"))
        axes.set_ylabel(gettext_noop("speed"))
        axes.legend()
        path_title = Message(gettext_noop("Quadratic fitted to speed over time"))
        path_rows = [
            [i, *[json_number(v) for v in point]] for i, point in enumerate(steps["parameters"])
        ]
        path_columns = [gettext_noop("step"), "a", "b", "c"]

    final = ", ".join(
        f"{name} = {value:.4g}"
        for name, value in zip(steps["names"], steps["parameters"][-1], strict=True)
    )
    figures = [
        make_figure(
            "loss",
            loss_figure,
            title=Message(gettext_noop("Loss at each step (lr = %(lr)s)"), lr=lr),
            alt=Message(
                gettext_noop("Loss over %(steps)s steps, from %(first)s to %(last)s: %(verdict)s."),
                steps=len(losses) - 1,
                first=number(steps["losses"][0], ".4g"),
                last=number(steps["losses"][-1], ".4g"),
                verdict=verdict_word,
            ),
            columns=[gettext_noop("step"), gettext_noop("loss")],
            rows=[[i, value] for i, value in enumerate(losses)],
            labels=[loss_heading],
        ),
        make_figure(
            "trajectory",
            path_figure,
            title=path_title,
            alt=Message(
                gettext_noop("%(title)s: the parameters after each step; finally %(final)s."),
                title=path_title,
                final=final,
            ),
            columns=path_columns,
            rows=path_rows,
            labels=path_labels,
        ),
    ]
    data = {
        "problem": params["problem"],
        "verdict": verdict,
        "explanation": str(explanation),
        "parameter_names": steps["names"],
        "parameters": [[json_number(v, 12) for v in point] for point in steps["parameters"]],
        "gradients": [[json_number(v, 12) for v in point] for point in steps["gradients"]],
        "losses": losses,
    }
    if steps["time"] is not None:
        data.update(time=steps["time"], speed=[json_number(v, 12) for v in steps["speed"]])
    summary = Joined([Message(SENTENCES[verdict]), explanation])
    return DemoOutput(data=data, figures=figures, summary=summary)


DEMO = register(
    Demo(
        slug="sgd-steps",
        title=_("SGD, step by step"),
        description=_(
            "Fit a quadratic to speed-over-time data, or walk down the parabola x², with a "
            "learning rate, a number of steps and momentum of your choice; see the loss fall, "
            "stall or explode."
        ),
        schema=Schema(
            params=(
                Param(
                    "problem",
                    "choice",
                    "speed",
                    choices=("speed", "parabola"),
                    label=_("Problem"),
                    choice_labels={
                        "speed": _("Fit a quadratic to speed-over-time data"),
                        "parabola": _("Walk down the parabola x²"),
                    },
                ),
                Param(
                    "lr",
                    "float",
                    1e-5,
                    minimum=1e-8,
                    maximum=10,
                    label=_("Learning rate"),
                    help=_(
                        "The step is the learning rate times the gradient; e.g. 0.00001 or 1e-5"
                    ),
                ),
                Param("steps", "int", 10, minimum=1, maximum=200, label=_("Steps")),
                Param(
                    "momentum",
                    "float",
                    0.0,
                    minimum=0,
                    maximum=0.99,
                    label=_("Momentum"),
                    help=_("Share of the last step kept in the next one (0: plain SGD)"),
                    slider=True,
                    step=0.01,
                ),
                Param(
                    "start",
                    "float",
                    -1.5,
                    minimum=-100,
                    maximum=100,
                    label=_("Starting x"),
                    help=_("Parabola only: where the walk starts"),
                    used_when={"problem": ("parabola",)},
                ),
                # Only the speed problem draws random numbers (its noise and initial weights).
                seed_param(used_when={"problem": ("speed",)}),
            ),
        ),
        version=1,
        function=run,
        live=True,
    )
)
