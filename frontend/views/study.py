"""Studying in the browser: the session page, its queue and rating endpoints, and statistics.

The session page is one small ES module (`study.js`) that keeps a few cards ahead and shows
the next one the moment a rating key is pressed.  A card costs one request: the rating goes
to `review_json`, whose answer carries the scope's next cards, so the page tops up its queue
from it; `queue_json` fills the queue when the page opens, and `undo_json` answers with the
restored card and the corrected counts.  All three are the study API's own answers
(`flashcards.api.study`, built by `flashcards.study_payload`) plus each card's demo results,
rendered here once per batch so the page does not fetch them on reveal.  Session
authentication and Django's CSRF check apply, as to every page form.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from flashcards.api.study import next_answer, review_answer, undo_answer
from flashcards.api.study_serializers import NextSerializer, ReviewSerializer, UndoSerializer
from flashcards.scheduling.ratings import RATING_LABELS
from flashcards.selectors import study as selectors
from flashcards.selectors import study_statistics as statistics
from training.selectors.results import demo_results_for_questions

QUEUE_AHEAD = 8  # cards the page keeps in hand: enough to never wait on the network


def _mode(request) -> str:
    return "cram" if request.GET.get("mode") == "cram" else "study"


def _study_page(request, scope, *, title: str, scope_query: str, scope_data: dict):
    mode = _mode(request)
    context = {
        "title": title,
        "scope": scope,
        "mode": mode,
        "scope_query": scope_query,
        "scope_json": {**scope_data, "mode": mode},
        "queue_url": f"{reverse('study-queue')}?{scope_query}&mode={mode}",
        "statistics_url": f"{reverse('study-statistics-page')}?{scope_query}",
        "ratings": RATINGS,
        "queue_ahead": QUEUE_AHEAD,
        "nav": "study",
    }
    return render(request, "frontend/study/session.html", context)


# The five ratings, as the design names them; the keys are the digits.
RATINGS = [(str(value), label) for value, label in RATING_LABELS.items()]


@login_required
def study_set(request, pk: int):
    scope = selectors.study_scope(request.user, set_id=pk)
    return _study_page(
        request,
        scope,
        title=scope.question_set.title,
        scope_query=f"set={pk}",
        scope_data={"set": pk},
    )


@login_required
def study_class(request, pk: int):
    scope = selectors.study_scope(request.user, classroom_id=pk)
    return _study_page(
        request,
        scope,
        title=scope.classroom.name,
        scope_query=f"classroom={pk}",
        scope_data={"classroom": pk},
    )


@login_required
def study_all(request):
    scope = selectors.study_scope(request.user)
    return _study_page(request, scope, title=_("Everything I study"), scope_query="", scope_data={})


def _with_demos(cards: list[dict]) -> None:
    """Each card's rendered demo results, for the whole batch in one look-up."""
    if not cards:
        return
    demos = demo_results_for_questions({c["card"]["question"]["id"] for c in cards})
    for payload in cards:
        shown = demos.get(payload["card"]["question"]["id"])
        payload["demos_html"] = (
            render_to_string("frontend/quizzes/_demo_results.html", {"demos": shown})
            if shown
            else ""
        )


def _bad_request(errors) -> JsonResponse:
    return JsonResponse({"detail": _("Bad study request."), "errors": errors}, status=400)


def _json_body(request) -> dict | None:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@require_GET
@login_required
def queue_json(request):
    """The next cards of a scope (`?set=`, `?classroom=` or everything), with their demos."""
    params = NextSerializer(
        data={"limit": QUEUE_AHEAD, **request.GET.dict(), "held": request.GET.getlist("held")}
    )
    if not params.is_valid():
        return _bad_request(params.errors)
    answer = next_answer(request.user, params.validated_data)
    _with_demos(answer["cards"])
    return JsonResponse(answer)


@require_POST
@login_required
def review_json(request):
    """A rating from the page; the answer carries the scope's next cards, with their demos."""
    data = _json_body(request)
    body = ReviewSerializer(data=data) if data is not None else None
    if body is None or not body.is_valid():
        return _bad_request(body.errors if body is not None else {})
    answer, code = review_answer(request.user, body.validated_data)
    if "next" in answer:
        _with_demos(answer["next"]["cards"])
    return JsonResponse(answer, status=code)


@require_POST
@login_required
def undo_json(request):
    """Undo from the page: the restored card (with its demos) and the scope's counts."""
    data = _json_body(request)
    body = UndoSerializer(data=data) if data is not None else None
    if body is None or not body.is_valid():
        return _bad_request(body.errors if body is not None else {})
    answer, code = undo_answer(request.user, body.validated_data)
    if answer.get("entry"):
        _with_demos([answer["entry"]])
    return JsonResponse(answer, status=code)


def _scope_from_query(request):
    params = NextSerializer(data=request.GET.dict())
    if not params.is_valid():
        raise ValueError(params.errors)
    data = params.validated_data
    return selectors.study_scope(
        request.user, set_id=data.get("set"), classroom_id=data.get("classroom")
    )


@login_required
def statistics_page(request):
    try:
        scope = _scope_from_query(request)
    except ValueError:
        scope = selectors.study_scope(request.user)
    stats = statistics.student_statistics(request.user, scope.set_ids)
    context = {
        "scope": scope,
        "stats": stats,
        "forecast": _forecast_chart(stats["due_forecast"]),
        "heatmap": _heatmap(stats["heatmap"], stats["today"]),
        "nav": "study",
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

    titles = dict(QuestionSet.objects.filter(pk__in=set_ids).values_list("pk", "title"))
    counts = statistics.counts_by_set(user, set_ids)
    rows = []
    for set_id in set_ids:
        due = counts[set_id]["learning"] + counts[set_id]["review"]
        rows.append(
            {"id": set_id, "title": titles[set_id], "due": due, "new": counts[set_id]["new"]}
        )
    stats = statistics.student_statistics(user, scope.set_ids)
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
