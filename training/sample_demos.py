"""Live demos on the sample course's answers.

`attach_sample_demos()` is called by `load_sample_content` after the sample question sets
exist.  It finds each question by (set title, question title) and attaches the demos listed
here; running it again changes nothing (an attachment is matched by question, demo and
position, and its parameters and caption are brought up to date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from flashcards.models import Question
from flashcards.sample_content.names import every_name
from training.models import DemoAttachment
from training.registry import get_demo
from training.services.attachments import attach_demo, update_attachment

DIGITS = "Training a digit classifier"
NETWORKS = "Training neural networks"


@dataclass(frozen=True)
class SampleDemo:
    demo: str
    caption: str
    params: dict[str, Any] = field(default_factory=dict)


SAMPLE_DEMOS: dict[tuple[str, str], list[SampleDemo]] = {
    (DIGITS, "Drawing sigmoid"): [
        SampleDemo(
            "activation-functions",
            "Sigmoid from −6 to 6 and its slope, computed by PyTorch and autograd.",
            {"function": "sigmoid", "x_min": -6, "x_max": 6},
        )
    ],
    (DIGITS, "Drawing ReLU"): [
        SampleDemo(
            "activation-functions",
            "ReLU from −2 to 2: zero for negative inputs, the input itself otherwise.",
            {"function": "relu", "x_min": -2, "x_max": 2},
        )
    ],
    (DIGITS, "A 3×3 tensor"): [
        SampleDemo(
            "tensor-grid",
            "The 3×3 tensor of 1 to 9, doubled, with its bottom-right 2×2 selected.",
        )
    ],
    (DIGITS, "Broadcasting"): [
        SampleDemo("broadcasting", "A 3×1 and a 4 broadcast to 3×4.", {}),
        SampleDemo(
            "broadcasting",
            "A 3×2 and a 3 do not broadcast: the last axes differ and neither is 1.",
            {"shape_a": [3, 2], "shape_b": [3]},
        ),
    ],
    (DIGITS, "Pixel similarity"): [
        SampleDemo(
            "pixel-similarity",
            "Each validation 3 and 7 classified by its distance to the mean 3 and mean 7.",
        )
    ],
    (DIGITS, "The seven steps of SGD"): [
        SampleDemo(
            "sgd-steps",
            "Ten SGD steps fitting a quadratic to speed-over-time data (lr 1e-5).",
            {"problem": "speed", "lr": 1e-5, "steps": 10},
        )
    ],
    (DIGITS, "Why not always a high learning rate"): [
        SampleDemo(
            "sgd-steps",
            "lr = 0.1 on x²: x shrinks by a factor of 0.8 each step.",
            {"problem": "parabola", "lr": 0.1, "steps": 10},
        ),
        SampleDemo(
            "sgd-steps",
            "lr = 1.5 on x²: each step doubles the distance to the minimum and SGD diverges.",
            {"problem": "parabola", "lr": 1.5, "steps": 10},
        ),
    ],
    (DIGITS, "Computing gradients"): [
        SampleDemo(
            "computation-graph",
            "loss = (w·x + b − y)²: forward values and the gradient on every edge.",
        )
    ],
    (DIGITS, "A linear model from scratch"): [
        SampleDemo(
            "train-3-vs-7",
            "A linear model trained on 3s and 7s with SGD: lr 1, batches of 256, 20 epochs.",
            {"model": "linear", "lr": 1.0, "epochs": 20, "batch_size": 256},
        )
    ],
    (NETWORKS, "Softmax"): [
        SampleDemo(
            "softmax-cross-entropy",
            "Logits cat 5.1, dog 3.2, frog −1.7, car −2.0 through softmax.",
        )
    ],
    (NETWORKS, "Cross-entropy"): [
        SampleDemo(
            "softmax-cross-entropy",
            "The same logits when the true class is dog: a much larger loss.",
            {"target": 1},
        )
    ],
    (NETWORKS, "Batch normalisation"): [
        SampleDemo(
            "batch-normalisation",
            "The same MLP without and with batch normalisation in four settings.",
        )
    ],
    (NETWORKS, "Batch norm rescue"): [
        SampleDemo(
            "batch-normalisation",
            "Unscaled inputs without and with batch normalisation, beside the full-data run "
            "whose 11% and 97% the question quotes.",
            {"setting": "no_scaling"},
        )
    ],
    (NETWORKS, "Epochs, batches and gradient updates"): [
        SampleDemo(
            "gradient-updates",
            "60,000 images in batches of 128 for 5 epochs: 2,345 gradient updates.",
        )
    ],
    (NETWORKS, "Activation functions"): [
        SampleDemo(
            "activation-functions",
            "Six activation functions side by side from −4 to 4.",
            {"function": "all", "x_min": -4, "x_max": 4},
        )
    ],
    (NETWORKS, "Recognising a drawn digit"): [
        SampleDemo("digit-recognition", "The digit CNN classifying a handwritten 7.")
    ],
}


@transaction.atomic
def attach_sample_demos(*, stdout=None, question_sets=None) -> dict[str, int]:
    """Attach the sample demos; returns counts of attachments created, updated, unchanged.

    `question_sets` narrows the search to some sets (e.g. the sample course's); by default
    every set with a listed title is used.  A question that does not exist is reported on
    `stdout` and skipped.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0, "missing_questions": 0}
    questions = Question.objects.select_related("question_set")
    if question_sets is not None:
        questions = questions.filter(question_set__in=question_sets)
    for (set_title, question_title), demos in SAMPLE_DEMOS.items():
        # The sets are loaded in the site's language: found by their name in any.
        found = list(
            questions.filter(question_set__title__in=every_name(set_title), title=question_title)
        )
        if not found:
            counts["missing_questions"] += 1
            _say(stdout, f"No question {question_title!r} in a set {set_title!r}: skipped.")
            continue
        for question in found:
            for position, sample in enumerate(demos):
                outcome = _attach_one(question, position, sample)
                counts[outcome] += 1
    _say(
        stdout,
        "Sample demos: {created} attached, {updated} updated, {unchanged} already there.".format(
            **counts
        ),
    )
    return counts


def _attach_one(question: Question, position: int, sample: SampleDemo) -> str:
    existing = DemoAttachment.objects.filter(
        question=question, demo=sample.demo, position=position
    ).first()
    if existing is None:
        attach_demo(
            question=question,
            demo_slug=sample.demo,
            params=sample.params,
            caption=sample.caption,
            position=position,
        )
        return "created"

    wanted = get_demo(sample.demo).validate(sample.params)
    if existing.params == wanted and existing.caption == sample.caption and existing.run_id:
        return "unchanged"
    update_attachment(attachment=existing, params=sample.params, caption=sample.caption)
    return "updated"


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + ("" if message.endswith("\n") else "\n"))
