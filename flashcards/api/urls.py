"""Every REST route of the flashcards app, mounted under /api/ by quizsite.urls with the
namespace `flashcards` (reverse("flashcards:study-next"))."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from flashcards.api import imports as import_api
from flashcards.api import study
from flashcards.api.auth import obtain_auth_token
from flashcards.api.classes import ClassroomViewSet
from flashcards.api.content import (
    MeView,
    QuestionSetViewSet,
    QuestionViewSet,
    SetQuestionsView,
)

app_name = "flashcards"

router = SimpleRouter()
router.register("sets", QuestionSetViewSet, basename="questionset")
router.register("questions", QuestionViewSet, basename="question")
router.register("classes", ClassroomViewSet, basename="classroom")

study_patterns = [
    path("next/", study.NextCardsView.as_view(), name="study-next"),
    path("reviews/", study.ReviewView.as_view(), name="study-review"),
    path("undo/", study.UndoView.as_view(), name="study-undo"),
    path("cards/<int:card_id>/bury/", study.BuryView.as_view(), name="study-bury"),
    path("cards/<int:card_id>/suspend/", study.SuspendView.as_view(), name="study-suspend"),
    path("cards/<int:card_id>/flag/", study.FlagView.as_view(), name="study-flag"),
    path("statistics/", study.StatisticsView.as_view(), name="study-statistics"),
    path("leeches/", study.LeechesView.as_view(), name="study-leeches"),
    path(
        "classrooms/<int:classroom_id>/statistics/",
        study.ClassroomStatisticsView.as_view(),
        name="study-classroom-statistics",
    ),
    path("settings/", study.SettingsView.as_view(), name="study-settings"),
    path("optimise/", study.OptimiseView.as_view(), name="study-optimise"),
]

urlpatterns = [
    path("study/", include(study_patterns)),
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
    *router.urls,
]
