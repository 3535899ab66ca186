"""Does studying stay fast with a realistic amount of data and many students at once?

    python -m benchmarks.study_load [--students 200] [--cards 1000] [--reviews 1000000]
                                    [--seconds 60] [--clients 50] [--think-ms 1000]
                                    [--database postgres|sqlite] [--workers 3×cores]
                                    [--threads 1] [--worker-class gthread|sync]

1. Starts its own PostgreSQL server on loopback (tests/servers.py's start_postgres; or a SQLite
   file with --database sqlite), migrates, and loads: `--students` students in one class,
   `--cards` cards (10 sets of flashcards) that each student has studied three quarters of,
   and `--reviews` reviews spread over the past year.
2. Starts the real server — gunicorn (gthread workers) on 127.0.0.1 — and waits for it.
3. Two phases of trivial JSON endpoints, `--clients` simulated students each, in the same rhythm
   as phase 4: "trivial" calls /api/study/ping/ (no authentication, no database: the cost of
   the server itself); "trivial-authenticated" calls /api/me/ with the student's token (the
   floor every API request pays: DRF, token lookup, a serializer).  The study figures are
   compared with both: against the first, the ratio includes what any authenticated API call
   costs; against the second, only what studying adds.
4. Phase "study": each simulated student (a distinct account, token auth) loops: GET next
   card → think (uniform 0.5–1.5 × --think-ms) → POST its rating with a fresh client review
   id; 2% of ratings are sent twice, as a client retrying after a lost answer would.
   Clients arrive spread over one think time, not all at once (see `arrive`).  Each phase
   runs `--seconds`, then stops by itself (every request has a timeout).
5. Phase "page": what the browser page (study.js) does, session-authenticated with the CSRF
   cookie and header: one queue read (/study/queue/, 8 cards ahead) when the page opens, then
   per card, after thinking, one rating (/study/reviews/) whose answer carries the next cards
   of the scope (`next`, leaving out the `held` ones), rendered demo HTML included (every
   tenth question has a stored demo result).  `requests-per-card` is the page's requests per
   card rated, the simulated resends left out (aim 1.0).
6. Checks that every rating that got a 2xx is stored exactly once, and prints
   requests/s, p50/p95/p99 latency and errors per phase, and the ratios of the API study
   phase and of the page phase to each trivial phase.

Cost against history: the hot statements read the student's state rows through indexes, never
the review log, so `--reviews` should not move the figures.  To check on a quiet machine:

    python -m benchmarks.study_load --reviews 100000
    python -m benchmarks.study_load --reviews 1000000
    python -m benchmarks.study_load --reviews 5000000   # once, for the note

(Not yet measured after the page path was added: the development machine was shared by eight
engineers at the time, with a load average of 13 on 2 cores.)

Server shape: on the 2-core development machine, with 50 clients, study p95 was 40 ms with
3 workers x 4 threads, 29 ms with 4 x 2, 22-31 ms with 6 x 1, and 30 ms with 6 sync workers
(which close every connection); hence the default of 3 gthread workers per core, 1 thread each.
Measured again after the token lookup and the answers were made cheaper and arrivals were
staggered (30 s runs): 6 x 1 gthread 14-16 ms, 4 x 1 20 ms, 6 sync workers 18 ms.  A gthread
worker keeps the keep-alive connections it accepted, so two students whose connections landed
in the same busy worker wait for each other even when another worker is idle (sync workers
share one accept queue but pay a new connection per request).

Figures are printed as `name: value unit`.  Latency is measured by the client, on the same
machine as the server: it includes the client's own scheduling delay.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = 10
RETRY_SHARE = 0.02


# --- setup ------------------------------------------------------------------------------------


def start_database(kind: str, workdir: Path):
    if kind == "sqlite":
        return None, f"sqlite:///{workdir / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    from tests.servers import start_postgres

    server = start_postgres()
    return server, server.url("postgres")


def django_env(database_url: str, workdir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "QUIZSITE_VAR_DIR": str(workdir / "var"),
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # The trivial phase's /api/study/ping/ lives in the benchmark's URLconf only.
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
    }
    env.pop("REDIS_URL", None)
    return env


def load_data(args, rng: random.Random) -> dict:
    """Students, sets, cards, states and reviews; bulk paths (COPY on PostgreSQL)."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from flashcards.models import (
        Card,
        CardState,
        Classroom,
        Membership,
        Question,
        QuestionSet,
        StudySettings,
        User,
    )
    from flashcards.services.study import sync_cards

    started = time.perf_counter()
    password = make_password(None)
    with transaction.atomic():
        instructor = User.objects.create(
            username="bench-instructor", role="instructor", password=password
        )
        classroom = Classroom.objects.create(name="Benchmark class", owner=instructor)
        sets = []
        per_set = max(1, args.cards // SETS)
        for s in range(SETS):
            question_set = QuestionSet.objects.create(
                title=f"Chapter {s + 1}",
                owner=instructor,
                visibility=QuestionSet.Visibility.CLASSES,
            )
            sets.append(question_set)
            questions = []
            for q in range(per_set):
                question = Question(
                    question_set=question_set,
                    position=q,
                    kind=Question.Kind.FLASHCARD,
                    prompt=f"Chapter {s + 1}, question {q + 1}: what does layer {q} compute?",
                    answer=f"An affine map followed by a nonlinearity ({s}.{q}).",
                )
                question.render_rich_text_fields()
                questions.append(question)
            Question.objects.bulk_create(questions)
        classroom.question_sets.set(sets)
        sync_cards(questions=Question.objects.filter(question_set__in=sets))
        attach_demos(instructor, Question.objects.filter(question_set__in=sets))
        students = User.objects.bulk_create(
            [
                User(username=f"bench-student-{i}", role="student", password=password)
                for i in range(args.students)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(classroom=classroom, user=student) for student in students]
        )
        tokens = Token.objects.bulk_create(
            [Token(user=student, key=Token.generate_key()) for student in students]
        )
        StudySettings.objects.bulk_create([StudySettings(student=s) for s in students])
    cards = list(Card.objects.order_by("id").values_list("id", "question_set_id"))

    now = datetime.now(UTC)
    year = timedelta(days=365)
    state_rows, review_rows = [], []
    reviews_per_student = args.reviews // max(1, len(students))
    studied_share = 0.75
    for student in students:
        studied = cards[: int(len(cards) * studied_share)]
        for card_id, set_id in studied:
            roll = rng.random()
            if roll < 0.05:
                state, due, stability = 1, now + timedelta(minutes=rng.randrange(-30, 30)), 0.5
            else:
                state = 2
                stability = rng.lognormvariate(2.0, 1.0)
                # About a fifth due today or overdue, the rest over the next two months.
                due = now + timedelta(hours=rng.randrange(-24 * 3, 24 * 12))
            last = due - timedelta(days=max(1.0, stability))
            state_rows.append(
                (
                    student.pk,
                    card_id,
                    set_id,
                    state,
                    None if state == 2 else 0,
                    stability,
                    rng.uniform(2, 8),
                    due,
                    last,
                    rng.randrange(2, 12),
                    rng.randrange(0, 3),
                    False,
                    False,
                    False,
                    3,
                    now,
                    now - timedelta(days=400),
                )
            )
        for k in range(reviews_per_student):
            card_id, set_id = studied[k % len(studied)]
            when = (
                now
                - year
                + year * (k / reviews_per_student)
                + timedelta(seconds=rng.randrange(0, 3600))
            )
            rating = rng.choices([1, 2, 3, 4, 5], [8, 7, 20, 45, 20])[0]
            grade = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}[rating]
            snapshot = '{"state": 2, "reps": 3}'
            review_rows.append(
                (
                    student.pk,
                    card_id,
                    set_id,
                    rating,
                    grade,
                    "study",
                    when,
                    4000,
                    f"seed-{student.pk}-{k}",
                    snapshot,
                    snapshot,
                    2,
                    5.0,
                    5.0,
                    1,
                    now,
                )
            )
    state_columns = (
        "student_id, card_id, question_set_id, state, step, stability, difficulty, due, "
        "last_review, reps, lapses, suspended, flagged, is_leech, version, updated_at, "
        "introduced_at"
    )
    review_columns = (
        "student_id, card_id, question_set_id, rating, fsrs_rating, source, reviewed_at, "
        "duration_ms, client_review_id, state_before, state_after, previous_state, "
        "scheduled_days, elapsed_days, version_after, created_at"
    )
    bulk_insert(connection, CardState._meta.db_table, state_columns, state_rows)
    bulk_insert(connection, "flashcards_reviewlog", review_columns, review_rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "tokens": [t.key for t in tokens],
        # The page phase signs in from the other end of the list: with at least twice as
        # many students as clients (the defaults: 200 and 50) it studies students the API
        # phase left untouched, so it does not find their due cards and new-card allowance
        # already used up by the phase before it.
        "sessions": page_sessions(students[::-1]),
        "students": [s.pk for s in students],
        "cards": len(cards),
        "states": len(state_rows),
        "reviews": len(review_rows),
        "seconds": time.perf_counter() - started,
        "vendor": connection.vendor,
    }


DEMO_SHARE = 10  # one question in ten has a stored demo result, shown on its card


def attach_demos(owner, questions) -> None:
    """A finished softmax demo run, attached to every tenth question: the page renders its
    result into the card's HTML, as it does for the sample course."""
    from training.models import DemoAttachment, DemoRun
    from training.params import params_key
    from training.registry import get_demo

    demo = get_demo("softmax-cross-entropy")
    params = demo.validate({})
    run = DemoRun.objects.create(
        demo=demo.slug,
        params=params,
        params_key=params_key(params),
        demo_version=demo.version,
        queue=demo.queue,
        status=DemoRun.Status.DONE,
        result={"summary": "Softmax turns logits into probabilities that sum to 1.", "notes": []},
        figures=[],
    )
    DemoAttachment.objects.bulk_create(
        [
            DemoAttachment(
                question=q,
                demo=demo.slug,
                params=params,
                run=run,
                caption="Softmax",
                created_by=owner,
            )
            for q in questions.order_by("id")[::DEMO_SHARE]
        ]
    )


def page_sessions(students) -> list[tuple[str, str]]:
    """A signed-in browser session and a CSRF secret per student, as after logging in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    sessions = []
    for student in students:
        store = SessionStore()
        store[SESSION_KEY] = str(student.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = student.get_session_auth_hash()
        store.create()
        sessions.append((store.session_key, _get_new_csrf_string()))
    return sessions


def bulk_insert(connection, table: str, columns: str, rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3: COPY is ~10x faster than INSERTs for 1M rows
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            for start in range(0, len(rows), 5000):
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    rows[start : start + 5000],
                )


# --- HTTP client ------------------------------------------------------------------------------


class Connection:
    """A keep-alive HTTP/1.1 connection with just enough of the protocol for JSON APIs."""

    def __init__(self, port: int, token: str | None, *, session: tuple[str, str] | None = None):
        self.port = port
        self.auth = f"Authorization: Token {token}\r\n" if token else ""
        if session:  # the browser page: session cookie, CSRF cookie and header
            key, csrf = session
            self.auth = f"Cookie: sessionid={key}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def close(self):
        if self.writer:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: dict | None = None):
        for attempt in range(2):  # the server may have closed an idle keep-alive connection
            try:
                if self.writer is None:
                    await self.open()
                return await self._send(method, path, body)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _send(self, method, path, body):
        payload = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self.auth}"
            f"Accept: application/json\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, data


class Recorder:
    def __init__(self):
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.submitted: set[str] = set()
        self.retries = 0
        self.page_requests = 0
        self.page_retries = 0  # the simulated resends after a lost answer, not the page's design
        self.cards_rated = 0

    async def timed(self, kind: str, call):
        started = time.perf_counter()
        try:
            status, data = await asyncio.wait_for(call, timeout=10)
        except Exception:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            return None, None
        self.latencies.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        if status >= 300:
            self.errors[kind] = self.errors.get(kind, 0) + 1
        return status, data


async def think(rng: random.Random, think_ms: float):
    await asyncio.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)


async def arrive(rng: random.Random, think_ms: float):
    """Wait a random part of one think time before the first request.

    Students do not all press "next" in the same millisecond: started together, the clients'
    first requests would land as one burst of `--clients` requests that queues for
    clients × service time / cores (≈ 150 ms with 50 clients), and the think times would
    spread it out only over the next few cycles.  Staggered arrivals measure the steady state
    of that many students studying, which is what the figures are about.
    """
    await asyncio.sleep(rng.uniform(0, think_ms / 1000))


TRIVIAL_PATHS = {"trivial": "/api/study/ping/", "me": "/api/me/"}


async def trivial_client(kind, port, token, deadline, rec, rng, think_ms):
    """The study client's rhythm with trivial requests: one, think, one, and again at once."""
    conn = Connection(port, token if kind == "me" else None)
    await arrive(rng, think_ms)
    while time.monotonic() < deadline:
        await rec.timed(kind, conn.request("GET", TRIVIAL_PATHS[kind]))
        await think(rng, think_ms)
        await rec.timed(kind, conn.request("GET", TRIVIAL_PATHS[kind]))
    await conn.close()


async def student_client(port, token, deadline, rec, rng, think_ms, rate=True):
    conn = Connection(port, token)
    await arrive(rng, think_ms)
    while time.monotonic() < deadline:
        status, data = await rec.timed("next", conn.request("GET", "/api/study/next/"))
        if status != 200:
            await think(rng, think_ms)
            continue
        cards = json.loads(data)["cards"]
        await think(rng, think_ms)
        if not cards or not rate:
            continue
        entry = cards[0]
        body = {
            "card": entry["card"]["id"],
            "rating": rng.choices([1, 2, 3, 4, 5], [8, 7, 20, 45, 20])[0],
            "client_review_id": uuid.uuid4().hex,
            "expected_version": entry["state"]["version"],
            "duration_ms": rng.randrange(1500, 20000),
        }
        sends = 2 if rng.random() < RETRY_SHARE else 1
        for _ in range(sends):
            status, _ = await rec.timed("submit", conn.request("POST", "/api/study/reviews/", body))
            if status in (200, 201):
                rec.submitted.add(body["client_review_id"])
        rec.retries += sends - 1
    await conn.close()


QUEUE_AHEAD = 8  # what the page keeps in hand (frontend/views/study.py)


async def page_client(port, session, deadline, rec, rng, think_ms):
    """What study.js does: one queue read when the page opens, then per card one rating
    whose answer tops the queue up (`next`, leaving out the `held` cards)."""
    conn = Connection(port, None, session=session)
    await arrive(rng, think_ms)
    buffer: list[dict] = []
    while time.monotonic() < deadline:
        if not buffer:
            path = f"/study/queue/?limit={QUEUE_AHEAD}"
            status, data = await rec.timed("page-queue", conn.request("GET", path))
            rec.page_requests += 1
            buffer = json.loads(data)["cards"] if status == 200 else []
            if not buffer:
                await think(rng, think_ms)
                continue
        entry = buffer.pop(0)
        await think(rng, think_ms)
        body = {
            "card": entry["card"]["id"],
            "rating": rng.choices([1, 2, 3, 4, 5], [8, 7, 20, 45, 20])[0],
            "client_review_id": uuid.uuid4().hex,
            "expected_version": entry["state"]["version"],
            "duration_ms": rng.randrange(1500, 20000),
            "next": QUEUE_AHEAD - len(buffer),
            "held": [c["card"]["id"] for c in buffer],
        }
        sends = 2 if rng.random() < RETRY_SHARE else 1
        for _ in range(sends):
            status, data = await rec.timed(
                "page-submit", conn.request("POST", "/study/reviews/", body)
            )
            rec.page_requests += 1
            if status in (200, 201):
                rec.submitted.add(body["client_review_id"])
                held = {c["card"]["id"] for c in buffer}
                buffer += [
                    c for c in json.loads(data)["next"]["cards"] if c["card"]["id"] not in held
                ]
        rec.retries += sends - 1
        rec.page_retries += sends - 1
        rec.cards_rated += 1
    await conn.close()


async def run_phase(kind, port, tokens, seconds, clients, think_ms, seed, sessions=None):
    rec = Recorder()
    deadline = time.monotonic() + seconds
    rngs = [random.Random(seed * 1000 + i) for i in range(clients)]
    started = time.perf_counter()
    if kind == "page":
        tasks = [
            page_client(port, sessions[i], deadline, rec, rngs[i], think_ms) for i in range(clients)
        ]
    elif kind in TRIVIAL_PATHS:
        tasks = [
            trivial_client(kind, port, tokens[i], deadline, rec, rngs[i], think_ms)
            for i in range(clients)
        ]
    else:
        tasks = [
            student_client(port, tokens[i], deadline, rec, rngs[i], think_ms, kind == "study")
            for i in range(clients)
        ]
    await asyncio.gather(*tasks)
    rec.elapsed = time.perf_counter() - started
    return rec


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(prefix: str, rec: Recorder, kinds: list[str]) -> dict:
    values = [v for k in kinds for v in rec.latencies.get(k, [])]
    errors = sum(rec.errors.get(k, 0) for k in kinds)
    figures = {
        "requests": len(values),
        "rps": len(values) / rec.elapsed,
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "errors": errors,
    }
    print(f"{prefix}-requests: {figures['requests']} requests")
    print(f"{prefix}-requests-per-second: {figures['rps']:.1f} req/s")
    for q in ("p50", "p95", "p99"):
        print(f"{prefix}-{q}-latency: {figures[q]:.2f} ms")
    print(f"{prefix}-errors: {errors} errors")
    return figures


# --- main -------------------------------------------------------------------------------------


def wait_for_server(port: int, process: subprocess.Popen, timeout: float = 240) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during startup")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/study/ping/", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("gunicorn did not answer")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think-ms", type=float, default=1000)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    # Measured on 2 cores (see the module docstring): one thread per process, three processes
    # per core.  Requests here are CPU-bound Python; threads of one process share its GIL, so a
    # second request that lands in a busy process waits for the first.
    parser.add_argument("--workers", type=int, default=3 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.clients > args.students:
        parser.error("--clients cannot exceed --students: each client is a distinct student")

    workdir = Path(tempfile.mkdtemp(prefix="study-load-"))
    workdir.chmod(0o755)
    server = gunicorn = None
    try:
        server, database_url = start_database(args.database, workdir)
        env = django_env(database_url, workdir)
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        data = load_data(args, random.Random(args.seed))
        from django.db import connection

        print(f"database: {data['vendor']}")
        print(f"students: {len(data['students'])} students")
        print(f"cards: {data['cards']} cards")
        print(f"card-states: {data['states']} rows")
        print(f"reviews-in-database: {data['reviews']} reviews")
        print(f"data-load-time: {data['seconds']:.1f} s")
        connection.close()

        from tests.servers import free_port, stop_process

        port = free_port()
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "quizsite.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                args.worker_class,
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--keep-alive",
                "75",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_server(port, gunicorn)
        print(
            f"server: gunicorn {args.worker_class}, {args.workers} workers x {args.threads} threads"
        )
        print(f"clients: {args.clients} simulated students")
        print(f"think-time: {args.think_ms:.0f} ms")

        # Warm each worker's database connections before measuring (next only: rating here
        # would use up the cards the measured phase is meant to rate).
        asyncio.run(run_phase("warm", port, data["tokens"], 3, args.clients, 50, args.seed + 99))
        trivial = asyncio.run(
            run_phase(
                "trivial",
                port,
                data["tokens"],
                args.seconds,
                args.clients,
                args.think_ms,
                args.seed,
            )
        )
        me = asyncio.run(
            run_phase(
                "me",
                port,
                data["tokens"],
                args.seconds,
                args.clients,
                args.think_ms,
                args.seed + 2,
            )
        )
        study = asyncio.run(
            run_phase(
                "study",
                port,
                data["tokens"],
                args.seconds,
                args.clients,
                args.think_ms,
                args.seed + 1,
            )
        )
        page = asyncio.run(
            run_phase(
                "page",
                port,
                data["tokens"],
                args.seconds,
                args.clients,
                args.think_ms,
                args.seed + 3,
                sessions=data["sessions"],
            )
        )
        t = report("trivial", trivial, ["trivial"])
        m = report("trivial-authenticated", me, ["me"])
        s = report("study", study, ["next", "submit"])
        for kind in ("next", "submit"):
            values = study.latencies.get(kind, [])
            print(f"study-{kind}-requests: {len(values)} requests")
            print(f"study-{kind}-p95-latency: {percentile(values, 95):.2f} ms")
        print(f"ratio-p50-study-to-trivial: {s['p50'] / t['p50']:.2f} x")
        print(f"ratio-p95-study-to-trivial: {s['p95'] / t['p95']:.2f} x")
        print(f"ratio-p50-study-to-trivial-authenticated: {s['p50'] / m['p50']:.2f} x")
        print(f"ratio-p95-study-to-trivial-authenticated: {s['p95'] / m['p95']:.2f} x")
        g = report("study-page", page, ["page-queue", "page-submit"])
        for kind in ("page-queue", "page-submit"):
            values = page.latencies.get(kind, [])
            print(f"study-{kind}-requests: {len(values)} requests")
            print(f"study-{kind}-p95-latency: {percentile(values, 95):.2f} ms")
        print(f"ratio-p95-study-page-to-trivial: {g['p95'] / t['p95']:.2f} x")
        print(f"ratio-p95-study-page-to-trivial-authenticated: {g['p95'] / m['p95']:.2f} x")
        print(f"study-page-cards-rated: {page.cards_rated} cards")
        # The simulated resends (2% of ratings) model lost answers, not what the page needs.
        sent = page.page_requests - page.page_retries
        per_card = sent / page.cards_rated if page.cards_rated else float("nan")
        print(f"requests-per-card: {per_card:.3f} requests")

        # Every rating that got a 2xx must be stored exactly once.
        from flashcards.models import ReviewLog

        ids = list(study.submitted | page.submitted)
        stored = 0
        for start in range(0, len(ids), 5000):
            stored += ReviewLog.objects.filter(
                client_review_id__in=ids[start : start + 5000]
            ).count()
        print(f"reviews-submitted: {len(ids)} reviews")
        print(f"reviews-retried: {study.retries} requests")
        print(f"reviews-stored: {stored} reviews")
        print(f"reviews-stored-exactly-once: {int(stored == len(ids))} bool")
        connection.close()
        return 0 if stored == len(ids) else 1
    finally:
        if gunicorn is not None:
            from tests.servers import stop_process

            stop_process(gunicorn)
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
