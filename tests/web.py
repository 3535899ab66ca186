"""Run the real web server (gunicorn) as a subprocess on a free loopback port."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests import servers


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False
    return True


@contextlib.contextmanager
def running_web_server(env: dict[str, str], workdir: Path, *, workers: int = 1) -> Iterator[str]:
    port = servers.free_port()
    log = (workdir / "web.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "quizsite.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--timeout",
            "120",
        ],
        cwd=servers.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        servers.wait_until(
            lambda: process.poll() is None and _answers(f"{base_url}/healthz/live"),
            # Importing torch on a loaded two-core machine has taken over a minute.
            timeout=240,
            what="gunicorn",
        )
        yield base_url
    finally:
        servers.stop_process(process)
        log.close()
