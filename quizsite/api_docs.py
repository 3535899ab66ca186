"""The API's interactive docs, served entirely from the site's own static files.

drf-spectacular-sidecar ships Swagger UI and Redoc; the split Swagger view serves its start-up
code as a script file rather than inline; Redoc's page drops the Google Fonts the package's
template links, so `/api/docs/` and `/api/redoc/` work with no internet and under a strict CSP.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularRedocView


class OfflineRedocView(SpectacularRedocView):
    template_name = "quizsite/redoc.html"
