from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.views import accounts, classes, dashboard, editor, sets

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
]
