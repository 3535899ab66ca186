"""The API keeps its OpenAPI contract against hostile generated requests (schemathesis).

A live gunicorn serves the test database; schemathesis (the version pinned in uv.lock) reads
the schema and sends generated requests, valid and invalid, to every operation, once with a
student's token and once with an instructor's.  Acceptance: no server error, no status code
the schema does not document, no body that does not match its documented schema.  Examples
per operation are bounded so the whole file stays within a few minutes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from tests.conftest import subprocess_env
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
)
from tests.quizzes.factories import QuizFactory
from tests.web import running_web_server

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)
EXAMPLES_PER_OPERATION = 8
SEED = 14


def course() -> dict[str, str]:
    """A class with its instructor's set, questions and quiz, a member and their tokens."""
    instructor = InstructorFactory()
    student = StudentFactory()
    question_set = QuestionSetFactory(owner=instructor, visibility="classes")
    for _ in range(3):
        QuestionFactory(question_set=question_set)
    classroom = ClassroomFactory(owner=instructor)
    classroom.question_sets.add(question_set)
    classroom.members.add(student)
    QuizFactory(owner=instructor, question_set=question_set, classrooms=[classroom])
    return {
        "student": Token.objects.create(user=student).key,
        "instructor": Token.objects.create(user=instructor).key,
    }


def schemathesis(schema_path, base_url: str, token: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            str(schema_path),
            "--url",
            base_url,
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--seed",
            str(SEED),
            "--no-shrink",
            "--request-timeout",
            "60",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def failures(output: str) -> str:
    """The report's FAILURES section (each case with its curl line), not the progress bar."""
    start = output.find("FAILURES")
    end = output.find("WARNINGS", start)
    return output[start : end if end > 0 else None][:20000] if start >= 0 else output[-6000:]


def test_the_api_keeps_its_schema_for_a_student_and_an_instructor(tmp_path, celery_broker):
    tokens = course()
    env = subprocess_env(tmp_path, **celery_broker)
    with running_web_server(env, tmp_path, workers=2) as base_url:
        with urllib.request.urlopen(f"{base_url}/api/schema/?format=json", timeout=120) as answer:
            schema = json.loads(answer.read())
        schema_path = tmp_path / "schema.json"
        schema_path.write_text(json.dumps(schema))
        outcomes = {
            role: schemathesis(schema_path, base_url, token) for role, token in tokens.items()
        }

    failed = {role: run for role, run in outcomes.items() if run.returncode != 0}
    assert not failed, "\n\n".join(
        f"--- as the {role} (exit {run.returncode}) ---\n{failures(run.stdout)}{run.stderr[-2000:]}"
        for role, run in failed.items()
    )
    for run in outcomes.values():
        assert "API Operations:" in run.stdout
