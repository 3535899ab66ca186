"""The training phases of the demo benchmark (`python -m benchmarks.demos`): the digit CNN
race against pytorch/examples' reference CNN, the reference figures of the other demos, and
the batch-normalisation table with its seed sweep."""

from __future__ import annotations

import sys
import time

from benchmarks.report import emit


def bench_cnn(mnist, args, device) -> None:
    import torch

    from training.digit_model import TrainingRecipe, save_checkpoint, train

    target = None if args.smoke else 0.99
    limit = 512 if args.smoke else None

    def progress(done, total, label=""):
        if "accuracy" in label:
            print(f"# {label}", file=sys.stderr, flush=True)

    ours = train(
        mnist,
        TrainingRecipe(epochs=1 if args.smoke else 2, target_accuracy=target),
        generator=torch.Generator().manual_seed(0),
        device=device,
        progress=progress,
        max_train_images=limit,
    )
    emit("cnn_ours_train_seconds", ours.seconds, "s")
    emit("cnn_ours_epochs", len(ours.history), "epochs")
    emit("cnn_ours_test_accuracy", ours.accuracy, "ratio")
    emit("cnn_ours_reached_99", ours.reached_target, "bool")
    save_checkpoint(
        ours.model,
        {"test_accuracy": ours.accuracy, "epochs": len(ours.history), "history": ours.history},
        source=mnist.source,
    )
    reference = train(
        mnist,
        TrainingRecipe.reference(
            epochs=1 if args.smoke else args.max_reference_epochs, target_accuracy=target
        ),
        generator=torch.Generator().manual_seed(0),
        device=device,
        progress=progress,
        max_train_images=limit,
    )
    emit("cnn_reference_train_seconds", reference.seconds, "s")
    emit("cnn_reference_epochs", len(reference.history), "epochs")
    emit("cnn_reference_test_accuracy", reference.accuracy, "ratio")
    emit("cnn_reference_reached_99", reference.reached_target, "bool")
    emit("cnn_time_ratio_reference_over_ours", reference.seconds / ours.seconds, "x")


def bench_reference_figures(args, device) -> None:
    from training.registry import get_demo

    pixel = get_demo("pixel-similarity").run(device=device)
    emit("pixel_similarity_accuracy_3s", pixel.data["accuracy"]["3"], "ratio")
    emit("pixel_similarity_accuracy_7s", pixel.data["accuracy"]["7"], "ratio")
    emit("pixel_similarity_mean_accuracy", pixel.data["mean_accuracy"], "ratio")
    short = {"epochs": 2} if args.smoke else {}
    linear = get_demo("train-3-vs-7").run({"model": "linear", **short}, device=device)
    emit("linear_3_vs_7_accuracy", linear.data["final_accuracy"], "ratio")
    mlp = get_demo("train-3-vs-7").run(
        {"model": "mlp", "lr": 0.1, "epochs": 2 if args.smoke else 40}, device=device
    )
    emit("mlp_3_vs_7_accuracy", mlp.data["final_accuracy"], "ratio")
    updates = get_demo("gradient-updates").run({"samples": 60000, "batch_size": 128, "epochs": 5})
    emit("gradient_updates_60000_128_5", updates.data["updates"], "updates")
    softmax = get_demo("softmax-cross-entropy").run()
    emit(
        "softmax_cat_dog_frog_car",
        "/".join(f"{p:.2f}" for p in softmax.data["probabilities"]),
        "probabilities",
    )


def bench_batchnorm(args, device) -> None:
    from training.registry import get_demo

    params = {"epochs": 1, "train_images": 2000} if args.smoke else {}
    started = time.perf_counter()
    output = get_demo("batch-normalisation").run(params, device=device)
    emit("batchnorm_seconds", time.perf_counter() - started, "s")
    for key, result in output.data["settings"].items():
        for variant in ("without_bn", "with_bn"):
            outcome = result[variant]
            emit(f"batchnorm_{key}_{variant}_accuracy", outcome["accuracy"], "ratio")
            emit(
                f"batchnorm_{key}_{variant}_lecture_accuracy", result["reference"][variant], "ratio"
            )
            collapsed = outcome["collapsed_to"] if outcome["collapsed"] else "none"
            emit(f"batchnorm_{key}_{variant}_collapsed_to", collapsed, "class")
            emit(f"batchnorm_{key}_{variant}_stuck_share", outcome["stuck_share"], "ratio")
            diverged = outcome["diverged_at_epoch"] or "none"
            emit(f"batchnorm_{key}_{variant}_nan_at_epoch", diverged, "epoch")
    seeds = 2 if args.smoke else args.batchnorm_seeds
    if seeds:
        bench_batchnorm_seeds(params, seeds, device)


def bench_batchnorm_seeds(params: dict, seeds: int, device) -> None:
    """The failing settings without BN over more seeds: how often each collapses or freezes."""
    import torch

    from training.data import load_mnist
    from training.demos import batch_norm_experiment as bn

    mnist = load_mnist()
    for key in ("large_batch_high_lr", "uniform_init", "no_scaling"):
        setting = bn.SETTINGS[key]
        outcomes = []
        started = time.perf_counter()
        for seed in range(1, seeds + 1):
            generator = torch.Generator().manual_seed(seed)
            data = bn.prepare_data(mnist, params.get("train_images", 0), generator, device)
            outcomes.append(
                bn.train_one(
                    setting,
                    False,
                    data,
                    epochs=params.get("epochs", 10),
                    generator=generator,
                    device=device,
                    report=lambda label: None,
                )
            )
        emit(f"batchnorm_seeds_{key}_without_bn_seconds", time.perf_counter() - started, "s")
        emit(f"batchnorm_seeds_{key}_without_bn_runs", len(outcomes), "runs")
        collapsed = [o for o in outcomes if o["collapsed"]]
        emit(f"batchnorm_seeds_{key}_without_bn_collapsed", len(collapsed), "runs")
        emit(
            f"batchnorm_seeds_{key}_without_bn_collapsed_to",
            ",".join(str(o["collapsed_to"]) for o in collapsed) or "none",
            "classes",
        )
        stuck = sum(o["stuck_share"] >= bn.STUCK_SHARE for o in outcomes)
        emit(f"batchnorm_seeds_{key}_without_bn_stuck", stuck, "runs")
        nan = sum(o["diverged_at_epoch"] is not None for o in outcomes)
        emit(f"batchnorm_seeds_{key}_without_bn_nan", nan, "runs")
        accuracies = ",".join(f"{o['accuracy']:.3f}" for o in outcomes)
        emit(f"batchnorm_seeds_{key}_without_bn_accuracies", accuracies, "ratio")
