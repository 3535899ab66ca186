from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from flashcards.views import question_media
from quizsite import health

# The interactive docs load Swagger UI from its CDN; the split view serves its start-up
# script as a file, so the page needs no inline script either.
SWAGGER_UI_CDN = "https://cdn.jsdelivr.net"
api_docs = csp_update(
    {"script-src": [SWAGGER_UI_CDN], "style-src": [SWAGGER_UI_CDN], "img-src": [SWAGGER_UI_CDN]}
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/", include("flashcards.urls")),
    path("api/", include("training.urls")),
    path("api/", include("quizzes.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
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
