"""Digit recognition with the site's CNN: training it, and classifying an MNIST image."""

from __future__ import annotations

import torch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from training.data import MNIST_MEAN, MNIST_STD, load_mnist
from training.digit_model import (
    CheckpointMissing,
    TrainingRecipe,
    train,
    train_and_store,
    warm_model,
)
from training.figures import make_figure, new_figure
from training.params import Param, Schema, seed_param
from training.preprocess import to_mnist
from training.registry import TRAINING_QUEUE, Demo, DemoOutput, register
from training.texts import Message, number


@torch.inference_mode()
def probabilities(model, image: torch.Tensor, device: torch.device) -> list[float]:
    """image: 28×28 in 0..1 (MNIST-like) → probability of each digit."""
    batch = ((image - MNIST_MEAN) / MNIST_STD)[None, None].to(device)
    return torch.softmax(model(batch), dim=1)[0].cpu().tolist()


def probability_figure(probs: list[float], image: torch.Tensor, caption: str):
    figure = new_figure(7.2, 3.0)
    left, right = figure.subplots(1, 2, width_ratios=[1, 2])
    left.imshow(image.numpy(), cmap="Greys")
    left.set_title(caption, fontsize=9)
    left.axis("off")
    best = max(range(10), key=lambda d: probs[d])
    bars = right.bar(
        range(10), probs, color=["crimson" if d == best else "#4a78b0" for d in range(10)]
    )
    right.bar_label(bars, labels=[f"{p:.2f}" if p >= 0.01 else "" for p in probs], fontsize=8)
    right.set_xticks(range(10))
    right.set_ylim(0, 1.1)
    right.set_xlabel(gettext_noop("digit"))
    right.set_ylabel(gettext_noop("probability"))
    return figure


def recognise(params, *, generator, device, progress) -> DemoOutput:
    mnist = load_mnist()
    notes = list(mnist.notes())
    try:
        model, meta = warm_model(device)
    except CheckpointMissing:
        # First use on this installation: train the model now, on this (gpu-queue) worker.
        progress(0, 1, "no digit model yet: training it (first use)")
        train_and_store(mnist, generator=generator, device=device, progress=progress)
        model, meta = warm_model(device)
        notes.append(
            Message(gettext_noop("The digit model did not exist yet and was trained for this run."))
        )
    if meta["data_source"] != "mnist":
        notes.append(
            Message(
                gettext_noop(
                    "The digit model was trained on the embedded subset (test accuracy "
                    "%(accuracy)s), not on full MNIST."
                ),
                accuracy=number(meta["test_accuracy"], ".3f"),
            )
        )
    candidates = (mnist.valid_labels == params["digit"]).nonzero().flatten()
    index = int(candidates[params["sample"] % len(candidates)])
    original = mnist.valid_images[index].float() / 255.0
    image = to_mnist(original)
    probs = probabilities(model, image, device)
    predicted = max(range(10), key=lambda d: probs[d])
    progress(1, 1, "classified")

    caption = Message(
        gettext_noop("validation image #%(index)s (a %(digit)s)"),
        index=str(index),
        digit=str(params["digit"]),
    )
    figure = probability_figure(probs, image, str(caption))
    verdict = (
        Message(gettext_noop("correct"))
        if predicted == params["digit"]
        else Message(gettext_noop("wrong: it is a %(digit)s"), digit=str(params["digit"]))
    )
    summary = Message(
        gettext_noop(
            "The CNN says %(digit)s with probability %(probability)s (%(verdict)s). The image "
            "was preprocessed as MNIST was: cropped to the ink, scaled to fit 20×20, and "
            "centred by its centre of mass in 28×28; a drawing goes through the same steps."
        ),
        digit=str(predicted),
        probability=number(probs[predicted], ".3f"),
        verdict=verdict,
    )
    figures = [
        make_figure(
            "prediction",
            figure,
            title=gettext_noop("What the CNN sees, and what it answers"),
            alt=Message(
                gettext_noop(
                    "Left: a handwritten %(digit)s from the validation set. Right: a bar chart "
                    "of the network's probability for each digit; the highest is %(predicted)s "
                    "at %(probability)s."
                ),
                digit=str(params["digit"]),
                predicted=str(predicted),
                probability=number(probs[predicted], ".2f"),
            ),
            columns=[gettext_noop("digit"), gettext_noop("probability")],
            rows=[[d, probs[d]] for d in range(10)],
            labels=[caption],
        )
    ]
    return DemoOutput(
        data={
            "digit": params["digit"],
            "image_index": index,
            "image": [[round(v, 3) for v in row] for row in image.tolist()],
            "probabilities": probs,
            "predicted": predicted,
            "correct": predicted == params["digit"],
            "model": {k: meta[k] for k in ("name", "version", "data_source", "test_accuracy")},
            "data": mnist.describe(),
        },
        figures=figures,
        summary=summary,
        notes=notes,
    )


def train_cnn(params, *, generator, device, progress) -> DemoOutput:
    mnist = load_mnist()
    recipe = TrainingRecipe(
        epochs=params["epochs"], batch_size=params["batch_size"], lr=params["lr"]
    )
    result = train(mnist, recipe, generator=generator, device=device, progress=progress)
    history = result.history

    figure = new_figure(6.4, 3.4)
    axes = figure.add_subplot()
    axes.plot([h["epoch"] for h in history], [h["test_accuracy"] for h in history], "o-")
    axes.axhline(0.99, color="grey", linestyle="--", label="99%")
    axes.set_xlabel(gettext_noop("epoch"))
    axes.set_ylabel(gettext_noop("test accuracy"))
    axes.legend()
    figures = [
        make_figure(
            "accuracy",
            figure,
            title=gettext_noop("Test accuracy of the digit CNN per epoch"),
            alt=Message(
                gettext_noop(
                    "Test accuracy after each of %(epochs)s epochs, ending at %(accuracy)s "
                    "after %(seconds)s s."
                ),
                epochs=len(history),
                accuracy=number(result.accuracy, ".4f"),
                seconds=number(result.seconds, ".0f"),
            ),
            columns=[
                gettext_noop("epoch"),
                gettext_noop("training loss"),
                gettext_noop("test accuracy"),
                gettext_noop("seconds"),
            ],
            rows=[[h["epoch"], h["train_loss"], h["test_accuracy"], h["seconds"]] for h in history],
        )
    ]
    meta = {
        "test_accuracy": result.accuracy,
        "epochs": len(history),
        "history": history,
        "recipe": recipe.__dict__,
        "train_images": int(mnist.train_labels.numel()),
        "test_images": int(mnist.valid_labels.numel()),
        "seconds": result.seconds,
        "device": str(device),
    }
    summary = Message(
        gettext_noop(
            "Trained the digit CNN for %(epochs)s epochs in %(seconds)s s on %(device)s: test "
            "accuracy %(accuracy)s on %(images)s images."
        ),
        epochs=len(history),
        seconds=number(result.seconds, ".0f"),
        device=device.type,
        accuracy=number(result.accuracy, ".4f"),
        images=number(meta["test_images"], ","),
    )
    return DemoOutput(
        data={
            "history": history,
            "test_accuracy": result.accuracy,
            "seconds": result.seconds,
            "data": mnist.describe(),
        },
        figures=figures,
        summary=summary,
        notes=mnist.notes(),
        checkpoint={"model": result.model, "meta": meta, "source": mnist.source},
    )


RECOGNITION = register(
    Demo(
        slug="digit-recognition",
        title=_("Recognising a handwritten digit"),
        description=_(
            "The site's CNN classifies a validation image of the digit you pick, after the "
            "preprocessing MNIST used; draw your own with the prediction endpoint."
        ),
        schema=Schema(
            params=(
                Param("digit", "int", 7, minimum=0, maximum=9, label=_("Digit")),
                Param(
                    "sample",
                    "int",
                    0,
                    minimum=0,
                    maximum=999,
                    label=_("Image number"),
                    help=_("Which validation image of that digit"),
                ),
            ),
        ),
        version=1,
        function=recognise,
        queue=TRAINING_QUEUE,
        soft_time_limit=900,
        time_limit=960,
        uses_mnist=True,
    )
)

TRAINING = register(
    Demo(
        slug="digit-cnn-training",
        title=_("Training the digit CNN"),
        description=_(
            "Train the site's digit CNN on MNIST and store it as the model the digit "
            "recogniser uses; test accuracy after every epoch."
        ),
        schema=Schema(
            params=(
                Param("epochs", "int", 2, minimum=1, maximum=20, label=_("Epochs")),
                Param(
                    "batch_size",
                    "int",
                    128,
                    minimum=16,
                    maximum=1024,
                    label=_("Batch size"),
                    unit=_("images"),
                ),
                Param(
                    "lr",
                    "float",
                    0.01,
                    minimum=1e-4,
                    maximum=0.1,
                    label=_("Learning rate"),
                    help=_("Peak learning rate"),
                ),
                seed_param(),
            ),
        ),
        version=1,
        function=train_cnn,
        queue=TRAINING_QUEUE,
        soft_time_limit=900,
        time_limit=960,
        uses_mnist=True,
    )
)
