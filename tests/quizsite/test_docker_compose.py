"""docker-compose.yml is valid and every service runs something that exists in this project.

There is no Docker engine on developer or CI machines, so the file is checked offline: against
the Compose specification's JSON schema, with Debian's docker-compose when it is installed,
and by resolving each service's command against the project.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
from pathlib import Path

import check_jsonschema
import jsonschema
import pytest
import yaml

from tests import servers

COMPOSE_FILE = servers.ROOT / "docker-compose.yml"
SCHEMA = Path(check_jsonschema.__file__).parent / "builtin_schemas/vendor/compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def test_the_compose_file_follows_the_compose_specification(compose):
    jsonschema.validate(compose, json.loads(SCHEMA.read_text()))


def test_docker_compose_itself_accepts_the_file_with_and_without_the_gpu_profile():
    binary = shutil.which("docker-compose")
    servers.require(binary is not None, "docker-compose is not installed")
    env = {"SECRET_KEY": "validation-only", "PATH": "/usr/bin:/bin"}
    for profile_args in ([], ["--profile", "gpu"]):
        result = subprocess.run(
            [binary, "-f", str(COMPOSE_FILE), *profile_args, "config", "-q"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_the_stack_has_web_workers_redis_and_postgres_with_healthchecks(compose):
    services = compose["services"]

    assert {"web", "worker", "worker-gpu", "beat", "redis", "postgres"} <= set(services)
    for name in ("web", "worker", "worker-gpu", "beat", "redis", "postgres"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"


def test_app_services_wait_for_healthy_backing_services(compose):
    for name in ("web", "worker", "worker-gpu", "beat"):
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_the_gpu_worker_reserves_an_nvidia_device_under_its_own_profile(compose):
    gpu = compose["services"]["worker-gpu"]

    assert gpu["profiles"] == ["gpu"]
    device = gpu["deploy"]["resources"]["reservations"]["devices"][0]
    assert device["driver"] == "nvidia"
    assert "gpu" in device["capabilities"]
    assert "--pool=solo" in gpu["command"]
    assert gpu["command"][gpu["command"].index("-Q") + 1] == "gpu"


def test_the_stack_starts_without_the_gpu_profile(compose):
    unprofiled = [name for name, svc in compose["services"].items() if "profiles" not in svc]
    assert "worker-gpu" not in unprofiled
    assert {"web", "worker", "redis", "postgres", "migrate"} <= set(unprofiled)


def test_every_service_command_points_at_real_modules(compose):
    for name in ("web", "worker", "worker-gpu", "beat"):
        command = compose["services"][name]["command"]
        if command[0] == "gunicorn":
            module, _, attribute = command[1].partition(":")
            assert hasattr(importlib.import_module(module), attribute or "application")
        else:
            assert command[:3] == ["celery", "-A", "quizsite"]
            assert importlib.import_module("quizsite").celery_app.main == "quizsite"
    migrate = compose["services"]["migrate"]["command"][-1]
    from django.core.management import get_commands

    for management_command in ("migrate", "load_sample_content", "train_digit_cnn"):
        assert f"manage.py {management_command}" in migrate
        assert management_command in get_commands()


def test_the_dockerfile_builds_from_the_lock_file():
    dockerfile = (servers.ROOT / "Dockerfile").read_text()
    assert "uv sync --locked" in dockerfile
    assert "COPY pyproject.toml uv.lock" in dockerfile
