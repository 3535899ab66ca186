"""The import_questions and export_questions management commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from flashcards.models import QuestionSet
from tests.flashcards.factories import (
    InstructorFactory,
    StudentFactory,
    full_question_set,
    snapshot,
)

pytestmark = pytest.mark.django_db

AIKEN = "Which layer outputs class probabilities?\nA. Softmax\nB. Dropout\nANSWER: A\n"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_detects_the_format_and_creates_a_titled_set(tmp_path):
    owner = InstructorFactory(username="teacher")
    path = tmp_path / "quiz.txt"
    path.write_text(AIKEN)
    out, _ = run("import_questions", str(path), "--owner", "teacher", "--set", "Output layers")
    assert "aiken, 1 questions (1 multiple_choice)" in out
    question_set = QuestionSet.objects.get(title="Output layers")
    assert question_set.owner == owner
    assert question_set.questions.get().choices.filter(is_correct=True).get().text == "Softmax"


def test_import_into_an_existing_set_by_title_appends(tmp_path):
    owner = InstructorFactory(username="teacher")
    existing = QuestionSet.objects.create(title="Chapter 4", owner=owner)
    path = tmp_path / "quiz.txt"
    path.write_text(AIKEN)
    run("import_questions", str(path), "--owner", "teacher", "--set", "Chapter 4")
    run(
        "import_questions",
        str(path),
        "--owner",
        "teacher",
        "--set",
        "Chapter 4",
        "--format",
        "aiken",
    )
    assert QuestionSet.objects.count() == 1
    assert existing.questions.count() == 2


def test_dry_run_saves_nothing_and_needs_no_owner(tmp_path):
    path = tmp_path / "quiz.txt"
    path.write_text(AIKEN)
    out, _ = run("import_questions", str(path), "--dry-run")
    assert "Dry run" in out
    assert QuestionSet.objects.count() == 0


def test_problems_are_printed_with_path_line_and_column_and_nothing_is_saved(tmp_path):
    InstructorFactory(username="teacher")
    path = tmp_path / "broken.gift"
    path.write_text("Fine{T}\n\nBroken {=a ~b\n")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_questions", str(path), "--owner", "teacher", stdout=StringIO(), stderr=err
        )
    assert f"{path}:3:8: error:" in err.getvalue()
    assert QuestionSet.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "nobody"], "No user"),
        ([], "--owner"),
    ],
)
def test_owner_problems_are_clear(tmp_path, args, message):
    path = tmp_path / "quiz.txt"
    path.write_text(AIKEN)
    with pytest.raises(CommandError, match=message):
        run("import_questions", str(path), *args)


def test_students_cannot_own_an_imported_set(tmp_path):
    StudentFactory(username="learner")
    path = tmp_path / "quiz.txt"
    path.write_text(AIKEN)
    with pytest.raises(CommandError, match="may not import"):
        run("import_questions", str(path), "--owner", "learner")


def test_unreadable_paths_and_files_are_command_errors(tmp_path):
    InstructorFactory(username="teacher")
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_questions", str(tmp_path / "missing.gift"), "--owner", "teacher")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(CommandError, match="cannot be read"):
        run("import_questions", str(junk), "--owner", "teacher")


def test_export_then_import_by_command_round_trips_json(tmp_path):
    original = full_question_set()
    target = tmp_path / "set.json"
    out, _ = run("export_questions", str(original.pk), "--format", "json", "--output", str(target))
    assert "Wrote" in out
    assert json.loads(target.read_text())["format"] == "quizsite-questions"
    run("import_questions", str(target), "--owner", original.owner.username, "--set", "Copy")
    assert snapshot(QuestionSet.objects.get(title="Copy")) == snapshot(original)


def test_export_reports_what_the_format_cannot_carry(tmp_path):
    original = full_question_set()
    _, err = run(
        "export_questions",
        str(original.pk),
        "--format",
        "gift",
        "--output",
        str(tmp_path / "set.gift"),
    )
    assert "warning:" in err
    assert (tmp_path / "set.gift").read_text().count("{") >= 8


def test_export_of_a_missing_set_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="No question set"):
        run("export_questions", "999999", "--format", "csv", "--output", str(tmp_path / "x"))
