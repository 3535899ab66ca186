"""REST API routes of this app; mounted under /api/ by quizsite.urls."""

urlpatterns: list = []
