"""Every REST route of the quizzes app, mounted under /api/ by quizsite.urls with the
namespace `quizzes` (reverse("quizzes:quiz-detail", args=[pk]))."""

from django.urls import path

from quizzes.api import views

app_name = "quizzes"

urlpatterns = [
    path("quizzes/", views.QuizListCreateView.as_view(), name="quiz-list"),
    path("quizzes/<int:pk>/", views.QuizDetailView.as_view(), name="quiz-detail"),
    path("quizzes/<int:pk>/attempts/", views.QuizAttemptsView.as_view(), name="quiz-attempts"),
    path(
        "quizzes/<int:pk>/statistics/", views.QuizStatisticsView.as_view(), name="quiz-statistics"
    ),
    path(
        "quizzes/<int:pk>/grading-queue/",
        views.GradingQueueView.as_view(),
        name="quiz-grading-queue",
    ),
    path("quizzes/<int:pk>/regrade/", views.RegradeView.as_view(), name="quiz-regrade-api"),
    path("quizzes/<int:pk>/gradebook.csv", views.GradebookCsvView.as_view(), name="quiz-gradebook"),
    path("attempts/", views.AttemptListView.as_view(), name="attempt-list"),
    path("attempts/<int:pk>/", views.AttemptDetailView.as_view(), name="attempt-detail"),
    path("attempts/<int:pk>/review/", views.AttemptReviewView.as_view(), name="attempt-review"),
    path("attempts/<int:pk>/submit/", views.SubmitView.as_view(), name="attempt-submit"),
    path(
        "attempts/<int:pk>/answers/<int:slot>/",
        views.AnswerView.as_view(),
        name="attempt-answer",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/check/",
        views.CheckAnswerView.as_view(),
        name="attempt-answer-check",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/self-rating/",
        views.SelfRatingView.as_view(),
        name="attempt-answer-self-rating",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/grade/",
        views.InstructorGradeView.as_view(),
        name="attempt-answer-grade",
    ),
]
