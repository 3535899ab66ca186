"""Import a generated 10,000-question GIFT file: time and memory to parse, validate and save.

    .venv/bin/python -m benchmarks.import_gift [--questions N] [--no-save]

Parsing is timed on its own, then again under tracemalloc for the peak of Python allocations;
saving goes into a fresh SQLite database in a temporary directory (migrated first, not
timed).  Each figure is printed as `name: value unit`.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc

TERMS = [
    ("ReLU", "max(0, x)"),
    ("sigmoid", "1 / (1 + e^-x)"),
    ("tanh", "a curve from -1 to 1"),
    ("softmax", "exponentials divided by their sum"),
    ("SGD", "a step against the gradient"),
    ("momentum", "a running average of gradients"),
    ("dropout", "zeroing random activations"),
    ("weight decay", "a penalty on large weights"),
]


def generate_gift(count: int, seed: int = 0) -> str:
    """A GIFT file mixing every question kind, with titles, feedback, weights and escapes."""
    rng = random.Random(seed)
    blocks = []
    for number in range(count):
        term, meaning = TERMS[rng.randrange(len(TERMS))]
        others = [t for t, _ in TERMS if t != term]
        rng.shuffle(others)
        kind = number % 7
        title = f"::Q{number} {term}::"
        if kind == 0:
            wrong = " ".join(f"~{other}#Not {other}." for other in others[:3])
            blocks.append(f"{title}Which one computes {meaning}?{{={term}#Yes. {wrong}}}")
        elif kind == 1:
            blocks.append(
                f"// [tag:chapter-{number % 12}]\n{title}{term} is a loss function.{{F#No.#Right"
                f": it is not.####{term} computes {meaning}.}}"
            )
        elif kind == 2:
            value = rng.randint(1, 5000)
            blocks.append(
                f"{title}How many updates for {value} batches in one epoch?{{#\n"
                f"\t={value}:0#Exactly.\n\t=%50%{value}:{rng.randint(1, 9)}#Close.\n"
                f"\t~#One update per batch.\n}}"
            )
        elif kind == 3:
            blocks.append(
                f"{title}Name the function that computes {meaning}.{{={term} =%50%"
                f"{term.upper()}#Mind the case.}}"
            )
        elif kind == 4:
            pairs = " ".join(f"={t} -> {m}" for t, m in TERMS[:4])
            blocks.append(f"{title}Match each name with what it computes.{{{pairs}}}")
        elif kind == 5:
            blocks.append(
                f"{title}[markdown]Which are optimisers \\{{several\\}}?{{\n\t~%50%SGD\n"
                f"\t~%50%Adam\n\t~%-100%{term}\n}}"
            )
        else:
            blocks.append(
                f"{title}Explain in your own words what {term} does.{{####It computes {meaning}.}}"
            )
    return "\n\n".join(blocks) + "\n"


def _setup_django(directory: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/benchmark.sqlite3"
    os.environ["QUIZSITE_VAR_DIR"] = directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def run(count: int, *, save: bool, out=sys.stdout) -> dict[str, float]:
    """Run the benchmark with Django already configured (the caller chose the database)."""
    from flashcards.services.imports import preview_import, save_import

    data = generate_gift(count).encode("utf-8")
    started, cpu_started = time.perf_counter(), time.process_time()
    parsed = preview_import(data=data, fmt="gift")
    parse_seconds = time.perf_counter() - started
    parse_cpu_seconds = time.process_time() - cpu_started
    if parsed.errors or len(parsed.questions) != count:
        raise SystemExit(f"generated file did not parse cleanly: {parsed.errors[:3]}")
    tracemalloc.start()
    preview_import(data=data, fmt="gift")
    _, parse_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures = {
        "questions": (count, "questions"),
        "file_size": (len(data) / 1e6, "MB"),
        "parse_seconds": (parse_seconds, "s"),
        "parse_peak_memory": (parse_peak / 2**20, "MiB"),
    }
    if save:
        from flashcards.models import Question, User

        owner, _ = User.objects.get_or_create(
            username="benchmark-instructor", defaults={"role": User.Role.INSTRUCTOR}
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = save_import(user=owner, parsed=parsed, title="Benchmark")
        save_seconds = time.perf_counter() - started
        save_cpu_seconds = time.process_time() - cpu_started
        stored = Question.objects.filter(question_set=outcome.question_set).count()
        if stored != count:
            raise SystemExit(f"saved {stored} questions, expected {count}")
        figures["save_seconds"] = (save_seconds, "s")
        figures["import_seconds"] = (parse_seconds + save_seconds, "s")
        # CPU time of this process: steadier than wall time on a machine shared with others.
        figures["import_cpu_seconds"] = (parse_cpu_seconds + save_cpu_seconds, "s")
    # ru_maxrss is in KiB on Linux: the whole process, Django and the parse included.
    figures["peak_rss"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB")
    for name, (value, unit) in figures.items():
        text = f"{value:d}" if isinstance(value, int) else f"{value:.3f}"
        print(f"{name}: {text} {unit}", file=out)
    return {name: value for name, (value, _) in figures.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--no-save", action="store_true", help="only parse and validate")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        _setup_django(directory)
        run(args.questions, save=not args.no_save)


if __name__ == "__main__":
    main()
