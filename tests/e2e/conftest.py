"""End-to-end setup: the real site under gunicorn, driven by Debian's Chromium via Playwright.

The server is a subprocess sharing the session's test database (`subprocess_env`), so tests
that create rows for it must be `django_db(transaction=True)`: their rows are committed and
the server sees them.  Static files are collected once into a temporary STATIC_ROOT so the
server runs exactly as in production (DEBUG off, hashed file names, compression).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import servers
from tests.conftest import subprocess_env
from tests.web import running_web_server

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = servers.ROOT / "test-artifacts"
AXE_JS = Path(os.environ.get("AXE_CORE_JS") or servers.ROOT / "node_modules/axe-core/axe.min.js")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def site_workdir(tmp_path_factory) -> Path:
    """The server's QUIZSITE_VAR_DIR: a test may put files there (the digit model's checkpoint
    under `checkpoints/`) before the server first needs them."""
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="session")
def site_server(django_db_setup, django_db_blocker, celery_broker, site_workdir):
    """gunicorn on a free loopback port, production settings, the test database; its URL."""
    workdir = site_workdir
    with django_db_blocker.unblock():
        env = subprocess_env(workdir, STATIC_ROOT=str(workdir / "static"), **celery_broker)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=servers.ROOT,
        env=env,
        check=True,
    )
    with running_web_server(env, workdir, workers=2) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    servers.require(
        Path(CHROMIUM).exists(), f"Chromium is not at {CHROMIUM} (apt-get install chromium)"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, site_server, request):
    """Factory of pages in fresh browser contexts (one per person in a scenario).

    Any uncaught JavaScript error, or anything the Content-Security-Policy blocks, fails the
    test: a page that throws is broken even when the assertions happen to pass.
    """
    contexts, errors = [], []

    def make(*, user=None, **context_options):
        options = {
            "base_url": site_server,
            "locale": "en-US",
            "viewport": {"width": 1280, "height": 900},
            **context_options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        if user is not None:
            sign_in_context(context, site_server, user)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        # A script or style the Content-Security-Policy blocks is reported on the console only.
        page.on(
            "console",
            lambda message: (
                errors.append(f"{page.url}: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for number, context in enumerate(contexts):
            for index, page in enumerate(context.pages):
                screenshot(page, f"failures/{request.node.name}-{number}-{index}")
    for context in contexts:
        context.close()
    assert not errors, "JavaScript errors:\n" + "\n".join(errors)


def sign_in_context(context, base_url: str, user) -> None:
    """Put a valid session cookie in the context, as signing in through the form would."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (kept by CI)."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def audit_accessibility(page, name: str) -> list[dict]:
    """Run axe-core in the page; return serious and critical violations, saving the report."""
    servers.require(
        AXE_JS.exists(),
        f"axe-core is not at {AXE_JS} "
        "(npm install --no-save --prefix . axe-core@4, or set AXE_CORE_JS)",
    )
    # Evaluated through the DevTools protocol rather than added as a <script>: the page's
    # Content-Security-Policy rightly refuses inline scripts, and the audit is not the page's.
    page.evaluate(AXE_JS.read_text() + "\n;true")
    results = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {
                    type: "tag",
                    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
                },
                resultTypes: ["violations"],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary).slice(0, 5),
            }));
        }"""
    )
    report = ARTIFACTS / "axe" / f"{name}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(results, indent=2))
    return [v for v in results if v["impact"] in {"serious", "critical"}]


def assert_accessible(page, name: str) -> None:
    violations = audit_accessibility(page, name)
    assert not violations, f"axe on {name}:\n" + json.dumps(violations, indent=2)
