"""Benchmarks of the live demos: `python -m benchmarks.demos [--smoke] [--batchnorm]`.

Prints one figure per line as `name: value unit`:
- cached result latency: a request for a run that is already computed (aim < 50 ms);
- an uncached activation plot end to end: request → broker → a real worker → stored result
  (aim < 1.5 s on CPU);
- digit prediction with a warm model, from a 28×28 grid and from a 280×280 PNG (aim < 100 ms);
- the site's digit CNN trained on full MNIST until ≥ 99.0% test accuracy (aim ≤ 3 min on two
  CPU cores), next to pytorch/examples' reference CNN (Conv32-Conv64-FC128, Adadelta)
  trained in the same run to the same accuracy, and the ratio of their times;
- the reference figures: pixel similarity, the 3-vs-7 models, and with --batchnorm the
  batch-normalisation table (four settings, with and without BN; minutes on CPU); with
  --batchnorm-seeds N also how often the three failing settings without BN collapse or
  freeze over N more seeds, because which of them fails, and on which digit, is chaotic.

It runs against a throw-away SQLite database, a redis-server when one is installed (else the
embedded filesystem broker) and a real Celery worker process, all in a temporary directory.
`--smoke` runs everything on tiny inputs (the embedded subset, a fraction of an epoch).
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.demo_training import bench_batchnorm, bench_cnn, bench_reference_figures
from benchmarks.report import emit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MNIST = ROOT.parent / "shared" / "data" / "mnist"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.demos", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, for the test suite")
    parser.add_argument("--batchnorm", action="store_true", help="also the four-setting BN table")
    parser.add_argument(
        "--batchnorm-seeds",
        type=int,
        default=0,
        help="also train the failing settings without BN on this many more seeds",
    )
    parser.add_argument("--skip-cnn", action="store_true", help="skip the CNN training race")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--device", default=os.environ.get("DEMO_DEVICE", "cpu"))
    parser.add_argument("--mnist-dir", default=os.environ.get("MNIST_DIR", ""))
    parser.add_argument("--max-reference-epochs", type=int, default=14)
    return parser.parse_args(argv)


def prepare_environment(args, workdir: Path) -> dict:
    """Environment for this process and the worker: fresh database, broker, var dir."""
    from tests import servers

    env = {
        "QUIZSITE_VAR_DIR": str(workdir / "var"),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DEMO_DEVICE": args.device,
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "quizsite.settings",
    }
    mnist = (
        ""
        if args.smoke
        else (args.mnist_dir or (str(DEFAULT_MNIST) if DEFAULT_MNIST.exists() else ""))
    )
    env["MNIST_DIR"] = mnist
    redis = None
    if servers.find_binary("redis-server"):
        redis = servers.start_redis(workdir / "redis")
        env["REDIS_URL"] = redis.url
    else:
        env["REDIS_URL"] = ""
        env["CELERY_BROKER_DIR"] = str(workdir / "broker")
    os.environ.update(env)
    return {"env": env, "redis": redis}


def timed(function, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def report_latency(name: str, samples: list[float]) -> None:
    emit(f"{name}_median", statistics.median(samples) * 1000, "ms")
    emit(f"{name}_max", max(samples) * 1000, "ms")


def bench_cached(client, repeats: int) -> None:
    from django.urls import reverse

    from training.models import DemoRun
    from training.services.run_execution import execute_run
    from training.services.runs import request_run

    run = request_run(demo_slug="activation-functions", params={"function": "gelu"}).run
    execute_run(run_id=run.pk, worker="benchmark")
    assert DemoRun.objects.get(pk=run.pk).status == "done"
    url = reverse("training:demo-runs", args=["activation-functions"])
    body = {"params": {"function": "gelu"}}
    client.post(url, body, content_type="application/json")  # warm the code path

    def request():
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content

    report_latency("cached_result_latency", timed(request, repeats))
    poll = reverse("training:run-detail", args=[run.pk])
    report_latency("cached_run_poll_latency", timed(lambda: client.get(poll), repeats))


def bench_uncached(client, env: dict, workdir: Path, repeats: int) -> None:
    from django.urls import reverse

    from quizsite.celery import app
    from tests import servers
    from training.models import DemoRun

    worker_env = {**os.environ, **env}
    worker_env = {k: v for k, v in worker_env.items() if v != "" or k == "REDIS_URL"}
    worker = servers.CeleryWorker(
        env=worker_env, queues="default,gpu", log_path=workdir / "worker.log"
    ).start()
    try:
        worker.wait_ready(app, timeout=180)
        url = reverse("training:demo-runs", args=["activation-functions"])
        samples = []
        for attempt in range(repeats + 1):  # the first run warms the worker up
            body = {"params": {"function": "sigmoid", "x_max": 5 + (attempt + 1) / 8}}
            started = time.perf_counter()
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 202, response.content
            run_id = response.json()["id"]

            def finished(run_id=run_id):
                status = DemoRun.objects.filter(pk=run_id).values_list("status", flat=True)[0]
                if status == "failed":
                    raise RuntimeError(DemoRun.objects.get(pk=run_id).error)
                return status == "done"

            servers.wait_until(finished, timeout=120, what="the uncached run")
            if attempt:
                samples.append(time.perf_counter() - started)
        emit("uncached_activation_end_to_end_median", statistics.median(samples), "s")
        emit("uncached_activation_end_to_end_max", max(samples), "s")
        compute = [
            run.timings["compute_seconds"]
            for run in DemoRun.objects.filter(
                demo="activation-functions", params__function="sigmoid"
            )
        ]
        emit("uncached_activation_compute_median", statistics.median(compute), "s")
    except Exception:
        print(worker.log(), file=sys.stderr)
        raise
    finally:
        worker.stop()


def drawing_png(image) -> str:
    """A 28×28 digit drawn as a 280×280 canvas would send it: black ink, transparent ground."""
    from PIL import Image

    ink = Image.fromarray(image.numpy()).resize((280, 280), Image.Resampling.BILINEAR)
    canvas = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    canvas.paste((0, 0, 0, 255), (0, 0, 280, 280), ink)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def bench_prediction(client, mnist, repeats: int) -> None:
    from django.urls import reverse

    url = reverse("training:digit-prediction")
    image = mnist.valid_images[0]
    pixels = {"pixels": image.tolist()}
    png = {"image": drawing_png(image)}
    first = client.post(url, pixels, content_type="application/json")
    assert first.status_code == 200, first.content
    samples = timed(lambda: client.post(url, pixels, content_type="application/json"), repeats)
    report_latency("digit_prediction_warm_28px", samples)
    samples = timed(lambda: client.post(url, png, content_type="application/json"), repeats)
    report_latency("digit_prediction_warm_png280", samples)
    correct = sum(
        client.post(
            url, {"pixels": mnist.valid_images[i].tolist()}, content_type="application/json"
        ).json()["digit"]
        == int(mnist.valid_labels[i])
        for i in range(100)
    )
    emit("digit_prediction_first_100_test_images_correct", correct, "of 100")


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    repeats = args.repeats or (3 if args.smoke else 30)
    workdir = Path(tempfile.mkdtemp(prefix="quizsite-bench-demos-"))
    servers = prepare_environment(args, workdir)
    try:
        import django

        django.setup()
        import torch
        from django.core.management import call_command
        from django.test import Client

        from training.data import load_mnist

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        from flashcards.models import User

        user = User.objects.create_user("benchmark", role="instructor")
        client = Client()
        client.force_login(user)
        from django.conf import settings

        settings.DEMO_RUNS_PER_MINUTE = 10_000
        settings.DEMO_ACTIVE_RUNS_PER_USER = 10_000
        settings.DIGIT_PREDICTIONS_PER_MINUTE = 100_000
        device = torch.device(args.device if args.device != "auto" else "cpu")
        mnist = load_mnist()
        emit("data_source", mnist.source, "")
        emit("torch_threads", torch.get_num_threads(), "threads")
        emit("device", str(device), "")

        bench_cached(client, repeats)
        bench_uncached(client, servers["env"], workdir, min(repeats, 10))
        if args.skip_cnn:
            from training.digit_model import TrainingRecipe, train_and_store

            train_and_store(
                mnist,
                generator=torch.Generator().manual_seed(0),
                device=device,
                progress=lambda *a: None,
                recipe=TrainingRecipe(epochs=1),
            )
        else:
            bench_cnn(mnist, args, device)
        bench_reference_figures(args, device)
        if args.batchnorm or args.smoke:
            bench_batchnorm(args, device)
        # Last: the first prediction limits this process to one thread, as in a web process.
        bench_prediction(client, mnist, repeats)
    finally:
        if servers["redis"] is not None:
            servers["redis"].stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
