"""Session-wide test setup: the database (SQLite, or PostgreSQL with --postgres), the Celery
broker (a real redis-server when one is installed, else the embedded filesystem broker) and a
real Celery worker process for integration tests.

Tests that need a worker use the `celery_worker` fixture together with `transactional_db`, so
that the rows they create are committed and visible to the worker process.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from tests import servers

SHARED_DATA = servers.ROOT.parent / "shared" / "data"


def pytest_configure(config):
    """Test-only settings that every test and every server subprocess must share."""
    from django.conf import settings

    os.environ["QUIZSITE_FAST_PASSWORD_HASHING"] = "1"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages rendered in-process need no collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_addoption(parser):
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the database tests on a real PostgreSQL server started for the session",
    )


def pytest_collection_modifyitems(config, items):
    # With --postgres only the tests that touch the database run again.
    if not config.getoption("--postgres"):
        return
    selected = [item for item in items if item.get_closest_marker("django_db")]
    deselected = [item for item in items if not item.get_closest_marker("django_db")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


# --- servers ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = servers.start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    server = servers.start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, tmp_path_factory):
    """Point the test database at PostgreSQL (--postgres) or at a SQLite *file*.

    A file rather than SQLite's in-memory default, so a worker subprocess can open the same
    test database.
    """
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    if request.config.getoption("--postgres"):
        server = request.getfixturevalue("postgres_server")
        database.update(
            ENGINE="django.db.backends.postgresql",
            NAME="postgres",
            USER=server.user,
            PASSWORD="",
            HOST="127.0.0.1",
            PORT=str(server.port),
            OPTIONS={},
            CONN_MAX_AGE=0,
            CONN_HEALTH_CHECKS=False,
            TEST={"NAME": "test_quizsite"},
        )
    else:
        database["TEST"] = {"NAME": str(tmp_path_factory.mktemp("db") / "test.sqlite3")}
    # Connection objects made before this point were built from the old settings.
    connections.__dict__.pop("settings", None)
    for alias in settings.DATABASES:
        with contextlib.suppress(AttributeError):
            del connections[alias]


@pytest.fixture(scope="session", autouse=True)
def celery_broker(tmp_path_factory):
    """Configure the project's Celery app for this session's broker and describe it.

    Redis when redis-server is installed (always in CI), otherwise the embedded filesystem
    broker in a temporary directory.  Returns the environment a worker process needs.
    """
    from quizsite.celery import app

    if servers.find_binary("redis-server") or servers.IN_CI:
        redis = servers.start_redis(tmp_path_factory.mktemp("session-redis"))
        app.conf.update(broker_url=redis.url, result_backend=redis.url)
        yield {"REDIS_URL": redis.url}
        redis.stop()
        return
    broker_dir = tmp_path_factory.mktemp("broker")
    for sub in ("queue", "control", "results"):
        (broker_dir / sub).mkdir()
    app.conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(broker_dir / "queue"),
            "data_folder_out": str(broker_dir / "queue"),
            "control_folder": str(broker_dir / "control"),
            "store_processed": False,
        },
        result_backend=f"file://{broker_dir / 'results'}",
    )
    yield {"REDIS_URL": "", "CELERY_BROKER_DIR": str(broker_dir)}


def database_url() -> str:
    """The URL of the (already created) test database, for worker and server subprocesses."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def subprocess_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Environment for a project subprocess (worker, web server) sharing the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "QUIZSITE_VAR_DIR": str(tmp_path),
        "DEMO_DEVICE": "cpu",
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(overrides)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright's loop in this process only
    return {key: value for key, value in env.items() if value != "" or key == "REDIS_URL"}


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, celery_broker, tmp_path_factory):
    """A real worker process consuming both queues, shared by the session's integration tests."""
    from quizsite.celery import app

    workdir = tmp_path_factory.mktemp("worker")
    with django_db_blocker.unblock():
        env = subprocess_env(workdir, **celery_broker)
    worker = servers.CeleryWorker(
        env=env, queues="default,gpu", log_path=workdir / "worker.log"
    ).start()
    try:
        worker.wait_ready(app)
        yield worker
    finally:
        worker.stop()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language.  A request activates the user's
    language in this thread and nothing switches it back, so without this a test that
    renders text outside a request (a lazy label, a service message) spoke whatever
    language the test before it last served: order-dependent results."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def mnist_dir() -> Path:
    """The full MNIST directory beside the project; skipped outside CI when it is absent."""
    path = Path(os.environ.get("MNIST_DIR") or SHARED_DATA / "mnist")
    servers.require(
        (path / "train-images-idx3-ubyte.gz").exists()
        or (path / "train-images-idx3-ubyte").exists(),
        f"full MNIST is not at {path} (set MNIST_DIR)",
    )
    return path


@pytest.fixture
def reviews_dir() -> Path:
    path = SHARED_DATA / "reviews"
    servers.require(path.is_dir(), f"review logs are not at {path}")
    return path


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
