"""Live re-runs on a demo page: a cheap demo (`Demo.live`) runs again as the student moves a
slider or changes a select, and the result panel alone comes back.

The form posts here through htmx after a pause in the input (`delay:400ms`), and a newer
request replaces one still in flight (`hx-sync="this:replace"`).  The run goes through
`request_run` like every other one: a result computed before comes back at once, a new one
counts against the per-user limits (DEMO_RUNS_PER_MINUTE, DEMO_ACTIVE_RUNS_PER_USER), and
past them the panel says so quietly, in place of the result, instead of an error page.
Training demos are never live: each of their runs takes minutes of a worker.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from frontend.views.demos import raw_params
from training.params import DemoParameterError
from training.registry import get_demo
from training.selectors.results import run_result
from training.services.runs import RateLimited, request_run

NOTE = "frontend/demos/_live_note.html"


@require_POST
def demo_live_run(request, slug: str):
    try:
        demo = get_demo(slug)
    except LookupError:
        raise Http404 from None
    if not demo.live:
        raise Http404
    if not request.user.is_authenticated:
        raise PermissionDenied
    values = raw_params(demo, request.POST)
    try:
        requested = request_run(demo_slug=demo.slug, params=values, user=request.user)
    except DemoParameterError as error:
        # 422: the page swaps it in like a success (base.html), where the result was.
        problems = [
            (_label(demo, name), message)
            for name, messages in error.errors.items()
            for message in messages
        ]
        context = {"state": "invalid", "problems": problems}
        return render(request, NOTE, context, status=422)
    except RateLimited as error:
        context = {"state": "throttled", "seconds": error.retry_after}
        response = render(request, NOTE, context, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    run = requested.run
    response = render(request, "frontend/demos/_run_panel.html", {"run": run_result(run)})
    # The address bar follows the result, so a reload or a shared link shows the same run.
    response["HX-Replace-Url"] = f"{reverse('demo-page', args=[demo.slug])}?run={run.pk}"
    return response


def _label(demo, name: str) -> str:
    for entry in demo.schema.describe():
        if entry["name"] == name:
            return str(entry["label"])
    return ""
