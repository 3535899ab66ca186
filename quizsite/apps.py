from django.apps import AppConfig


class QuizsiteConfig(AppConfig):
    """The project package as an app, so Celery autodiscovers `quizsite.tasks`."""

    name = "quizsite"
    verbose_name = "quizsite"
