"""factory_boy factories and helpers for the demos (training app)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import factory
import torch

from tests.flashcards.factories import QuestionFactory
from training.models import DemoAttachment, DemoRun
from training.params import params_key
from training.registry import get_demo


def canonical(slug: str, params: dict | None = None) -> dict:
    return get_demo(slug).validate(params or {})


class DemoRunFactory(factory.django.DjangoModelFactory):
    """A run row as the request service would create it; `status` and `result` as given."""

    class Meta:
        model = DemoRun

    class Params:
        raw_params = factory.Dict({})

    demo = "softmax-cross-entropy"
    params = factory.LazyAttribute(lambda run: canonical(run.demo, run.raw_params))
    params_key = factory.LazyAttribute(lambda run: params_key(run.params))
    demo_version = factory.LazyAttribute(lambda run: get_demo(run.demo).version)
    queue = factory.LazyAttribute(lambda run: get_demo(run.demo).queue)
    seed = factory.LazyAttribute(lambda run: int(run.params.get("seed", 0)))
    status = DemoRun.Status.QUEUED


class DemoAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemoAttachment

    class Params:
        raw_params = factory.Dict({})

    question = factory.SubFactory(QuestionFactory)
    demo = "softmax-cross-entropy"
    params = factory.LazyAttribute(lambda a: canonical(a.demo, a.raw_params))
    caption = "Softmax of four logits."
    position = factory.Sequence(lambda n: n)
    run = factory.LazyAttribute(
        lambda attachment: (
            DemoRun.objects.filter(
                demo=attachment.demo, params_key=params_key(attachment.params)
            ).first()
            or DemoRunFactory(demo=attachment.demo, raw_params=attachment.params)
        )
    )
    created_by = factory.LazyAttribute(lambda attachment: attachment.question.question_set.owner)


@functools.cache
def shared_digit_training():
    """One small trained model and its checkpoint per test session, for every module."""
    directory = Path(tempfile.mkdtemp(prefix="quizsite-digit-cnn-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return train_small_digit_checkpoint(directory)


def train_small_digit_checkpoint(directory, *, epochs: int = 1):
    """Train the digit CNN briefly on the embedded subset and store it under `directory`.

    A real (small) model, not a stub: the tests of prediction and recognition need one, and
    training on 4,000 images for an epoch takes seconds.
    """
    from training.data import load_embedded
    from training.digit_model import TrainingRecipe, train_and_store

    mnist = load_embedded("the tests use the embedded subset")
    result, path = train_and_store(
        mnist,
        generator=torch.Generator().manual_seed(0),
        device=torch.device("cpu"),
        progress=lambda *args: None,
        recipe=TrainingRecipe(epochs=epochs),
        directory=directory,
    )
    return result, path
