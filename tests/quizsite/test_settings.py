"""Settings come from the environment, with safe defaults and a clean deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from tests import servers

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "quiz.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "DATABASE_URL": "postgres://quizsite:secret@db.example.org:5432/quizsite",
    "REDIS_URL": "redis://cache.example.org:6379/0",
}


def django_command(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run manage.py in an environment holding only `env`: nothing the test run itself set
    (fast hashing, async-unsafe flags for Playwright, ...) may leak into what is checked."""
    clean = {
        key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=servers.ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def settings_value(expression: str, env: dict[str, str]) -> str:
    result = django_command(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print({expression})",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_deploy_check_is_clean_with_production_values():
    result = django_command("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_flags_the_development_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = django_command("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_the_default_database_is_a_sqlite_file_in_wal_mode(tmp_path):
    env = {"QUIZSITE_VAR_DIR": str(tmp_path)}
    result = django_command(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "print(connection.settings_dict['NAME'])",
        env=env,
    )

    assert result.returncode == 0, result.stderr
    mode, name = result.stdout.split()
    assert mode == "wal"
    assert name == str(tmp_path / "quizsite.sqlite3")


def test_without_redis_the_broker_is_the_embedded_filesystem_transport(tmp_path):
    env = {"QUIZSITE_VAR_DIR": str(tmp_path), "REDIS_URL": ""}

    assert settings_value("settings.CELERY_BROKER_URL", env) == "filesystem://"
    assert (tmp_path / "broker" / "queue").is_dir()


def test_with_redis_url_broker_results_and_cache_use_redis(tmp_path):
    env = {"QUIZSITE_VAR_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6390/2"}

    assert settings_value("settings.CELERY_BROKER_URL", env) == "redis://127.0.0.1:6390/2"
    assert settings_value("settings.CELERY_RESULT_BACKEND", env) == "redis://127.0.0.1:6390/2"
    assert "RedisCache" in settings_value("settings.CACHES['default']['BACKEND']", env)


def test_celery_is_configured_for_safe_redelivery_and_time_limits(tmp_path):
    env = {"QUIZSITE_VAR_DIR": str(tmp_path)}
    expression = (
        "settings.CELERY_TASK_ACKS_LATE, settings.CELERY_TASK_REJECT_ON_WORKER_LOST, "
        "settings.CELERY_TASK_SERIALIZER, settings.CELERY_TASK_SOFT_TIME_LIMIT "
        "< settings.CELERY_TASK_TIME_LIMIT, sorted(q.name for q in settings.CELERY_TASK_QUEUES)"
    )

    assert settings_value(expression, env) == "True True json True ['default', 'gpu']"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEMO_DEVICE", "tpu", "DEMO_DEVICE must be auto, cpu or cuda"),
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("DEMO_RUNS_PER_MINUTE", "lots", "DEMO_RUNS_PER_MINUTE must be a whole number"),
        ("IMPORT_MAX_BYTES", "0", "IMPORT_MAX_BYTES must be at least 1"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(tmp_path, name, value, message):
    result = django_command("check", env={"QUIZSITE_VAR_DIR": str(tmp_path), name: value})

    assert result.returncode != 0
    assert message in result.stderr
