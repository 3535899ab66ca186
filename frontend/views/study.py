"""Studying in the browser: the session page, its card queue as JSON, and statistics.

The session page is one small ES module (`study.js`) that keeps a few cards ahead, shows
the next one the moment a rating key is pressed and sends the rating in the background to
the study API (`/api/study/reviews/`, `/api/study/undo/`, bury/suspend/flag).  The queue it
reads comes from `queue_json` below: the study API's own card payload plus each answer's demo
results, rendered once on the server so the page does not fetch them on reveal.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flashcards import scheduling
from flashcards.api.study import entry_payload
from flashcards.models import StudySettings
from flashcards.ratings import RATING_LABELS
from flashcards.selectors import study as selectors
from flashcards.services import study as services
from training.selectors.results import demo_results_for_questions

QUEUE_AHEAD = 8  # cards the page keeps in hand: enough to never wait on the network


def _mode(request) -> str:
    return "cram" if request.GET.get("mode") == "cram" else "study"


def _study_page(request, scope, *, title: str, scope_query: str):
    mode = _mode(request)
    context = {
        "title": title,
        "scope": scope,
        "mode": mode,
        "scope_query": scope_query,
        "queue_url": f"{reverse('study-queue')}?{scope_query}&mode={mode}",
        "statistics_url": f"{reverse('study-statistics-page')}?{scope_query}",
        "ratings": RATINGS,
        "nav": "dashboard",
    }
    return render(request, "frontend/study/session.html", context)


# The five ratings, as the design names them; the keys are the digits.
RATINGS = [(str(value), label) for value, label in RATING_LABELS.items()]


@login_required
def study_set(request, pk: int):
    scope = selectors.study_scope(request.user, set_id=pk)
    return _study_page(request, scope, title=scope.question_set.title, scope_query=f"set={pk}")


@login_required
def study_class(request, pk: int):
    scope = selectors.study_scope(request.user, classroom_id=pk)
    return _study_page(request, scope, title=scope.classroom.name, scope_query=f"classroom={pk}")


@login_required
def study_all(request):
    scope = selectors.study_scope(request.user)
    return _study_page(request, scope, title=_("Everything I study"), scope_query="")


def _scope_from_query(request):
    def number(name):
        raw = request.GET.get(name)
        if raw is None or raw == "":
            return None
        if not raw.isdigit():
            raise ValueError(name)
        return int(raw)

    return selectors.study_scope(
        request.user, set_id=number("set"), classroom_id=number("classroom")
    )


@login_required
def queue_json(request):
    """The next cards of a scope, each with its faces, state and rendered demo results."""
    try:
        scope = _scope_from_query(request)
        limit = min(selectors.MAX_QUEUE, max(1, int(request.GET.get("limit", QUEUE_AHEAD))))
    except ValueError:
        return JsonResponse({"detail": _("Bad study request.")}, status=400)
    services.ensure_cards(set_ids=scope.set_ids)
    now = timezone.now()
    settings_row = StudySettings.objects.filter(student=request.user).first()
    mode = _mode(request)
    if mode == "cram":
        queue = selectors.cram_queue(request.user, scope.set_ids, limit=limit, now=now)
    else:
        queue = selectors.study_queue(
            request.user, scope.set_ids, limit=limit, now=now, settings_row=settings_row
        )
    scheduler = scheduling.StudyScheduler(services.scheduler_config(settings_row))
    demos = demo_results_for_questions({e.card.question_id for e in queue.entries})
    cards = []
    for entry in queue.entries:
        payload = entry_payload(entry, scheduler, now)
        shown = demos.get(entry.card.question_id)
        payload["demos_html"] = (
            render_to_string("frontend/quizzes/_demo_results.html", {"demos": shown})
            if shown
            else ""
        )
        cards.append(payload)
    return JsonResponse({"mode": mode, "cards": cards, "counts": queue.counts})


@login_required
def statistics_page(request):
    try:
        scope = _scope_from_query(request)
    except ValueError:
        scope = selectors.study_scope(request.user)
    stats = selectors.student_statistics(request.user, scope.set_ids)
    context = {
        "scope": scope,
        "stats": stats,
        "forecast": _forecast_chart(stats["due_forecast"]),
        "heatmap": _heatmap(stats["heatmap"], stats["today"]),
        "nav": "dashboard",
    }
    return render(request, "frontend/study/statistics.html", context)


def _forecast_chart(days: list[dict]) -> dict:
    """Bars of an inline SVG chart: 30 days, heights scaled to the busiest day."""
    peak = max((d["due"] for d in days), default=0) or 1
    width, height, gap = 20, 120, 4
    bars = []
    for index, day in enumerate(days):
        bar_height = round(day["due"] / peak * height, 1)
        bars.append(
            {
                **day,
                "x": index * (width + gap),
                "y": round(height - bar_height, 1),
                "height": bar_height,
                "width": width,
            }
        )
    return {
        "bars": bars,
        "width": len(days) * (width + gap),
        "height": height,
        "peak": peak if any(d["due"] for d in days) else 0,
        "total": sum(d["due"] for d in days),
    }


def _heatmap(heatmap: dict, today: str) -> dict:
    """A year of days as week columns (Monday first), each with a level 0–4 for its colour."""
    from datetime import date, timedelta

    counts = {d["date"]: d["reviews"] for d in heatmap["days"]}
    start = date.fromisoformat(heatmap["start"])
    end = date.fromisoformat(today)
    start -= timedelta(days=start.weekday())
    peak = max(counts.values(), default=0)
    cells = []
    day = start
    while day <= end:
        count = counts.get(day.isoformat(), 0)
        level = 0 if not count else min(4, 1 + int(3 * count / peak)) if peak else 0
        cells.append({"date": day.isoformat(), "count": count, "level": level})
        day += timedelta(days=1)
    return {
        "cells": cells,
        "days_studied": len(counts),
        "reviews": sum(counts.values()),
        "busiest": max(heatmap["days"], key=lambda d: d["reviews"]) if heatmap["days"] else None,
    }


# --- the dashboard's study section and the study buttons on set and class pages -------------

DASHBOARD_SETS = 12


def dashboard_section(user) -> dict:
    """Due today per set and the streak, for students (an instructor's dashboard skips it)."""
    if user.is_instructor:
        return {}
    scope = selectors.study_scope(user)
    set_ids = scope.set_ids[:DASHBOARD_SETS]
    if not set_ids:
        return {"study": {"sets": [], "streak": {"current": 0, "longest": 0}}}
    from flashcards.models import QuestionSet

    settings_row = StudySettings.objects.filter(student=user).first()
    titles = dict(QuestionSet.objects.filter(pk__in=set_ids).values_list("pk", "title"))
    rows = []
    for set_id in set_ids:
        queue = selectors.study_queue(user, [set_id], limit=0, settings_row=settings_row)
        due = queue.counts["learning"] + queue.counts["review"]
        rows.append({"id": set_id, "title": titles[set_id], "due": due, "new": queue.counts["new"]})
    stats = selectors.student_statistics(user, scope.set_ids)
    return {
        "study": {
            "sets": rows,
            "streak": stats["streak"],
            "reviews_today": stats["reviews_today"],
            "due_total": sum(r["due"] for r in rows),
        }
    }


def study_set_actions(user, question_set) -> list[dict]:
    url = reverse("study-set", args=[question_set.pk])
    return [
        {"label": _("Study this set"), "url": url},
        {"label": _("Cram (schedule untouched)"), "url": f"{url}?mode=cram"},
    ]
