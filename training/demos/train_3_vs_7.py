"""Training a 3-vs-7 classifier from scratch, as fast.ai chapter 4 does.

A linear model (784 weights and a bias, initialised from a standard normal) or
Linear(784, h)-ReLU-Linear(h, 1), trained with plain SGD on the "mnist_loss" (1 − sigmoid for
a 3, sigmoid for a 7), with accuracy on the validation 3s and 7s after every epoch.  On full
MNIST: linear, lr 1, batch 256, 20 epochs ≈ 0.97; the two-layer net, lr 0.1, 40 epochs ≈ 0.98.
"""

from __future__ import annotations

import torch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from torch import nn

from training.data import as_float, load_mnist
from training.figures import make_figure, new_figure
from training.nets import batch_count, batches, sgd_step
from training.params import Param, Schema, seed_param
from training.registry import TRAINING_QUEUE, Demo, DemoOutput, register


def threes_and_sevens(images: torch.Tensor, labels: torch.Tensor):
    """Flattened 3s then 7s, with target 1 for a 3 and 0 for a 7 (the chapter's choice)."""
    threes, sevens = images[labels == 3], images[labels == 7]
    x = as_float(torch.cat([threes, sevens])).view(-1, 28 * 28)
    y = torch.cat([torch.ones(len(threes)), torch.zeros(len(sevens))]).unsqueeze(1)
    return x, y


def mnist_loss(predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    predictions = predictions.sigmoid()
    return torch.where(targets == 1, 1 - predictions, predictions).mean()


def batch_accuracy(predictions: torch.Tensor, targets: torch.Tensor) -> float:
    return ((predictions.sigmoid() > 0.5) == targets).float().mean().item()


class Linear(nn.Module):
    """The chapter's `linear1`: weights and bias drawn from a standard normal (init_params)."""

    def __init__(self, generator: torch.Generator):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(28 * 28, 1, generator=generator))
        self.bias = nn.Parameter(torch.randn(1, generator=generator))

    def forward(self, x):
        return x @ self.weights + self.bias


def build(params: dict, generator: torch.Generator) -> nn.Module:
    if params["model"] == "linear":
        return Linear(generator)
    hidden = params["hidden"]
    model = nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    # PyTorch's default initialisation, but drawn from the run's generator, not the global one.
    with torch.no_grad():
        for layer in (module for module in model if isinstance(module, nn.Linear)):
            bound = 1 / layer.in_features**0.5
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)
    return model


def run(params, *, generator, device, progress) -> DemoOutput:
    progress(0, params["epochs"], "loading MNIST")
    mnist = load_mnist()
    train_x, train_y = (
        t.to(device) for t in threes_and_sevens(mnist.train_images, mnist.train_labels)
    )
    valid_x, valid_y = (
        t.to(device) for t in threes_and_sevens(mnist.valid_images, mnist.valid_labels)
    )
    model = build(params, generator).to(device)
    lr, batch_size = params["lr"], params["batch_size"]

    history = []
    for epoch in range(1, params["epochs"] + 1):
        losses = []
        for index in batches(len(train_x), batch_size, generator):
            index = index.to(device)
            loss = mnist_loss(model(train_x[index]), train_y[index])
            loss.backward()
            sgd_step(model.parameters(), lr)
            losses.append(loss.item())
        with torch.no_grad():
            accuracy = batch_accuracy(model(valid_x), valid_y)
        history.append(
            {"epoch": epoch, "train_loss": sum(losses) / len(losses), "valid_accuracy": accuracy}
        )
        progress(
            epoch, params["epochs"], f"epoch {epoch}/{params['epochs']}: accuracy {accuracy:.4f}"
        )

    name = (
        "linear model"
        if params["model"] == "linear"
        else f"Linear(784,{params['hidden']})-ReLU-Linear"
    )
    final = history[-1]["valid_accuracy"]
    curves = new_figure(7.5, 3.4)
    loss_axes, accuracy_axes = curves.subplots(1, 2)
    epochs = [row["epoch"] for row in history]
    loss_axes.plot(epochs, [row["train_loss"] for row in history], "o-")
    loss_axes.set_xlabel(gettext_noop("epoch"))
    loss_axes.set_ylabel(gettext_noop("training loss (mnist_loss)"))
    accuracy_axes.plot(epochs, [row["valid_accuracy"] for row in history], "o-", color="green")
    accuracy_axes.set_xlabel(gettext_noop("epoch"))
    accuracy_axes.set_ylabel(gettext_noop("validation accuracy"))
    figures = [
        make_figure(
            "training",
            curves,
            title=f"Training the {name}",
            alt=(
                f"Two line charts over {params['epochs']} epochs: the training loss falls from "
                f"{history[0]['train_loss']:.4f} to {history[-1]['train_loss']:.4f}; validation "
                f"accuracy goes from {history[0]['valid_accuracy']:.4f} to {final:.4f}."
            ),
            columns=["epoch", "training loss", "validation accuracy"],
            rows=[[row["epoch"], row["train_loss"], row["valid_accuracy"]] for row in history],
        )
    ]
    if params["model"] == "linear":
        assert isinstance(model, Linear)
        weights = model.weights.detach().view(28, 28).cpu()
        picture = new_figure(3.6, 3.4)
        axes = picture.add_subplot()
        limit = float(weights.abs().max())
        shown = axes.imshow(weights.numpy(), cmap="RdBu", vmin=-limit, vmax=limit)
        picture.colorbar(shown, ax=axes)
        axes.axis("off")
        figures.append(
            make_figure(
                "weights",
                picture,
                title="The 784 weights as an image",
                alt=(
                    "A 28×28 map of the learned weights, red negative and blue positive: pixels "
                    "where ink means 'a 3' pull the output up, pixels where ink means 'a 7' pull "
                    "it down."
                ),
                columns=["row", *[f"column {c}" for c in range(28)]],
                rows=[[r, *[round(v, 4) for v in weights[r].tolist()]] for r in range(28)],
            )
        )
    steps = batch_count(len(train_x), batch_size) * params["epochs"]
    summary = (
        f"The {name} reached a validation accuracy of {final:.4f} on 3s against 7s after "
        f"{params['epochs']} epochs ({steps:,} SGD steps of lr {lr:g}, batches of {batch_size})."
    )
    return DemoOutput(
        data={
            "model": params["model"],
            "history": history,
            "final_accuracy": final,
            "best_accuracy": max(row["valid_accuracy"] for row in history),
            "gradient_updates": steps,
            "train_images": len(train_x),
            "valid_images": len(valid_x),
            "data": mnist.describe(),
        },
        figures=figures,
        summary=summary,
        notes=mnist.notes(),
    )


DEMO = register(
    Demo(
        slug="train-3-vs-7",
        title=_("Training a 3-vs-7 classifier from scratch"),
        description=_(
            "A linear model or a two-layer network learns to tell 3s from 7s with SGD; "
            "validation accuracy after every epoch."
        ),
        schema=Schema(
            params=(
                Param(
                    "model",
                    "choice",
                    "linear",
                    choices=("linear", "mlp"),
                    label=_("Model"),
                    choice_labels={
                        "linear": _("Linear model (784 weights and a bias)"),
                        "mlp": _("Two-layer network with ReLU"),
                    },
                ),
                Param("epochs", "int", 20, minimum=1, maximum=100, label=_("Epochs")),
                Param(
                    "lr",
                    "float",
                    1.0,
                    minimum=1e-4,
                    maximum=10,
                    label=_("Learning rate"),
                    help=_("The step is the learning rate times the gradient"),
                ),
                Param(
                    "batch_size",
                    "int",
                    256,
                    minimum=1,
                    maximum=4096,
                    label=_("Batch size"),
                    unit=_("images"),
                ),
                Param(
                    "hidden",
                    "int",
                    30,
                    minimum=1,
                    maximum=256,
                    label=_("Hidden units"),
                    help=_("Two-layer network only: the width of its hidden layer"),
                    used_when={"model": ("mlp",)},
                ),
                seed_param(),
            ),
        ),
        version=1,
        function=run,
        queue=TRAINING_QUEUE,
        soft_time_limit=600,
        time_limit=660,
        uses_mnist=True,
    )
)
