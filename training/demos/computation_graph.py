"""A computation graph for a small expression: forward values and the gradient on every edge.

The backward pass is done by hand here (local derivative × upstream gradient, in reverse
order), and then checked against PyTorch's autograd on the same expression: the demo shows
what `loss.backward()` computes, and proves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.figures import json_number, make_figure, new_figure
from training.params import Param, Schema
from training.registry import Demo, DemoOutput, register
from training.texts import Joined, Message, number


@dataclass(frozen=True)
class Node:
    name: str
    op: str  # "input", "mul", "add", "sub", "square", "sigmoid"
    inputs: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        symbols = {"mul": "×", "add": "+", "sub": "−", "square": "²", "sigmoid": "σ"}
        return self.name if self.op == "input" else f"{self.name} = {symbols[self.op]}"


EXPRESSIONS = {
    "squared_error": (
        "loss = (w·x + b − y)²",
        (
            Node("w", "input"),
            Node("x", "input"),
            Node("b", "input"),
            Node("y", "input"),
            Node("wx", "mul", ("w", "x")),
            Node("z", "add", ("wx", "b")),
            Node("error", "sub", ("z", "y")),
            Node("loss", "square", ("error",)),
        ),
    ),
    "sigmoid_neuron": (
        "loss = (σ(w·x + b) − y)²",
        (
            Node("w", "input"),
            Node("x", "input"),
            Node("b", "input"),
            Node("y", "input"),
            Node("wx", "mul", ("w", "x")),
            Node("z", "add", ("wx", "b")),
            Node("a", "sigmoid", ("z",)),
            Node("error", "sub", ("a", "y")),
            Node("loss", "square", ("error",)),
        ),
    ),
}


def forward(op: str, values: list[torch.Tensor]) -> torch.Tensor:
    if op == "mul":
        return values[0] * values[1]
    if op == "add":
        return values[0] + values[1]
    if op == "sub":
        return values[0] - values[1]
    if op == "square":
        return values[0] ** 2
    if op == "sigmoid":
        return torch.sigmoid(values[0])
    raise ValueError(op)


def local_derivatives(op: str, inputs: list[float], output: float) -> list[float]:
    """∂output/∂input for each input, by the rules a student derives on paper."""
    if op == "mul":
        return [inputs[1], inputs[0]]
    if op == "add":
        return [1.0, 1.0]
    if op == "sub":
        return [1.0, -1.0]
    if op == "square":
        return [2 * inputs[0]]
    if op == "sigmoid":
        return [output * (1 - output)]
    raise ValueError(op)


def _grad(tensor: torch.Tensor) -> float:
    """A leaf's gradient after backward(); every input of the expression has one."""
    assert tensor.grad is not None, "backward() did not reach this input"
    return tensor.grad.item()


def compute(expression: str, inputs: dict[str, float]) -> dict:
    formula, nodes = EXPRESSIONS[expression]
    tensors: dict[str, torch.Tensor] = {}
    for node in nodes:
        if node.op == "input":
            tensors[node.name] = torch.tensor(
                inputs[node.name], dtype=torch.float64, requires_grad=True
            )
        else:
            tensors[node.name] = forward(node.op, [tensors[name] for name in node.inputs])
            tensors[node.name].retain_grad()
    output = nodes[-1].name
    values = {name: tensor.item() for name, tensor in tensors.items()}

    # Backward by hand: each node passes (its gradient × local derivative) to its inputs.
    gradients = {node.name: 0.0 for node in nodes}
    gradients[output] = 1.0
    edges = []
    for node in reversed(nodes):
        if node.op == "input":
            continue
        locals_ = local_derivatives(node.op, [values[n] for n in node.inputs], values[node.name])
        for source, local in zip(node.inputs, locals_, strict=True):
            gradients[source] += gradients[node.name] * local
            edges.append(
                {
                    "from": source,
                    "to": node.name,
                    "local_derivative": local,
                    "gradient": gradients[node.name] * local,
                }
            )

    tensors[output].backward()
    autograd = {name: _grad(tensor) for name, tensor in tensors.items() if name != output}
    autograd[output] = 1.0
    difference = max(abs(autograd[name] - gradients[name]) for name in gradients)
    return {
        "formula": formula,
        "nodes": [
            {
                "name": node.name,
                "op": node.op,
                "inputs": list(node.inputs),
                "value": values[node.name],
                "gradient": gradients[node.name],
                "autograd_gradient": autograd[node.name],
            }
            for node in nodes
        ],
        "edges": list(reversed(edges)),
        "max_difference_from_autograd": difference,
        "agrees_with_autograd": difference <= 1e-9 * max(1.0, *map(abs, gradients.values())),
    }


def layout(nodes: list[dict]) -> dict[str, tuple[float, float]]:
    depth: dict[str, int] = {}
    for node in nodes:
        depth[node["name"]] = 1 + max((depth[i] for i in node["inputs"]), default=-1)
    columns: dict[int, list[str]] = {}
    for name, level in depth.items():
        columns.setdefault(level, []).append(name)
    positions = {}
    for level, names in columns.items():
        for row, name in enumerate(names):
            positions[name] = (level * 2.2, -(row - (len(names) - 1) / 2) * 1.4)
    return positions


def draw(graph: dict):
    figure = new_figure(8.5, 4.2)
    axes = figure.add_subplot()
    axes.axis("off")
    positions = layout(graph["nodes"])
    for edge in graph["edges"]:
        (x0, y0), (x1, y1) = positions[edge["from"]], positions[edge["to"]]
        axes.annotate(
            "",
            xy=(x1 - 0.45, y1),
            xytext=(x0 + 0.45, y0),
            arrowprops={"arrowstyle": "->", "color": "grey"},
        )
        axes.text(
            (x0 + x1) / 2,
            (y0 + y1) / 2 + 0.12,
            f"∂ {edge['gradient']:.3g}",
            ha="center",
            fontsize=8,
            color="crimson",
        )
    for node in graph["nodes"]:
        x, y = positions[node["name"]]
        label = node["name"] if node["op"] == "input" else f"{node['name']} ({node['op']})"
        axes.text(
            x,
            y,
            f"{label}\n= {node['value']:.4g}\ngrad {node['gradient']:.4g}",
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round", "facecolor": "#eef4fb", "edgecolor": "#4a78b0"},
        )
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    axes.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    axes.set_ylim(min(ys) - 0.9, max(ys) + 0.9)
    return figure


def run(params, *, generator, device, progress) -> DemoOutput:
    graph = compute(params["expression"], params)
    progress(1, 1, "backward")
    figure = draw(graph)
    leaves = [node for node in graph["nodes"] if node["op"] == "input"]
    loss = graph["nodes"][-1]
    gradient_text = ", ".join(f"∂loss/∂{node['name']} = {node['gradient']:.4g}" for node in leaves)
    alt = Message(
        gettext_noop(
            "Computation graph of %(formula)s, inputs on the left, loss on the right. %(nodes)s."
        ),
        formula=graph["formula"],
        nodes=Joined(
            (
                Message(
                    gettext_noop("%(name)s = %(value)s with gradient %(gradient)s"),
                    name=node["name"],
                    value=number(node["value"], ".4g"),
                    gradient=number(node["gradient"], ".4g"),
                )
                for node in graph["nodes"]
            ),
            "; ",
        ),
    )
    figures = [
        make_figure(
            "graph",
            figure,
            title=graph["formula"],
            alt=alt,
            columns=[
                gettext_noop("from"),
                gettext_noop("to"),
                gettext_noop("local derivative"),
                gettext_noop("gradient along the edge"),
            ],
            rows=[
                [edge["from"], edge["to"], edge["local_derivative"], edge["gradient"]]
                for edge in graph["edges"]
            ],
        )
    ]
    summary = Message(
        gettext_noop(
            "%(formula)s = %(loss)s. Backward pass by the chain rule: %(gradients)s. "
            "%(check)s (largest difference %(difference)s)."
        ),
        formula=graph["formula"],
        loss=number(loss["value"], ".4g"),
        gradients=gradient_text,
        check=Message(
            gettext_noop("Autograd agrees")
            if graph["agrees_with_autograd"]
            else gettext_noop("Autograd DISAGREES")
        ),
        difference=number(graph["max_difference_from_autograd"], ".1e"),
    )
    data = {
        **graph,
        "nodes": [{k: json_number(v) for k, v in node.items()} for node in graph["nodes"]],
        "edges": [{k: json_number(v) for k, v in edge.items()} for edge in graph["edges"]],
    }
    return DemoOutput(data=data, figures=figures, summary=summary)


NUMBER: dict[str, Any] = {"minimum": -100, "maximum": 100}

DEMO = register(
    Demo(
        slug="computation-graph",
        title=_("A computation graph and its gradients"),
        description=_(
            "Forward values and the gradient on every edge of a small expression such as "
            "loss = (w·x + b − y)², computed by the chain rule and checked against autograd."
        ),
        schema=Schema(
            params=(
                Param(
                    "expression",
                    "choice",
                    "squared_error",
                    choices=tuple(EXPRESSIONS),
                    label=_("Expression"),
                    choice_labels={
                        "squared_error": _("Squared error: (w·x + b − y)²"),
                        "sigmoid_neuron": _("A sigmoid neuron: (σ(w·x + b) − y)²"),
                    },
                ),
                Param("w", "float", 2.0, label=_("Weight w"), slider=True, step=0.5, **NUMBER),
                Param("x", "float", 3.0, label=_("Input x"), slider=True, step=0.5, **NUMBER),
                Param("b", "float", 1.0, label=_("Bias b"), slider=True, step=0.5, **NUMBER),
                Param("y", "float", 4.0, label=_("Target y"), slider=True, step=0.5, **NUMBER),
            ),
        ),
        version=1,
        function=run,
        live=True,
    )
)
