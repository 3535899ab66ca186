"""The batch-normalisation demo: the experiment of `batch_norm_experiment` in four settings,
drawn by `batch_norm_figures`, and its result in words a student reads in their language.

What the experiment copies from the lecture's Keras run, and why the failures without BN are
chaotic, is told in `training.demos.batch_norm_experiment`.
"""

from __future__ import annotations

from typing import Any

import torch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.data import load_mnist
from training.demos.batch_norm_experiment import (
    KERAS_EPSILON,
    SETTINGS,
    STUCK_SHARE,
    Setting,
    prepare_data,
    train_one,
)
from training.demos.batch_norm_figures import (
    accuracy_figure,
    full_data_comparison,
    loss_figure,
)
from training.nets import batch_count
from training.params import Param, Schema, seed_param
from training.registry import TRAINING_QUEUE, Demo, DemoOutput, register
from training.texts import Joined, Message, number


def verdict(setting: Setting, outcome: dict) -> Joined:
    parts = [
        Message(gettext_noop("accuracy %(accuracy)s"), accuracy=number(outcome["accuracy"], ".3f"))
    ]
    if outcome["collapsed"]:
        parts.append(
            Message(
                gettext_noop(
                    ": collapsed, it predicts %(digit)s for %(share)s of the images, so its "
                    "accuracy is just the share of %(digit)ss in the validation set "
                    "(%(frequency)s)"
                ),
                digit=str(outcome["collapsed_to"]),
                share=number(outcome["top_class_share"], ".0%"),
                frequency=number(outcome["top_class_frequency"], ".3f"),
            )
        )
    if outcome["stuck_share"] >= STUCK_SHARE:
        parts.append(
            Message(
                gettext_noop(
                    "; stuck: for %(share)s of the images it gives the true digit a "
                    "probability below %(epsilon)s, where the clipped loss has no gradient"
                ),
                share=number(outcome["stuck_share"], ".0%"),
                epsilon=number(KERAS_EPSILON, "g"),
            )
        )
    if outcome["diverged_at_epoch"]:
        parts.append(
            Message(
                gettext_noop(" (the loss became NaN or infinite in epoch %(epoch)s)"),
                epoch=outcome["diverged_at_epoch"],
            )
        )
    return Joined(parts, "")


def run(params, *, generator, device, progress) -> DemoOutput:
    chosen = (
        list(SETTINGS.values()) if params["setting"] == "all" else [SETTINGS[params["setting"]]]
    )
    epochs = params["epochs"]
    mnist = load_mnist()
    data = prepare_data(mnist, params["train_images"], generator, device)
    total = len(chosen) * 2 * epochs
    done = 0

    def report(label: str) -> None:
        nonlocal done
        done += 1
        progress(done, total, label)

    rows: list[Message] = []
    table: list[Any] = []
    results: dict[str, dict[str, Any]] = {}
    for setting in chosen:
        outcome = {}
        for batch_norm in (False, True):
            outcome["with_bn" if batch_norm else "without_bn"] = train_one(
                setting,
                batch_norm,
                data,
                epochs=epochs,
                # Every model starts from the run's seed: with and without BN draw the same
                # weights (BN draws none) and see the same batches, so BN is the only
                # difference; and a row does not change when its setting is run alone.
                generator=torch.Generator().manual_seed(generator.initial_seed()),
                device=device,
                report=report,
            )
        results[setting.key] = {
            "label": setting.label,
            "batch_size": setting.batch_size,
            "lr": setting.lr,
            "reference": {"without_bn": setting.reference[0], "with_bn": setting.reference[1]},
            **outcome,
        }
        without, with_ = outcome["without_bn"], outcome["with_bn"]
        table.append(
            [
                setting.label,
                without["accuracy"],
                with_["accuracy"],
                setting.reference[0],
                setting.reference[1],
                f"{without['collapsed_to']}" if without["collapsed"] else "",
            ]
        )
        rows.append(
            Message(
                gettext_noop("%(setting)s: without BN %(without)s; with BN %(with_bn)s"),
                setting=Message(setting.label),
                without=verdict(setting, without),
                with_bn=verdict(setting, with_),
            )
        )

    figures = [accuracy_figure(chosen, results, rows, table), loss_figure(chosen, results)]
    train_count = len(data["train_y"])
    comparison = full_data_comparison(chosen, results, train_count, epochs)
    if comparison is not None:
        figures.insert(1, comparison[0])
    collapsed = [s for s in chosen if results[s.key]["without_bn"]["collapsed"]]
    summary: list[str] = [Joined([Joined(rows, ". "), "."], "")]
    if collapsed:
        summary.append(
            Message(
                gettext_noop(
                    "A collapsed network has not learned a bad rule; it has stopped telling "
                    "digits apart. Batch normalisation keeps each layer's inputs at a usable "
                    "scale, which is why it survives high learning rates, bad initialisation "
                    "and unscaled inputs."
                )
            )
        )
    if SETTINGS["uniform_init"] in chosen:
        summary.append(
            Message(
                gettext_noop(
                    "With Uniform(−5, 5) weights BN keeps the network trainable but slow: it "
                    "makes a layer's output independent of the scale of its weights, so weights "
                    "28 to 66 times larger than Glorot's take relative steps 800 to 4,000 times "
                    "smaller."
                )
            )
        )
    return DemoOutput(
        data={
            "epochs": epochs,
            "settings": results,
            "train_images": len(data["train_y"]),
            "valid_images": len(data["valid_y"]),
            "gradient_updates_per_model": {
                s.key: batch_count(len(data["train_y"]), s.batch_size) * epochs for s in chosen
            },
            "data": mnist.describe(),
        },
        figures=figures,
        summary=Joined(summary),
        notes=mnist.notes() + ([comparison[1]] if comparison is not None else []),
    )


DEMO = register(
    Demo(
        slug="batch-normalisation",
        title=_("Batch normalisation: with and without, in four settings"),
        description=_(
            "Train the same 784-256-128-64-10 MLP with and without batch normalisation: a "
            "normal setting, a huge batch with learning rate 1, a bad initialisation and "
            "unscaled inputs."
        ),
        schema=Schema(
            params=(
                Param(
                    "setting",
                    "choice",
                    "all",
                    choices=(*SETTINGS, "all"),
                    label=_("Setting"),
                    help=_("Which of the lecture's four experiments to train"),
                    choice_labels={
                        "baseline": _("Normal: batch 128, learning rate 0.01"),
                        "large_batch_high_lr": _("Huge batch (1,024) and learning rate 1"),
                        "uniform_init": _("Bad initialisation: weights uniform in (−5, 5)"),
                        "no_scaling": _("Unscaled inputs: pixels 0 to 255"),
                        "all": _("All four settings"),
                    },
                ),
                Param(
                    "epochs",
                    "int",
                    10,
                    minimum=1,
                    maximum=20,
                    label=_("Epochs"),
                    help=_("Passes over the training images"),
                ),
                Param(
                    "train_images",
                    "int",
                    0,
                    minimum=0,
                    maximum=60000,
                    label=_("Training images"),
                    unit=_("images"),
                    help=_("Train on a random subset of this many images (0: all of them)"),
                ),
                seed_param(),
            ),
        ),
        version=3,
        function=run,
        queue=TRAINING_QUEUE,
        soft_time_limit=1800,
        time_limit=1860,
        uses_mnist=True,
    )
)
