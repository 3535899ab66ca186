"""Celery wiring: queues, routes and the beat schedule come from settings, and every task a
service sends by name exists."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from celery.signals import before_task_publish
from django.conf import settings
from django.utils import timezone

from flashcards.models import ImportSession
from flashcards.services import imports as import_services
from flashcards.services import study as study_services
from flashcards.tasks import delete_stale_import_sessions
from quizsite import queues
from quizsite.celery import app
from tests.flashcards.factories import InstructorFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """Messages really published to the broker: (task name, routing key)."""
    sent: list[tuple[str, str]] = []

    def record(sender=None, routing_key=None, **kwargs):
        sent.append((sender, routing_key))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def test_every_routed_or_scheduled_task_is_a_registered_task():
    app.loader.import_default_modules()
    names = set(settings.CELERY_TASK_ROUTES) | {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert names <= set(app.tasks)
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} <= set(queues.QUEUES)


def test_the_beat_schedule_sweeps_stale_demo_runs_and_unconfirmed_imports():
    scheduled = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert scheduled[queues.SWEEP_STALE_RUNS] == 30.0
    assert scheduled[queues.SWEEP_IMPORT_SESSIONS] == 3600.0


def test_a_parameter_fit_is_sent_by_name_to_the_gpu_queue(
    django_capture_on_commit_callbacks, published
):
    with django_capture_on_commit_callbacks(execute=True):
        study_services.request_parameter_fit(student=StudentFactory())
    assert published == [(queues.FIT_STUDY_PARAMETERS, queues.GPU_QUEUE)]


def test_the_import_sweep_deletes_only_unconfirmed_uploads_older_than_a_day():
    owner = InstructorFactory()
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        old, _ = import_services.create_import_session(user=owner, data=b"Q?{T}", fmt="gift")
    fresh, _ = import_services.create_import_session(user=owner, data=b"Q?{T}", fmt="gift")

    assert delete_stale_import_sessions.run() == 1

    assert list(ImportSession.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not ImportSession.objects.filter(pk=old.pk).exists()
