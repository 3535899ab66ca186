"""Softmax of a few logits, and the cross-entropy loss for one true class."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.figures import json_number, make_figure, new_figure
from training.params import Param, Schema
from training.registry import Demo, DemoOutput, register
from training.texts import Joined, Message, number


def _labels_check(params: dict) -> dict[str, list[str]]:
    errors = {}
    if len(params["labels"]) != len(params["logits"]):
        errors["labels"] = [
            f"needs one label per logit: {len(params['logits'])} logits, "
            f"{len(params['labels'])} labels"
        ]
    if params["target"] >= len(params["logits"]):
        errors["target"] = [f"must be the index of a logit (0 to {len(params['logits']) - 1})"]
    return errors


def run(params, *, generator, device, progress) -> DemoOutput:
    logits = torch.tensor(params["logits"], dtype=torch.float64, device=device)
    scaled = logits / params["temperature"]
    probabilities = torch.softmax(scaled, dim=0)
    log_probabilities = torch.log_softmax(scaled, dim=0)
    target = params["target"]
    loss = F.cross_entropy(scaled.unsqueeze(0), torch.tensor([target], device=device))
    exponentials = torch.exp(scaled - scaled.max())  # shifted: the same ratios, no overflow
    progress(1, 1, "softmax")
    labels = params["labels"]
    probs = probabilities.cpu().tolist()

    figure = new_figure()
    axes = figure.add_subplot()
    colours = ["crimson" if i == target else "#4a78b0" for i in range(len(labels))]
    # Positions, not label strings: two classes may share a name.
    bars = axes.bar(range(len(labels)), probs, color=colours)
    axes.set_xticks(range(len(labels)), labels)
    axes.bar_label(bars, labels=[f"{p:.2f}" for p in probs])
    axes.set_ylim(0, 1.1)
    axes.set_ylabel(gettext_noop("probability"))
    heading = Message(gettext_noop("softmax (true class: %(label)s)"), label=labels[target])
    axes.set_title(str(heading))

    table = [
        [
            labels[i],
            params["logits"][i],
            exponentials[i].item(),
            probs[i],
            log_probabilities[i].item(),
        ]
        for i in range(len(labels))
    ]
    listed = Joined(
        (
            Message(
                gettext_noop("%(label)s %(probability)s"),
                label=labels[i],
                probability=number(probs[i], ".2f"),
            )
            for i in range(len(labels))
        ),
        ", ",
    )
    alt = Message(
        gettext_noop(
            "Bar chart of softmax probabilities: %(probabilities)s. The true class, %(label)s, "
            "is highlighted; cross-entropy %(loss)s."
        ),
        probabilities=listed,
        label=labels[target],
        loss=number(loss.item(), ".3f"),
    )
    figures = [
        make_figure(
            "probabilities",
            figure,
            title=gettext_noop("Softmax probabilities"),
            alt=alt,
            columns=[
                gettext_noop("class"),
                gettext_noop("logit"),
                "exp(logit − max)",
                gettext_noop("probability"),
                gettext_noop("log probability"),
            ],
            rows=table,
            labels=[heading],
        )
    ]
    best = int(probabilities.argmax())
    summary = Message(
        gettext_noop(
            "Softmax exponentiates each logit and divides by the sum, so the outputs are "
            "positive and add up to 1: %(probabilities)s. The largest logit, %(best)s, takes "
            "most of the probability. Cross-entropy for the true class %(label)s is "
            "−log(%(probability)s) = %(loss)s."
        ),
        probabilities=listed,
        best=labels[best],
        label=labels[target],
        probability=number(probs[target], ".4f"),
        loss=number(loss.item(), ".4f"),
    )
    return DemoOutput(
        data={
            "labels": labels,
            "logits": params["logits"],
            "temperature": params["temperature"],
            "probabilities": probs,
            "log_probabilities": [json_number(v, 12) for v in log_probabilities.cpu().tolist()],
            "target": target,
            "cross_entropy": loss.item(),
            "predicted": best,
        },
        figures=figures,
        summary=summary,
    )


DEMO = register(
    Demo(
        slug="softmax-cross-entropy",
        title=_("Softmax and cross-entropy"),
        description=_(
            "Turn logits into probabilities with softmax and score them with cross-entropy "
            "for the true class."
        ),
        schema=Schema(
            params=(
                Param(
                    "logits",
                    "float_list",
                    [5.1, 3.2, -1.7, -2.0],
                    minimum=-100,
                    maximum=100,
                    min_items=2,
                    max_items=10,
                    label=_("Logits"),
                    help=_("The network's raw scores, one per class, separated by commas"),
                ),
                Param(
                    "labels",
                    "str_list",
                    ["cat", "dog", "frog", "car"],
                    min_items=2,
                    max_items=10,
                    max_length=24,
                    label=_("Class names"),
                    help=_("One name per logit, separated by commas"),
                ),
                Param(
                    "target",
                    "int",
                    0,
                    minimum=0,
                    maximum=9,
                    label=_("True class"),
                    help=_("Position of the true class in the list, counting from 0"),
                ),
                Param(
                    "temperature",
                    "float",
                    1.0,
                    minimum=0.05,
                    maximum=20,
                    label=_("Temperature"),
                    help=_("The logits are divided by it: above 1 flattens, below 1 sharpens"),
                    slider=True,
                    step=0.05,
                ),
            ),
            checks=(_labels_check,),
        ),
        version=1,
        function=run,
        live=True,
    )
)
