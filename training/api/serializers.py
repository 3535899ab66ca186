"""JSON shapes of demos, runs and attachments, as plain functions (the poll path is hot)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from training.models import CAPTION_MAX_LENGTH, DemoAttachment, DemoRun
from training.registry import Demo
from training.texts import render, render_table


def demo_json(demo: Demo) -> dict[str, Any]:
    return {**demo.describe(), "runs_url": reverse("training:demo-runs", args=[demo.slug])}


def run_json(run: DemoRun, *, user=None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": run.pk,
        "url": reverse("training:run-detail", args=[run.pk]),
        "demo": run.demo,
        "demo_version": run.demo_version,
        "params": run.params,
        "status": run.status,
        "progress": run.progress,
        "progress_label": run.progress_label,
        "error": run.error,
        "seed": run.seed,
        "device": run.device,
        "versions": run.versions,
        "timings": run.timings,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "requested_by_you": bool(
            user is not None and user.is_authenticated and run.requested_by_id == user.pk
        ),
    }
    if run.status == DemoRun.Status.DONE:
        body["result"] = shown_result(run.result)
        body["figures"] = [
            {
                **{key: value for key, value in figure.items() if key != "labels"},
                "title": render(figure.get("title")),
                "alt": render(figure.get("alt")),
                "table": render_table(figure.get("table")),
                "url": reverse("training:run-figure", args=[run.pk, figure["name"]]),
            }
            for figure in run.figures
        ]
    return body


def shown_result(result: dict | None) -> dict | None:
    """The stored result with its summary and notes in the reader's language."""
    if not isinstance(result, dict):
        return result
    shown = {**result, "summary": render(result.get("summary"))}
    if "notes" in result:
        shown["notes"] = [render(note) for note in result.get("notes") or []]
    return shown


def attachment_json(attachment: DemoAttachment, *, user=None, can_edit: bool = False) -> dict:
    return {
        "id": attachment.pk,
        "url": reverse("training:attachment-detail", args=[attachment.pk]),
        "question": attachment.question_id,
        "demo": attachment.demo,
        "params": attachment.params,
        "caption": attachment.caption,
        "position": attachment.position,
        "run": run_json(attachment.run, user=user) if attachment.run else None,
        "rerun_url": reverse("training:attachment-runs", args=[attachment.pk]),
        "can_edit": can_edit,
    }


class ParamsField(serializers.DictField):
    """Parameters are validated by the demo's schema, not here: any JSON object passes."""


class AttachmentCreateSerializer(serializers.Serializer):
    demo = serializers.CharField(max_length=64)
    params = ParamsField(required=False, default=dict)
    caption = serializers.CharField(
        max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)


class AttachmentUpdateSerializer(serializers.Serializer):
    params = ParamsField(required=False)
    caption = serializers.CharField(max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)


class RunRequestSerializer(serializers.Serializer):
    params = ParamsField(required=False, default=dict)


@extend_schema_field({"type": "array", "items": {"type": "array", "items": {"type": "number"}}})
class PixelsField(serializers.Field):
    """A 2-D grid of numbers, converted in one numpy call: a 280×280 canvas is 78,400 values,
    which a ListField of FloatFields would validate one Python call at a time (~0.3 s)."""

    default_error_messages = {"invalid": "must be a rectangular 2-D grid of numbers"}

    def to_internal_value(self, data):
        import numpy as np

        if not isinstance(data, list) or not data or not isinstance(data[0], list):
            self.fail("invalid")
        if len(data) > 1024 or len(data[0]) > 1024:
            raise serializers.ValidationError("must be at most 1024×1024")
        try:
            grid = np.asarray(data, dtype=np.float32)
        except (TypeError, ValueError):
            self.fail("invalid")
        if grid.ndim != 2:
            self.fail("invalid")
        return grid


class DigitSerializer(serializers.Serializer):
    pixels = PixelsField(required=False)
    image = serializers.CharField(max_length=3_000_000, required=False)

    def validate(self, attrs):
        if ("pixels" in attrs) == ("image" in attrs):
            raise serializers.ValidationError(
                "Send either 'pixels' (a 2-D grid of 0..255 or 0..1) or 'image' (a PNG data URL)."
            )
        return attrs
