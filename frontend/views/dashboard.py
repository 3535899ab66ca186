"""The signed-in home page: what to do today, and where things are."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from flashcards.selectors.content import sets_visible_to
from frontend.sections import DASHBOARD_SECTIONS


@login_required
def dashboard(request):
    user = request.user
    context = {
        "nav": "dashboard",
        "classes": user.classrooms.select_related("owner").order_by("name"),
        "owned_classes": (user.owned_classrooms.order_by("name") if user.is_instructor else None),
        "sets": sets_visible_to(user).select_related("owner").order_by("title")[:12],
    }
    for section in DASHBOARD_SECTIONS:
        context.update(section(user))
    return render(request, "frontend/dashboard.html", context)
