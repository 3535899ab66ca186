"""REST API routes of this app; mounted under /api/ by quizsite.urls."""

from django.urls import path

from flashcards.api import imports as import_api

urlpatterns: list = [
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
]
