"""The API's interactive docs, served entirely from the site's own static files.

drf-spectacular-sidecar ships Swagger UI and Redoc; the split Swagger view serves its start-up
code as a script file rather than inline; Redoc's page drops the Google Fonts the package's
template links, so `/api/docs/` and `/api/redoc/` work with no internet and under a strict CSP.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView

# Redoc parses the schema in a Web Worker made from a blob: URL, and its side menu always
# shows Redocly's attribution logo from their CDN (it hides itself when that fails, as it
# does offline).  Only this page gets those two exceptions; scripts stay 'self' alone.
REDOC_POLICY = {"worker-src": ["'self'", "blob:"], "img-src": ["https://cdn.redoc.ly"]}


@method_decorator(csp_update(REDOC_POLICY), name="get")
class OfflineRedocView(SpectacularRedocView):
    template_name = "quizsite/redoc.html"
