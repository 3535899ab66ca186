"""The load benchmark's URLconf: the site's own routes plus its yardstick.

`/api/study/ping/` answers a constant JSON document without touching the database or the
session, so the benchmark can measure what the server, Django and the network cost a request
before any study code runs.  It exists only while benchmarking (the benchmark's server runs
with `benchmarks.settings`), never in the production API.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def ping(request: HttpRequest) -> JsonResponse:
    """A trivial JSON endpoint (no database, no session): the load benchmark's yardstick."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("api/study/ping/", ping, name="benchmark-ping"),
    path("", include("quizsite.urls")),
]
