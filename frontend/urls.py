from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.views import accounts, classes, dashboard, editor, imports, quizzes, sets

urlpatterns = [
    path("", accounts.home, name="home"),
    path("accounts/signup/", accounts.sign_up, name="signup"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", accounts.preferences, name="settings"),
    path("language/", accounts.set_language, name="set-language"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("sets/", sets.set_list, name="set-list"),
    path("sets/<int:pk>/", sets.set_detail, name="set-detail"),
    path("sets/new/", editor.set_create, name="set-create"),
    path("sets/<int:pk>/edit/", editor.set_edit, name="set-edit"),
    path("sets/<int:set_pk>/questions/new/", editor.question_create, name="question-create"),
    path("questions/<int:pk>/edit/", editor.question_edit, name="question-edit"),
    path("preview/", editor.preview, name="preview"),
    path("classes/join/", classes.join_class, name="class-join"),
    path("classes/", classes.class_list, name="class-list"),
    path("classes/<int:pk>/", classes.class_detail, name="class-detail"),
    path("quizzes/", quizzes.quiz_list, name="quiz-home"),
    path("quizzes/new/", quizzes.quiz_create, name="quiz-create"),
    path("quizzes/<int:pk>/", quizzes.quiz_page, name="quiz-page"),
    path("quizzes/<int:pk>/settings/", quizzes.quiz_settings, name="quiz-settings"),
    path("quizzes/<int:pk>/start/", quizzes.quiz_start, name="quiz-start"),
    path("quizzes/<int:pk>/analytics/", quizzes.quiz_analytics, name="quiz-analytics"),
    path("quizzes/<int:pk>/grading/", quizzes.quiz_grading, name="quiz-grading"),
    path("attempts/<int:pk>/", quizzes.attempt_take, name="attempt-page"),
    path("attempts/<int:pk>/submit/", quizzes.attempt_submit, name="attempt-finish"),
    path("attempts/<int:pk>/review/", quizzes.attempt_review, name="attempt-review-page"),
    path(
        "attempts/<int:pk>/answers/<int:slot>/",
        quizzes.attempt_autosave,
        name="attempt-autosave",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/check/",
        quizzes.attempt_check,
        name="attempt-check",
    ),
    path("attempts/<int:pk>/answers/<int:slot>/rate/", quizzes.attempt_rate, name="attempt-rate"),
    path("attempts/<int:pk>/answers/<int:slot>/grade/", quizzes.answer_grade, name="answer-grade"),
    path("imports/new/", imports.import_start, name="import-start"),
    path("imports/<uuid:pk>/preview/", imports.import_preview, name="import-preview"),
    path("imports/<uuid:pk>/import/", imports.import_confirm, name="import-wizard-confirm"),
]
