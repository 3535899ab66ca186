"""How many gradient updates: samples, batch size, epochs and drop_last."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.figures import make_figure, new_figure, sample_rows
from training.params import Param, Schema
from training.registry import Demo, DemoOutput, register
from training.texts import Joined, Message, number


def count(samples: int, batch_size: int, epochs: int, drop_last: bool) -> dict:
    full, remainder = divmod(samples, batch_size)
    per_epoch = full if drop_last or remainder == 0 else full + 1
    return {
        "batches_per_epoch": per_epoch,
        "full_batches": full,
        "last_batch_size": (batch_size if remainder == 0 or drop_last else remainder)
        if per_epoch
        else 0,
        "dropped_per_epoch": remainder if drop_last else 0,
        "updates": per_epoch * epochs,
    }


def run(params, *, generator, device, progress) -> DemoOutput:
    samples, batch, epochs, drop_last = (
        params["samples"],
        params["batch_size"],
        params["epochs"],
        params["drop_last"],
    )
    counts = count(samples, batch, epochs, drop_last)
    progress(1, 1, "counted")
    formula = Message(
        gettext_noop("⌊%(samples)s / %(batch)s⌋ × %(epochs)s")
        if drop_last
        else gettext_noop("⌈%(samples)s / %(batch)s⌉ × %(epochs)s"),
        samples=number(samples, ","),
        batch=number(batch, ","),
        epochs=epochs,
    )
    per_epoch = counts["batches_per_epoch"]

    figure = new_figure(6.4, 3.4)
    axes = figure.add_subplot()
    epochs_axis = list(range(epochs + 1))
    axes.step(epochs_axis, [per_epoch * e for e in epochs_axis], where="post", marker="o")
    axes.set_xlabel(gettext_noop("epoch"))
    axes.set_ylabel(gettext_noop("gradient updates so far"))
    heading = Message(
        gettext_noop("%(updates)s updates = %(formula)s"),
        updates=number(counts["updates"], ","),
        formula=formula,
    )
    axes.set_title(str(heading))
    rows = [[e, per_epoch, per_epoch * e] for e in range(1, epochs + 1)]
    if not drop_last:
        last = Message(
            gettext_noop("The last batch of each epoch holds %(size)s samples."),
            size=number(counts["last_batch_size"], ","),
        )
    else:
        last = Message(
            gettext_noop("drop_last skips the last %(dropped)s samples of each epoch."),
            dropped=number(counts["dropped_per_epoch"], ","),
        )
    sentences = [
        Message(
            gettext_noop(
                "%(samples)s samples in batches of %(batch)s make %(per_epoch)s batches per "
                "epoch (one gradient update each); over %(epochs)s epochs that is %(formula)s "
                "= %(updates)s updates."
            ),
            samples=number(samples, ","),
            batch=number(batch, ","),
            per_epoch=number(per_epoch, ","),
            epochs=epochs,
            formula=formula,
            updates=number(counts["updates"], ","),
        ),
        last,
    ]
    if per_epoch == 0:
        sentences.append(
            Message(
                gettext_noop(
                    "With drop_last and fewer samples than one batch, nothing is ever trained."
                )
            )
        )
    summary = Joined(sentences)
    figures = [
        make_figure(
            "updates",
            figure,
            title=gettext_noop("Gradient updates per epoch"),
            alt=Message(
                gettext_noop(
                    "Step chart rising by %(per_epoch)s updates each epoch, to %(updates)s "
                    "after %(epochs)s epochs."
                ),
                per_epoch=number(per_epoch, ","),
                updates=number(counts["updates"], ","),
                epochs=epochs,
            ),
            columns=[
                gettext_noop("epoch"),
                gettext_noop("updates in this epoch"),
                gettext_noop("updates so far"),
            ],
            rows=sample_rows(rows),
            labels=[heading],
        )
    ]
    return DemoOutput(
        data={**counts, "formula": str(formula)},
        figures=figures,
        summary=summary,
    )


DEMO = register(
    Demo(
        slug="gradient-updates",
        title=_("Epochs, batches and gradient updates"),
        description=_(
            "Count the gradient updates of a training run from the number of samples, the "
            "batch size, the epochs and whether the last partial batch is dropped."
        ),
        schema=Schema(
            params=(
                Param(
                    "samples",
                    "int",
                    60000,
                    minimum=1,
                    maximum=10**9,
                    label=_("Training samples"),
                    unit=_("samples"),
                ),
                Param(
                    "batch_size",
                    "int",
                    128,
                    minimum=1,
                    maximum=10**6,
                    label=_("Batch size"),
                    unit=_("samples"),
                ),
                Param("epochs", "int", 5, minimum=1, maximum=1000, label=_("Epochs")),
                Param(
                    "drop_last",
                    "bool",
                    False,
                    label=_("Drop the last partial batch"),
                    help=_("As DataLoader(drop_last=True) does"),
                ),
            ),
        ),
        version=1,
        function=run,
        live=True,
    )
)
