"""Every REST route of the demos, mounted under /api/ by quizsite.urls with the namespace
`training` (reverse("training:demo-runs", args=[slug]))."""

from django.urls import path

from training.api import views as api

app_name = "training"

urlpatterns = [
    path("demos/", api.DemoListView.as_view(), name="demo-list"),
    path("demos/<slug:slug>/", api.DemoDetailView.as_view(), name="demo-detail"),
    path("demos/<slug:slug>/runs/", api.DemoRunRequestView.as_view(), name="demo-runs"),
    path("demo-runs/<int:run_id>/", api.DemoRunDetailView.as_view(), name="run-detail"),
    path(
        "demo-runs/<int:run_id>/figures/<slug:name>.svg",
        api.DemoRunFigureView.as_view(),
        name="run-figure",
    ),
    path(
        "questions/<int:question_id>/demos/",
        api.QuestionDemosView.as_view(),
        name="question-demos",
    ),
    path(
        "demo-attachments/<int:attachment_id>/",
        api.AttachmentDetailView.as_view(),
        name="attachment-detail",
    ),
    path(
        "demo-attachments/<int:attachment_id>/runs/",
        api.AttachmentRunView.as_view(),
        name="attachment-runs",
    ),
    path("digit-predictions/", api.DigitPredictionView.as_view(), name="digit-prediction"),
]
