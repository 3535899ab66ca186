from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.views import (
    accounts,
    classes,
    dashboard,
    demo_live,
    demos,
    editor,
    email_address,
    imports,
    invitations,
    passwords,
    personal_data,
    quiz_authoring,
    quiz_grading,
    quiz_taking,
    quizzes,
    sets,
    study,
)

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
    path("quizzes/new/", quiz_authoring.quiz_create, name="quiz-create"),
    path("quizzes/<int:pk>/", quizzes.quiz_page, name="quiz-page"),
    path("quizzes/<int:pk>/settings/", quiz_authoring.quiz_settings, name="quiz-settings"),
    path("quizzes/<int:pk>/start/", quiz_taking.quiz_start, name="quiz-start"),
    path("quizzes/<int:pk>/analytics/", quiz_grading.quiz_analytics, name="quiz-analytics"),
    path("quizzes/<int:pk>/grading/", quiz_grading.quiz_grading, name="quiz-grading"),
    path("quizzes/<int:pk>/regrade/", quiz_grading.quiz_regrade, name="quiz-regrade"),
    path("attempts/<int:pk>/", quiz_taking.attempt_take, name="attempt-page"),
    path("attempts/<int:pk>/submit/", quiz_taking.attempt_submit, name="attempt-finish"),
    path("attempts/<int:pk>/review/", quiz_grading.attempt_review, name="attempt-review-page"),
    path(
        "attempts/<int:pk>/answers/<int:slot>/",
        quiz_taking.attempt_autosave,
        name="attempt-autosave",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/check/",
        quiz_taking.attempt_check,
        name="attempt-check",
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/rate/", quiz_grading.attempt_rate, name="attempt-rate"
    ),
    path(
        "attempts/<int:pk>/answers/<int:slot>/grade/",
        quiz_grading.answer_grade,
        name="answer-grade",
    ),
    path("imports/new/", imports.import_start, name="import-start"),
    path("imports/<uuid:pk>/preview/", imports.import_preview, name="import-preview"),
    path("imports/<uuid:pk>/import/", imports.import_confirm, name="import-wizard-confirm"),
]

urlpatterns += [
    path("study/", study.study_all, name="study-all"),
    path("study/sets/<int:pk>/", study.study_set, name="study-set"),
    path("study/classes/<int:pk>/", study.study_class, name="study-class"),
    path("study/queue/", study.queue_json, name="study-queue"),
    path("study/reviews/", study.review_json, name="study-page-review"),
    path("study/undo/", study.undo_json, name="study-page-undo"),
    path("study/statistics/", study.statistics_page, name="study-statistics-page"),
    path("demos/", demos.demo_list, name="demo-list-page"),
    path("demos/draw/", demos.draw_digit, name="demo-draw"),
    path("demos/<slug:slug>/", demos.demo_page, name="demo-page"),
    path("demos/<slug:slug>/live/", demo_live.demo_live_run, name="demo-live-run"),
    path("demo-runs/<int:pk>/panel/", demos.run_panel, name="demo-run-panel"),
    path("questions/<int:pk>/demos/", demos.question_demos, name="question-demos-page"),
    path(
        "questions/<int:pk>/demos/fields/",
        demos.question_demo_fields,
        name="question-demo-fields",
    ),
    path(
        "demo-attachments/<int:pk>/delete/",
        demos.attachment_delete,
        name="demo-attachment-delete",
    ),
]

# Accounts (issue 22): passwords, email address, your data, instructor invitations.
urlpatterns += [
    path(
        "accounts/password/change/",
        passwords.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/password/reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        passwords.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/email/", email_address.email_page, name="email-address"),
    path("accounts/email/verify/<str:token>/", email_address.verify, name="email-verify"),
    path("accounts/data/", personal_data.data_page, name="personal-data"),
    path("accounts/data/export.json", personal_data.data_export, name="personal-data-export"),
    path("accounts/data/delete/", personal_data.account_delete, name="account-delete"),
    path("accounts/invitations/", invitations.invitation_list, name="invitation-list"),
    path(
        "accounts/invitations/<str:token>/",
        invitations.invitation_accept,
        name="invitation-accept",
    ),
]
