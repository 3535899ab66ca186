"""The batch-normalisation demo's figures: accuracies, loss curves, and the full-data figure.

Drawn once in the worker; their words are catalogue messages or `training.texts` messages,
so each reader sees them in their own language (see `training.figures.translate_svg_text`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_noop

from training.demos.batch_norm_experiment import Setting
from training.figures import Figure, make_figure, new_figure
from training.nets import batch_count
from training.texts import Joined, Message, number

FULL_TRAIN_IMAGES = 60_000
WITHOUT_BN, WITH_BN = gettext_noop("without BN"), gettext_noop("with BN")
MODELS = {"without_bn": WITHOUT_BN, "with_bn": WITH_BN}


def accuracy_figure(
    chosen: list[Setting], results: dict, rows: Sequence[str], table: list
) -> Figure:
    bars = new_figure(7.2, 3.8)
    axes = bars.add_subplot()
    positions = range(len(chosen))
    without_acc = [results[s.key]["without_bn"]["accuracy"] for s in chosen]
    with_acc = [results[s.key]["with_bn"]["accuracy"] for s in chosen]
    left = axes.bar(
        [p - 0.2 for p in positions], without_acc, 0.4, label=WITHOUT_BN, color="#c0504d"
    )
    right = axes.bar([p + 0.2 for p in positions], with_acc, 0.4, label=WITH_BN, color="#4a78b0")
    axes.bar_label(left, labels=[f"{a:.3f}" for a in without_acc], fontsize=8)
    axes.bar_label(right, labels=[f"{a:.3f}" for a in with_acc], fontsize=8)
    axes.set_xticks(list(positions), [s.label for s in chosen], fontsize=8)
    axes.set_ylim(0, 1.1)
    axes.set_ylabel(gettext_noop("validation accuracy"))
    axes.legend(loc="lower left")
    return make_figure(
        "accuracy",
        bars,
        title=gettext_noop("Validation accuracy without and with batch normalisation"),
        alt=Joined([Message(gettext_noop("Grouped bar chart.")), Joined(rows, ". "), "."]),
        columns=[
            gettext_noop("setting"),
            WITHOUT_BN,
            WITH_BN,
            gettext_noop("lecture, without BN"),
            gettext_noop("lecture, with BN"),
            gettext_noop("collapsed to class (without BN)"),
        ],
        rows=table,
    )


def loss_figure(chosen: list[Setting], results: dict) -> Figure:
    curves = new_figure(7.2, 3.8)
    axes = curves.add_subplot()
    loss_rows: list[list[Any]] = []
    labels: list[str] = []
    for setting in chosen:
        for key, style in (("without_bn", "--"), ("with_bn", "-")):
            history = results[setting.key][key]["history"]
            losses = [row["train_loss"] for row in history]
            finite = [
                (row["epoch"], v)
                for row, v in zip(history, losses, strict=True)
                if math.isfinite(v)
            ]
            label = Message(
                gettext_noop("%(setting)s, %(model)s"),
                setting=Message(setting.label),
                model=Message(MODELS[key]),
            )
            if finite:
                axes.plot(
                    *zip(*finite, strict=True),
                    style,
                    marker="o",
                    markersize=3,
                    label=str(label),
                )
                labels.append(label)
            for row in history:
                loss_rows.append(
                    [
                        setting.label,
                        MODELS[key],
                        row["epoch"],
                        row["train_loss"],
                        row["valid_accuracy"],
                    ]
                )
    axes.set_yscale("log")
    axes.set_xlabel(gettext_noop("epoch"))
    axes.set_ylabel(gettext_noop("training loss"))
    axes.legend(fontsize=7)
    return make_figure(
        "loss",
        curves,
        title=gettext_noop("Training loss per epoch"),
        alt=gettext_noop(
            "Training loss per epoch on a log scale, dashed without BN and solid with it; "
            "missing points are NaN or infinite losses."
        ),
        columns=[
            gettext_noop("setting"),
            gettext_noop("model"),
            gettext_noop("epoch"),
            gettext_noop("training loss"),
            gettext_noop("validation accuracy"),
        ],
        rows=loss_rows,
        labels=labels,
    )


def full_data_comparison(
    chosen: list[Setting], results: dict, train_count: int, epochs: int
) -> tuple[Figure, Message] | None:
    """On fewer images than full MNIST: the lecture's full-data figure and why they differ.

    The sample course's cards quote the full-data numbers (≈ 0.11 without BN, ≈ 0.97 with it,
    on unscaled inputs); a run on the embedded 4,000 training images cannot reproduce them,
    so the result shows both, side by side, and says why instead of contradicting the card.
    """
    if train_count >= FULL_TRAIN_IMAGES:
        return None
    figure = new_figure(7.2, 3.8)
    axes = figure.add_subplot()
    positions = range(len(chosen))
    here = [results[s.key]["with_bn"]["accuracy"] for s in chosen]
    here_without = [results[s.key]["without_bn"]["accuracy"] for s in chosen]
    full_without = [s.reference[0] for s in chosen]
    full_with = [s.reference[1] for s in chosen]
    width = 0.2
    groups = (
        (-1.5, here_without, gettext_noop("this run, without BN"), "#e6a19f", "//"),
        (-0.5, full_without, gettext_noop("full MNIST, without BN"), "#c0504d", ""),
        (0.5, here, gettext_noop("this run, with BN"), "#a5bfdd", "//"),
        (1.5, full_with, gettext_noop("full MNIST, with BN"), "#4a78b0", ""),
    )
    for offset, values, label, colour, hatch in groups:
        bars = axes.bar(
            [p + offset * width for p in positions],
            values,
            width,
            label=label,
            color=colour,
            hatch=hatch,
            edgecolor="#333333",
            linewidth=0.4,
        )
        axes.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=7)
    axes.set_xticks(list(positions), [s.label for s in chosen], fontsize=8)
    axes.set_ylim(0, 1.15)
    axes.set_ylabel(gettext_noop("validation accuracy"))
    axes.legend(loc="upper center", ncols=2, fontsize=7)
    rows = [
        [s.label, here_without[i], s.reference[0], here[i], s.reference[1]]
        for i, s in enumerate(chosen)
    ]
    updates_here = {s.key: batch_count(train_count, s.batch_size) * epochs for s in chosen}
    updates_full = {s.key: batch_count(FULL_TRAIN_IMAGES, s.batch_size) * 10 for s in chosen}
    example = max(chosen, key=lambda s: s.batch_size)
    described = Joined(
        [
            Message(
                gettext_noop(
                    "%(setting)s: %(without)s / %(with_bn)s here, %(full_without)s / "
                    "%(full_with)s on full MNIST"
                ),
                setting=Message(s.label),
                without=number(here_without[i], ".3f"),
                with_bn=number(here[i], ".3f"),
                full_without=number(s.reference[0], ".3f"),
                full_with=number(s.reference[1], ".3f"),
            )
            for i, s in enumerate(chosen)
        ],
        "; ",
    )
    made = make_figure(
        "full-data",
        figure,
        title=gettext_noop("This run next to the lecture's run on the full 60,000 training images"),
        alt=Message(
            gettext_noop("Grouped bar chart of accuracy without / with BN. %(described)s."),
            described=described,
        ),
        columns=[
            gettext_noop("setting"),
            gettext_noop("this run, without BN"),
            gettext_noop("full MNIST, without BN"),
            gettext_noop("this run, with BN"),
            gettext_noop("full MNIST, with BN"),
        ],
        rows=rows,
    )
    note = Message(
        gettext_noop(
            "Why the numbers differ from the full-data ones the cards quote: this run trained "
            "on %(images)s images, so the models of “%(setting)s” took %(updates)s gradient "
            "updates each, where the lecture's took %(full_updates)s (60,000 images, 10 "
            "epochs). Without batch normalisation the failing settings are also chaotic: on "
            "full MNIST the huge batch with lr 1 collapses to one digit for three seeds in "
            "five and trains to about 0.95 for the other two, and unscaled inputs reach "
            "anywhere from 0.29 to 0.80. With so few updates a network may not yet have "
            "collapsed, or not yet learned, as the lecture's single long run did."
        ),
        images=number(train_count, ","),
        setting=Message(example.label),
        updates=number(updates_here[example.key], ","),
        full_updates=number(updates_full[example.key], ","),
    )
    return made, note
