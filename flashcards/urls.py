"""REST API routes of this app; mounted under /api/ by quizsite.urls."""

from django.urls import include, path

urlpatterns: list = [
    path("study/", include("flashcards.api.study")),
]
