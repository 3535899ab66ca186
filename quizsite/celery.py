"""The Celery application.

Configuration lives in Django settings under the CELERY_ namespace so that one environment
(DATABASE_URL, REDIS_URL, ...) describes both the web process and the workers.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")

app = Celery("quizsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
