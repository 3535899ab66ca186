"""Import limits and speed: a 10 MB file of random text, and reading a large session again.

    .venv/bin/python -m benchmarks.imports [--junk-mb 10] [--questions 10000] [--reads 20]

* `import-junk-10mb-seconds`: wall time of the import service's preview (parse as CSV, bound,
  validate) of a file of random printable text; aim < 10 s.  Refusing it counts: what matters
  is that it ends in seconds, not minutes.  Detected rather than named CSV, such junk reads
  as GIFT (it holds `{=`), which is faster.
* `import-session-reread-ms`: the median time to load a pending 10,000-question import session
  and read its preview (what the API's GET and the wizard's preview page do); aim < 200 ms.
  Before the session stored its parsed result, each read parsed the file again (~25 s).

Django runs on a fresh SQLite database in a temporary directory (migrated first, not timed).
Each figure is printed as `name: value unit`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import tempfile
import time

from benchmarks.import_gift import _setup_django, generate_gift

JUNK_ALPHABET = string.ascii_letters + string.digits + string.punctuation + " \t\n" * 4


def junk(size: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    return "".join(rng.choices(JUNK_ALPHABET, k=size)).encode("ascii")


def run(junk_bytes: int, questions: int, reads: int, out=sys.stdout) -> dict[str, float]:
    from flashcards.formats import ImportFormatError
    from flashcards.models import ImportSession, User
    from flashcards.services.imports import create_import_session, preview_import, session_summary

    figures: dict[str, tuple[float, str]] = {}
    data = junk(junk_bytes)
    started = time.perf_counter()
    try:
        parsed = preview_import(data=data, fmt="csv", filename="junk.csv")
        outcome = f"{len(parsed.questions)} questions, {len(parsed.problems)} problems"
    except ImportFormatError as error:
        outcome = f"refused: {error.problems[0].message}"
    label = (
        f"import-junk-{junk_bytes // 2**20}mb-seconds"
        if junk_bytes >= 2**20
        else ("import-junk-seconds")
    )
    figures[label] = (time.perf_counter() - started, "s")
    print(f"# junk file of {len(data):,} bytes: {outcome}", file=out)

    owner, _ = User.objects.get_or_create(
        username="benchmark-importer", defaults={"role": User.Role.INSTRUCTOR}
    )
    source = generate_gift(questions).encode("utf-8")
    started = time.perf_counter()
    session, _parsed = create_import_session(user=owner, data=source, filename="bank.gift")
    figures["import-session-create-seconds"] = (time.perf_counter() - started, "s")
    timings = []
    for _ in range(reads):
        started = time.perf_counter()
        again = ImportSession.objects.get(pk=session.pk)
        summary = session_summary(again)
        timings.append((time.perf_counter() - started) * 1000)
    if summary["total"] != questions:
        raise SystemExit(f"the session holds {summary['total']} questions, not {questions}")
    figures["import-session-reread-ms"] = (statistics.median(timings), "ms")
    for name, (value, unit) in figures.items():
        print(f"{name}: {value:.3f} {unit}", file=out)
    return {name: value for name, (value, _) in figures.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junk-mb", type=float, default=10.0)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        _setup_django(directory)
        run(int(args.junk_mb * 2**20), args.questions, args.reads)


if __name__ == "__main__":
    main()
