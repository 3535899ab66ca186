"""Demo results as the pages show them: a run's figures (by URL), tables, summary and notes.

One shape for every page that shows a demo under an answer (set page, study card, quiz
review, question editor), built from the demos app's selectors: the SVGs are fetched by the
browser from the run's figure URLs, so listing many answers never loads the images.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from training.models import DemoRun
from training.selectors.attachments import attachments_for_questions
from training.texts import render, render_table


def run_result(run: DemoRun | None, *, caption: str = "", demo: str = "") -> dict:
    if run is None:
        return {"demo": demo, "caption": caption, "status": "failed", "figures": [], "run": None}
    result = (run.result or {}) if run.status == DemoRun.Status.DONE else {}
    figures = []
    if run.status == DemoRun.Status.DONE:
        figures = [
            {
                # Computed once in the worker, shown in the reader's language (training.texts).
                "title": render(figure.get("title")),
                "alt": render(figure.get("alt")),
                "url": reverse("training:run-figure", args=[run.pk, figure["name"]])
                + f"?lang={get_language() or settings.LANGUAGE_CODE}",
                "table": render_table(figure.get("table")),
            }
            for figure in run.figures or []
        ]
    return {
        "demo": demo or run.demo,
        "caption": caption,
        "status": run.status,
        "progress": run.progress,
        "progress_label": run.progress_label,
        "error": run.error,
        "summary": render(result.get("summary")),
        "notes": [render(note) for note in result.get("notes") or []],
        "figures": figures,
        "run": run.pk,
    }


def attachment_result(attachment) -> dict:
    shown = run_result(attachment.run, caption=attachment.caption, demo=attachment.demo)
    shown["attachment"] = attachment.pk
    return shown


def demo_results_for_questions(question_ids) -> dict[int, list[dict]]:
    """{question id: [demo result]} for a page of answers, in two queries."""
    return {
        question_id: [attachment_result(a) for a in attachments]
        for question_id, attachments in attachments_for_questions(question_ids).items()
    }
