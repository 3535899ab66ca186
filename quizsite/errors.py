"""Error answers outside the API views: 400/403/404/500 handlers and the API body limit.

Under `/api/` every error is JSON in the documented shape (quizsite.api_errors), so a client
that asks for an unknown path, or meets a bug, reads the same object it reads everywhere
else.  Elsewhere the error is a page in the site's style and the reader's language.  The
500 page does not extend the site's base template: whatever broke may be what that template
needs (the database for the user, the static manifest), so it stands alone.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from quizsite.api_errors import error_body

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(status_code: int, detail: str, code: str | None = None) -> JsonResponse:
    body = error_body({"detail": detail, **({"code": code} if code else {})}, status_code)
    return JsonResponse(body, status=status_code)


def _page(request, template: str, status_code: int, context: dict | None = None):
    try:
        html = loader.render_to_string(template, context or {}, request=request)
    except Exception:  # the page of an error must not become a second error
        logger.exception("could not render %s", template)
        return HttpResponse(
            _("Something went wrong on our side."), status=status_code, content_type="text/plain"
        )
    return HttpResponse(html, status=status_code)


@requires_csrf_token
def bad_request(request, exception=None):
    if is_api(request):
        return api_error(400, _("The request could not be understood."), "bad_request")
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    if is_api(request):
        return api_error(403, _("You do not have permission to do this."))
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api(request):
        return api_error(404, _("There is no API endpoint at %(path)s.") % {"path": request.path})
    return _page(request, "404.html", 404, {"request_path": request.path})


@requires_csrf_token
def server_error(request):
    if is_api(request):
        return api_error(500, _("Something went wrong on our side; it has been logged."))
    return _page(request, "500.html", 500)


class ApiBodyLimitMiddleware:
    """A JSON 413 for API requests whose declared body is larger than the API accepts.

    DRF reads JSON bodies from the raw stream, where Django's DATA_UPLOAD_MAX_MEMORY_SIZE is
    never checked, so without this a client could send any size.  Uploads (multipart, the
    import endpoint) may be as large as IMPORT_MAX_BYTES plus the form's own overhead.
    """

    MULTIPART_OVERHEAD = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            limit = self.limit_for(request)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return api_error(400, _("The Content-Length header is not a number."))
            if length > limit:
                return api_error(
                    413,
                    _(
                        "The request body is %(size)d bytes; this endpoint accepts at most "
                        "%(limit)d."
                    )
                    % {"size": length, "limit": limit},
                )
        return self.get_response(request)

    def limit_for(self, request) -> int:
        if request.content_type == "multipart/form-data":
            return settings.IMPORT_MAX_BYTES + self.MULTIPART_OVERHEAD
        return settings.API_MAX_BODY_BYTES
