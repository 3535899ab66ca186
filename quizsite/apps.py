from django.apps import AppConfig


class QuizsiteConfig(AppConfig):
    """The project package as an app: Celery autodiscovers `quizsite.tasks`, and Django finds
    the management commands that join several apps (`load_sample_content`)."""

    name = "quizsite"
    verbose_name = "quizsite"
