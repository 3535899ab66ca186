"""The README's run command serves the whole site on embedded defaults and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request

import pytest

from tests import servers

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def healthz(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except OSError:
        return None


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_serves_web_and_worker_on_embedded_defaults_and_ctrl_c_stops_everything(tmp_path):
    port = servers.free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(QUIZSITE_VAR_DIR=str(tmp_path / "var"), PORT=str(port), PYTHONUNBUFFERED="1")
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        ["bash", "scripts/run"],
        cwd=servers.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        servers.wait_until(
            lambda: (
                (process.poll() is None or _raise(tmp_path))
                and (healthz(url) or {}).get("status") == "ok"
            ),
            timeout=180,
            what="the run command's site",
        )
        body = healthz(url)
        assert body["database"]["ok"]
        assert body["workers"]["ok"]
        # The default-queue worker always answers; the gpu-queue one runs the solo pool and
        # answers pings only between tasks, and it may already be training a sample demo.
        assert body["workers"]["count"] >= 1

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        process.wait(timeout=60)
        servers.wait_until(
            lambda: not process_group_alive(process.pid), timeout=30, what="shutdown"
        )
    finally:
        if process_group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
    output = (tmp_path / "run.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output
    assert "student" in output  # the demo accounts are printed
    assert "instructor" in output


def _raise(tmp_path):
    raise AssertionError("scripts/run exited early:\n" + (tmp_path / "run.log").read_text()[-3000:])
