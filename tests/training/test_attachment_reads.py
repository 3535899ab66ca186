"""The study page reads a batch's demo attachments with one fixed statement that answers what
the ORM twin answers: the same attachments, in the same order, each with its run, and the
run's SVGs left out (training/selectors/attachments.py says why it is written out)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.flashcards.factories import QuestionFactory
from tests.training.factories import DemoAttachmentFactory, DemoRunFactory
from training.models import DemoAttachment, DemoRun
from training.selectors.attachments import attachments_for_questions

pytestmark = pytest.mark.django_db


def orm_twin(question_ids) -> dict[int, list[DemoAttachment]]:
    grouped: dict[int, list[DemoAttachment]] = {}
    queryset = (
        DemoAttachment.objects.filter(question_id__in=list(question_ids))
        .select_related("run")
        .defer("run__figure_svgs")
        .order_by("question_id", "position", "id")
    )
    for attachment in queryset:
        grouped.setdefault(attachment.question_id, []).append(attachment)
    return grouped


def test_attachments_and_their_runs_match_the_orm_twin_field_for_field():
    first, second, bare, other = (QuestionFactory() for _ in range(4))
    done = DemoRunFactory(
        status=DemoRun.Status.DONE,
        result={"summary": "Probabilities sum to 1.", "notes": ["ç", 2]},
        figures=[{"name": "bars", "title": "Probabilities"}],
        figure_svgs={"bars": "<svg/>"},
    )
    DemoAttachmentFactory(question=first, run=done, position=2, caption="Later")
    DemoAttachmentFactory(question=first, run=None, position=1, caption="Not yet run")
    DemoAttachmentFactory(question=second, run=done, position=0)
    DemoAttachmentFactory(question=other)
    asked = [second.pk, first.pk, bare.pk]

    with CaptureQueriesContext(connection) as queries:
        ours = attachments_for_questions(asked)
    theirs = orm_twin(asked)

    assert len(queries) == 1
    assert list(ours) == list(theirs) == [first.pk, second.pk]
    for question_id, attachments in theirs.items():
        assert [a.pk for a in ours[question_id]] == [a.pk for a in attachments]
        for mine, twin in zip(ours[question_id], attachments, strict=True):
            for field in DemoAttachment._meta.concrete_fields:
                assert getattr(mine, field.attname) == getattr(twin, field.attname), field.name
            assert (mine.run is None) == (twin.run is None)
            if twin.run is not None:
                for field in DemoRun._meta.concrete_fields:
                    if field.name == "figure_svgs":
                        continue
                    assert getattr(mine.run, field.attname) == getattr(twin.run, field.attname)
                assert "figure_svgs" in mine.run.get_deferred_fields()
    assert ours[first.pk][1].run.result == {"summary": "Probabilities sum to 1.", "notes": ["ç", 2]}


def test_no_questions_cost_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert attachments_for_questions([]) == {}
    assert len(queries) == 0
