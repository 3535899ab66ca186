"""Browsing the question sets a person may read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from flashcards.selectors.content import (
    can_edit_set,
    questions_with_hidden_keys,
    sets_visible_to,
)
from frontend.sections import SET_ACTIONS, SET_EXPORTS
from training.selectors.results import demo_results_for_questions


@login_required
def set_list(request):
    query = request.GET.get("q", "").strip()
    sets = (
        sets_visible_to(request.user)
        .select_related("owner")
        .annotate(question_count=Count("questions"))
    )
    if query:
        sets = sets.filter(Q(title__icontains=query) | Q(description__icontains=query))
    sets = sets.order_by("title")
    template = "frontend/sets/_results.html" if request.htmx else "frontend/sets/list.html"
    return render(request, template, {"sets": sets, "query": query, "nav": "sets"})


@login_required
def set_detail(request, pk: int):
    question_set = get_object_or_404(sets_visible_to(request.user).select_related("owner"), pk=pk)
    questions = list(question_set.questions.prefetch_related("choices").order_by("position", "id"))
    # Questions of a quiz the reader is taking keep their prompt but not their answer.
    hidden = set(
        questions_with_hidden_keys(request.user)
        .filter(question_set=question_set)
        .values_list("pk", flat=True)
    )
    demos = demo_results_for_questions([q.pk for q in questions if q.pk not in hidden])
    for question in questions:
        question.answer_hidden = question.pk in hidden
        question.demo_results = demos.get(question.pk, [])
    context = {
        "set": question_set,
        "questions": questions,
        "can_edit": can_edit_set(request.user, question_set),
        "set_actions": [
            action for provider in SET_ACTIONS for action in provider(request.user, question_set)
        ],
        "exports": []
        if hidden
        else [link for provider in SET_EXPORTS for link in provider(request.user, question_set)],
        "answers_hidden": len(hidden),
        "nav": "sets",
    }
    return render(request, "frontend/sets/detail.html", context)
