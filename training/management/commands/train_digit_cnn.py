"""`manage.py train_digit_cnn`: train the digit CNN and store its versioned checkpoint.

The deployment runs `train_digit_cnn --if-missing` at start-up (a few minutes on CPU with
full MNIST, seconds with the embedded subset), so the digit recogniser works from the first
request; without it, the first prediction request queues a `digit-cnn-training` run.
"""

from __future__ import annotations

import json

import torch
from django.core.management.base import BaseCommand

from training.data import load_mnist
from training.device import demo_device
from training.digit_model import TrainingRecipe, find_checkpoint, train_and_store


class Command(BaseCommand):
    help = "Train the digit CNN on MNIST (or the embedded subset) and store the checkpoint."

    def add_arguments(self, parser):
        parser.add_argument("--epochs", type=int, default=TrainingRecipe.epochs)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when a checkpoint exists"
        )
        parser.add_argument("--json", action="store_true", help="print the outcome as JSON")

    def handle(self, *args, **options):
        existing = find_checkpoint()
        if options["if_missing"] and existing is not None:
            self.stdout.write(f"A checkpoint exists already: {existing}")
            return
        mnist = load_mnist()
        if mnist.note:
            self.stderr.write(self.style.WARNING(mnist.note))
        device = demo_device()
        verbose = options["verbosity"] >= 1 and not options["json"]

        def progress(done, total, label=""):
            if verbose and label.startswith("epoch") and "accuracy" in label:
                self.stdout.write(label)

        result, path = train_and_store(
            mnist,
            generator=torch.Generator().manual_seed(options["seed"]),
            device=device,
            progress=progress,
            recipe=TrainingRecipe(epochs=options["epochs"]),
        )
        outcome = {
            "checkpoint": str(path),
            "test_accuracy": result.accuracy,
            "epochs": len(result.history),
            "seconds": round(result.seconds, 1),
            "device": str(device),
            "data": mnist.describe(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(outcome, indent=2))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Stored {path} (test accuracy {result.accuracy:.4f}, "
                    f"{outcome['seconds']} s on {device})"
                )
            )
