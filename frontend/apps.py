from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "frontend"
    verbose_name = "Browser UI"

    def ready(self):
        # Feature pages register their dashboard sections, set actions and editor tools.
        from frontend.views import imports, quizzes  # noqa: F401
