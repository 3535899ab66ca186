"""REST API routes of this app; mounted under /api/ by quizsite.urls."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from flashcards.api import imports as import_api
from flashcards.api.auth import obtain_auth_token
from flashcards.api.content import (
    ClassroomViewSet,
    MeView,
    QuestionSetViewSet,
    QuestionViewSet,
    SetQuestionsView,
)

router = SimpleRouter()
router.register("sets", QuestionSetViewSet, basename="questionset")
router.register("questions", QuestionViewSet, basename="question")
router.register("classes", ClassroomViewSet, basename="classroom")

urlpatterns = [
    path("study/", include("flashcards.api.study")),
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("sets/<int:set_id>/questions/", SetQuestionsView.as_view(), name="set-questions"),
    path("imports/", import_api.ImportListView.as_view(), name="import-list"),
    path("imports/<uuid:pk>/", import_api.ImportDetailView.as_view(), name="import-detail"),
    path(
        "imports/<uuid:pk>/confirm/",
        import_api.ImportConfirmView.as_view(),
        name="import-confirm",
    ),
    path(
        "exports/<int:pk>/<str:fmt>/", import_api.ExportView.as_view(), name="question-set-export"
    ),
    path("study/", include("flashcards.api.study")),
    *router.urls,
]
