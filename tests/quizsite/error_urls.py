"""The project's URLs plus two views that fail, to see the 500 answers (tests only)."""

from django.urls import path

from quizsite.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("api/boom/", boom), path("boom/", boom), *urlpatterns]
