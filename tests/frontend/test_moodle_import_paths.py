"""A Moodle XML export through the import wizard and the API: detected, previewed with the
same warnings (line and message), and imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from flashcards.models import ImportSession, QuestionSet
from tests.flashcards.factories import InstructorFactory

pytestmark = pytest.mark.django_db

REAL_WORLD = Path(__file__).parent.parent / "data" / "real_world"
FILE = REAL_WORLD / "moodle_xml_export_deep_learning.xml"


def test_the_wizard_detects_previews_and_imports_a_moodle_xml_export(client):
    instructor = InstructorFactory()
    client.force_login(instructor)
    response = client.post(
        reverse("import-start"),
        {"file": SimpleUploadedFile(FILE.name, FILE.read_bytes()), "format": ""},
    )
    session = ImportSession.objects.get(owner=instructor)
    assert session.format == "moodlexml"
    page = client.get(response.url).content.decode()
    assert "11 questions found" in page
    assert "Image not imported: &#x27;relu-plot.png&#x27;" in page
    assert "line 467" in page  # the skipped drag-and-drop question
    client.post(reverse("import-wizard-confirm", args=[session.pk]))
    assert QuestionSet.objects.get(owner=instructor).questions.count() == 11


def test_the_api_previews_a_moodle_xml_export_with_coded_warnings():
    api = APIClient()
    api.force_authenticate(InstructorFactory())
    upload = SimpleUploadedFile(FILE.name, FILE.read_bytes())
    response = api.post("/api/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.data
    assert response.data["format"] == "moodlexml"
    assert response.data["total"] == 11
    codes = [(p["line"], p["code"]) for p in response.data["problems"]]
    assert (92, "image-not-imported") in codes
    assert (467, "question-skipped") in codes
    assert response.data["can_confirm"] is True
