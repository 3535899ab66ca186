"""Real backing servers for the test suite: redis-server, PostgreSQL, Celery workers.

Each starts on a free loopback port with a temporary data directory and is stopped at the end
of the session.  Outside CI a missing binary skips the tests that need it, with the reason; in
CI (CI=true) it is a failure, because a green run that skipped them would prove nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def require(condition: bool, reason: str) -> None:
    """Skip with `reason` outside CI; fail with it in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll a readiness probe (a server's own answer), not a fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} was not ready within {timeout:.0f}s")


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for directory in POSTGRES_BIN_DIRS:
        candidate = directory / name
        if candidate.exists():
            return str(candidate)
    return None


def stop_process(process: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 20):
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        stop_process(self.process)


def start_redis(workdir: Path) -> RedisServer:
    binary = find_binary("redis-server")
    require(binary is not None, "redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(port=port, process=process)
    wait_until(server.ping, timeout=20, what="redis-server")
    return server


@dataclass
class PostgresServer:
    port: int
    datadir: Path
    socket_dir: Path
    run_as: list[str]
    process: subprocess.Popen
    user: str = "quizsite"

    def url(self, name: str = "postgres") -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{name}"

    def ready(self) -> bool:
        pg_isready = find_binary("pg_isready")
        result = subprocess.run(
            [pg_isready, "-h", "127.0.0.1", "-p", str(self.port), "-q"], check=False
        )
        return result.returncode == 0

    def stop(self) -> None:
        stop_process(self.process, sig=signal.SIGINT)  # "fast" shutdown
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_postgres() -> PostgresServer:
    initdb, postgres = find_binary("initdb"), find_binary("postgres")
    require(
        initdb is not None and postgres is not None,
        "PostgreSQL server binaries are not installed (apt-get install postgresql)",
    )
    # initdb and postgres refuse to run as root: run them as the postgres system user then.
    run_as: list[str] = []
    if os.geteuid() == 0:
        require(shutil.which("runuser") is not None, "runuser is needed to run PostgreSQL")
        run_as = ["runuser", "-u", "postgres", "--"]
    # Not under pytest's temporary directory: that is private to root (0700), and PostgreSQL
    # runs as the postgres user, who must be able to reach its data directory.
    workdir = Path(tempfile.mkdtemp(prefix="quizsite-postgres-"))
    datadir, socket_dir = workdir / "data", workdir / "socket"
    socket_dir.mkdir(exist_ok=True)
    if run_as:
        workdir.chmod(0o755)
        shutil.chown(workdir, "postgres", "postgres")
        shutil.chown(socket_dir, "postgres", "postgres")
    subprocess.run(
        [
            *run_as,
            initdb,
            "-D",
            str(datadir),
            "-U",
            "quizsite",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    port = free_port()
    process = subprocess.Popen(
        [
            *run_as,
            postgres,
            "-D",
            str(datadir),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(socket_dir),
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = PostgresServer(
        port=port, datadir=datadir, socket_dir=socket_dir, run_as=run_as, process=process
    )
    wait_until(server.ready, timeout=60, what="PostgreSQL")
    return server


@dataclass
class CeleryWorker:
    """A real `celery worker` subprocess sharing the test database and broker."""

    env: dict[str, str]
    queues: str
    log_path: Path
    process: subprocess.Popen | None = None
    extra_args: list[str] = field(default_factory=list)

    def start(self) -> CeleryWorker:
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "quizsite",
                "worker",
                "-Q",
                self.queues,
                "--pool=solo",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-n",
                f"test-{os.getpid()}-{id(self)}@%h",
                *self.extra_args,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, app, timeout: float = 90) -> None:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            return bool(app.control.ping(timeout=0.5))

        wait_until(answers, timeout=timeout, what="Celery worker")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def kill(self) -> None:
        """Kill the worker abruptly, as an out-of-memory killer or a power cut would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process:
            stop_process(self.process, timeout=30)
        if getattr(self, "log_file", None):
            self.log_file.close()
