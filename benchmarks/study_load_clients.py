"""The study load benchmark's simulated clients: a keep-alive HTTP connection, the recorder of
latencies, and the API student, the page student and the trivial clients.

`python -m benchmarks.study_load` (its docstring says what each phase does) runs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid

RETRY_SHARE = 0.02


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
