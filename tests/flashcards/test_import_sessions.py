"""Import sessions: parsed once and stored; bounded; swept when nobody confirms them; and one
summary, the same on every import path."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from benchmarks.import_gift import generate_gift
from flashcards.models import ImportSession, Question
from flashcards.services import import_summary as summaries
from flashcards.services import imports as service
from flashcards.services.import_preview import preview_import
from flashcards.tasks import delete_stale_import_sessions
from tests.flashcards.factories import InstructorFactory

pytestmark = pytest.mark.django_db

GIFT = "Sigmoid outputs lie in (0, 1).{T}\n\nReLU is linear everywhere.{F}\n\nName it.{=ReLU}\n"
NOTES = (
    "# Notes\n\n### 09:00 - Lab\n\nBring a laptop.\n\n"
    "- 1. What is an epoch?\n  One pass over the data.\n"
    "- 3. What is a batch?\n  A few samples.\n"
)


def session_for(data: bytes, name="file.gift", **kwargs):
    owner = kwargs.pop("user", None) or InstructorFactory()
    session, _parsed = service.create_import_session(user=owner, data=data, filename=name, **kwargs)
    return owner, session


def test_reading_a_session_again_reads_its_stored_result_not_the_file(
    django_assert_max_num_queries,
):
    owner, session = session_for(GIFT.encode())
    first = service.session_summary(session)
    # Were the file parsed again, this would now read nothing.
    ImportSession.objects.filter(pk=session.pk).update(data=b"not a quiz at all")
    session = ImportSession.objects.get(pk=session.pk)
    with django_assert_max_num_queries(0):
        assert service.session_summary(session) == first
    assert first["counts"] == {"true_false": 2, "short_answer": 1}
    outcome = service.confirm_import_session(user=owner, session=session)
    assert outcome.created == 3
    assert bytes(ImportSession.objects.get(pk=session.pk).parsed) == b""


def test_a_session_stored_without_a_parsed_result_is_parsed_again_once():
    _owner, session = session_for(GIFT.encode())
    expected = service.session_summary(session)
    ImportSession.objects.filter(pk=session.pk).update(parsed=b"", summary={})
    session = ImportSession.objects.get(pk=session.pk)
    assert service.session_summary(session) == expected
    assert ImportSession.objects.get(pk=session.pk).summary == expected


def test_a_file_with_more_questions_than_one_import_takes_is_refused_where_the_limit_passes(
    settings,
):
    settings.IMPORT_MAX_QUESTIONS = 2
    parsed = preview_import(data=GIFT.encode(), fmt="gift")
    (error,) = parsed.errors
    assert error.line == 5
    assert error.code == "too-many-questions"
    assert "3 questions" in error.message
    assert "at most 2" in error.message
    assert summaries.import_summary(parsed)["can_confirm"] is False


def test_a_two_thousand_question_moodle_bank_imports_whole():
    outcome = service.import_questions(
        user=InstructorFactory(), data=generate_gift(2000).encode(), fmt="gift"
    )
    assert outcome.saved
    assert outcome.created == 2000
    assert Question.objects.count() == 2000


def test_a_preview_lists_the_first_problems_with_the_total_and_the_count_per_class():
    rows = "".join(f"front {n}\tback {n}\textra {n}\n" for n in range(5))
    rows += "".join(f"only-one-column-{n}\n" for n in range(summaries.PREVIEW_PROBLEMS + 50))
    summary = summaries.import_summary(preview_import(data=rows.encode(), fmt="tsv"))
    assert summary["problems_total"] == summaries.PREVIEW_PROBLEMS + 51
    assert len(summary["problems"]) == summaries.PREVIEW_PROBLEMS
    classes = {(c["severity"], c["code"]): c["count"] for c in summary["classes"]}
    assert classes == {
        ("error", ""): summaries.PREVIEW_PROBLEMS + 50,
        ("warning", "columns-ignored"): 1,
    }
    assert summary["dropped_total"] == 1


def test_the_sweep_deletes_pending_uploads_older_than_a_day_and_keeps_the_rest():
    _owner, old = session_for(GIFT.encode())
    _owner, recent = session_for(GIFT.encode())
    ImportSession.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert delete_stale_import_sessions.name == "flashcards.delete_stale_import_sessions"
    assert delete_stale_import_sessions.apply().get() == 1
    assert list(ImportSession.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_command_the_api_and_the_wizard_show_the_same_summary(tmp_path, client, api_client):
    owner = InstructorFactory(username="teacher")
    expected = summaries.import_summary(preview_import(data=NOTES.encode(), fmt="markdown"))
    assert {c["code"] for c in expected["classes"]} == {"prose-skipped", "numbering-gap"}

    path = tmp_path / "notes.md"
    path.write_text(NOTES)
    out, err = StringIO(), StringIO()
    call_command("import_questions", str(path), "--dry-run", stdout=out, stderr=err)
    for line in summaries.summary_text(expected):
        assert line in out.getvalue()
    for problem in expected["problems"]:
        assert f"notes.md:{problem['line']}:{problem['column']}: warning: {problem['message']}" in (
            err.getvalue()
        )

    api_client.force_authenticate(owner)
    upload = SimpleUploadedFile("notes.md", NOTES.encode())
    payload = api_client.post(
        reverse("flashcards:import-list"), {"file": upload}, format="multipart"
    ).data
    for key in ("total", "counts", "errors", "warnings", "problems_total", "dropped_total"):
        assert payload[key] == expected[key], key
    assert payload["classes"] == [{**c, "label": str(c["label"])} for c in expected["classes"]]
    assert [p["message"] for p in payload["problems"]] == [
        p["message"] for p in expected["problems"]
    ]

    client.force_login(owner)
    upload = SimpleUploadedFile("notes.md", NOTES.encode())
    response = client.post(reverse("import-start"), {"file": upload, "format": ""})
    page = client.get(response["Location"]).content.decode()
    for item in expected["classes"]:
        assert re.search(
            rf"<td>{re.escape(str(item['label']))}</td><td>[^<]*</td><td>{item['count']}</td>", page
        )
    for problem in expected["problems"]:
        assert problem["message"] in page


def test_the_wizard_summary_speaks_danish(client):
    owner = InstructorFactory()
    client.force_login(owner)
    upload = SimpleUploadedFile("notes.md", NOTES.encode())
    response = client.post(
        reverse("import-start"), {"file": upload, "format": ""}, HTTP_ACCEPT_LANGUAGE="da"
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Problemer efter type" in page
    assert "Løbende tekst ikke importeret" in page
    assert "element udeladt fra filen" in page


QUIZLET_CUSTOM = "loss - how wrong$$metric - what we report$$"


def test_the_api_and_the_command_take_quizlets_custom_separators(tmp_path, api_client):
    api_client.force_authenticate(InstructorFactory(username="teacher"))
    upload = SimpleUploadedFile("cards.txt", QUIZLET_CUSTOM.encode())
    response = api_client.post(
        reverse("flashcards:import-list"),
        {"file": upload, "format": "csv", "separator": " - ", "row_separator": "$$"},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    assert [q["prompt"] for q in response.data["questions"]] == ["loss", "metric"]
    confirmed = api_client.post(reverse("flashcards:import-confirm", args=[response.data["id"]]))
    assert confirmed.status_code == 201
    assert confirmed.data["created"] == 2

    path = tmp_path / "cards.txt"
    path.write_text(QUIZLET_CUSTOM)
    out = StringIO()
    call_command(
        "import_questions",
        str(path),
        "--format",
        "csv",
        "--separator",
        " - ",
        "--row-separator",
        "$$",
        "--dry-run",
        stdout=out,
        stderr=StringIO(),
    )
    assert "csv, 2 questions (2 flashcard)" in out.getvalue()


def test_the_wizard_takes_a_blank_line_between_cards(client):
    client.force_login(InstructorFactory())
    text = "epoch;one pass\nover the data\n\nbatch;a few samples\n"
    response = client.post(
        reverse("import-start"),
        {"text": text, "format": "csv", "separator": ";", "row_separator": "blank"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    session = ImportSession.objects.get()
    assert session.summary["total"] == 2
    assert session.summary["options"] == {"separator": ";", "row_separator": "blank"}
