"""Every REST route of the quizzes app, mounted under /api/ by quizsite.urls with the
namespace `quizzes` (reverse("quizzes:quiz-detail", args=[pk]))."""

from django.urls import path

from quizzes.api import attempts as attempt_api
from quizzes.api import quizzes as quiz_api

app_name = "quizzes"

urlpatterns = [
    path("quizzes/", quiz_api.QuizListCreateView.as_view(), name="quiz-list"),
    path("quizzes/<int:pk>/", quiz_api.QuizDetailView.as_view(), name="quiz-detail"),
    path(
        "quizzes/<int:pk>/attempts/", attempt_api.QuizAttemptsView.as_view(), name="quiz-attempts"
    ),
    path(
        "quizzes/<int:pk>/statistics/",
        quiz_api.QuizStatisticsView.as_view(),
        name="quiz-statistics",
    ),
    path(
        "quizzes/<int:pk>/grading-queue/",
        quiz_api.GradingQueueView.as_view(),
        name="quiz-grading-queue",
    ),
    path("quizzes/<int:pk>/regrade/", quiz_api.RegradeView.as_view(), name="quiz-regrade-api"),
    path(
        "quizzes/<int:pk>/gradebook.csv", quiz_api.GradebookCsvView.as_view(), name="quiz-gradebook"
    ),
    path("attempts/", attempt_api.AttemptListView.as_view(), name="attempt-list"),
    path("attempts/<int:pk>/", attempt_api.AttemptDetailView.as_view(), name="attempt-detail"),
    path(
        "attempts/<int:pk>/review/", attempt_api.AttemptReviewView.as_view(), name="attempt-review"
    ),
    path("attempts/<int:pk>/submit/", attempt_api.SubmitView.as_view(), name="attempt-submit"),
    path(
        "attempts/<int:pk>/answers/<int:slot>/",
        attempt_api.AnswerView.as_view(),
        name="attempt-answer",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/check/",
        attempt_api.CheckAnswerView.as_view(),
        name="attempt-answer-check",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/self-rating/",
        attempt_api.SelfRatingView.as_view(),
        name="attempt-answer-self-rating",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/grade/",
        attempt_api.InstructorGradeView.as_view(),
        name="attempt-answer-grade",
    ),
]
