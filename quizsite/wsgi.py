import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
application = get_wsgi_application()


def _report_static_files() -> None:
    """Say at start-up, in a sentence, when static files were not collected (see storage)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    problem = getattr(staticfiles_storage, "manifest_problem", None)
    sentence = problem() if problem else None
    if sentence:
        logging.getLogger("quizsite.static").error(sentence)


_report_static_files()
