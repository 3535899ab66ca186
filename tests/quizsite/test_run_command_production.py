"""`DEBUG=0 scripts/run` on a fresh checkout: static files collected, every page a 200, and
`check --deploy` clean with production values."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections import deque

import pytest

from tests import servers

pytestmark = [pytest.mark.worker, pytest.mark.slow]

DEMO_PASSWORD = "quizsite-demo"
SKIPPED_PREFIXES = ("/accounts/logout/", "/admin/", "/api/", "/static/", "/media/", "/i18n/")
MAX_PAGES = 120
HREF = re.compile(r'href="(/[^"#]*)"')


def fresh_checkout(tmp_path):
    checkout = tmp_path / "checkout"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(servers.ROOT), str(checkout)],
        check=True,
    )
    return checkout


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "STATIC_ROOT"}
    }
    env.update(
        DEBUG="0",
        QUIZSITE_VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
        SECURE_COOKIES="0",  # the crawler speaks plain HTTP to loopback
    )
    env.update(extra)
    return env


class Browser:
    """urllib with a cookie jar: enough to sign in through the real form and follow links."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def sign_in(self, username: str) -> None:
        status, html = self.get("/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD}
        ).encode()
        with self.opener.open(self.base + "/accounts/login/", data=data, timeout=60) as answer:
            assert answer.url.endswith("/dashboard/"), answer.url

    def crawl(self, start: str) -> dict[str, int]:
        """Every same-site page reachable by links from `start`: path → status."""
        seen: dict[str, int] = {}
        queue = deque([start])
        while queue and len(seen) < MAX_PAGES:
            path = queue.popleft()
            if path in seen or path.startswith(SKIPPED_PREFIXES):
                continue
            status, html = self.get(path)
            seen[path] = status
            for link in HREF.findall(html):
                link = link.replace("&amp;", "&")
                if link not in seen:
                    queue.append(link)
        return seen


def test_debug_off_on_a_fresh_checkout_serves_every_page_and_passes_the_deploy_check(tmp_path):
    checkout = fresh_checkout(tmp_path)
    port = servers.free_port()
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        ["bash", "scripts/run"],
        cwd=checkout,
        env=production_env(tmp_path, PORT=str(port)),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def site_is_up() -> bool:
        if process.poll() is not None:
            raise AssertionError("scripts/run exited:\n" + (tmp_path / "run.log").read_text())
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                return json.loads(response.read())["database"]["ok"]
        except (OSError, ValueError):
            return False

    try:
        servers.wait_until(site_is_up, timeout=480, what="DEBUG=0 scripts/run")
        with urllib.request.urlopen(base + "/healthz", timeout=30) as response:
            health = json.loads(response.read())
        anonymous = Browser(base).crawl("/")
        crawled = {}
        for username in ("student", "instructor"):
            browser = Browser(base)
            browser.sign_in(username)
            crawled[username] = browser.crawl("/dashboard/")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()

    assert health["static"]["ok"] is True
    assert health["static"]["manifest"] == "ok"
    assert (checkout / "staticfiles" / "staticfiles.json").exists()
    assert {path: s for path, s in anonymous.items() if s != 200} == {}
    for username, pages in crawled.items():
        assert len(pages) > 10, (username, pages)
        print(f"{username}: {len(pages)} pages, all 200")
        assert {path: s for path, s in pages.items() if s != 200} == {}, username

    deploy = subprocess.run(
        [
            str(checkout / ".venv/bin/python"),
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=checkout,
        env=production_env(
            tmp_path,
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="quiz.example.org",
            SECURE_SSL_REDIRECT="1",
            SECURE_COOKIES="1",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "no issues" in deploy.stdout
