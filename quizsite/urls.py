from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from flashcards.views import question_media
from quizsite import health
from quizsite.api_docs import OfflineRedocView


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links; send them to the static icon
    (resolved per request: the hashed static name exists only after collectstatic)."""
    return HttpResponsePermanentRedirect(static("frontend/favicon.ico"))


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a script file, not inline.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", OfflineRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Browsers ask for /favicon.ico whatever the page says; send them to the static icon.
    path("favicon.ico", favicon, name="favicon"),
    path("api/", include("flashcards.api.urls")),
    path("api/", include("training.api.urls")),
    path("api/", include("quizzes.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("lti/", include("lti.urls")),
    path(
        "media/question-media/<str:shard>/<str:digest>/<str:name>",
        question_media,
        name="question-media",
    ),
    path("", include("frontend.urls")),
]

handler400 = "quizsite.errors.bad_request"
handler403 = "quizsite.errors.permission_denied"
handler404 = "quizsite.errors.page_not_found"
handler500 = "quizsite.errors.server_error"
