"""`manage.py email_destination`: one line saying where the site's emails go (for scripts/run)."""

from django.conf import settings
from django.core.management.base import BaseCommand

BACKENDS = {
    "django.core.mail.backends.filebased.EmailBackend": "written as files to {path}",
    "django.core.mail.backends.console.EmailBackend": "printed on the console",
    "django.core.mail.backends.smtp.EmailBackend": "sent through SMTP at {host}:{port}",
    "django.core.mail.backends.locmem.EmailBackend": "kept in memory (tests)",
    "django.core.mail.backends.dummy.EmailBackend": "dropped",
}


def destination() -> str:
    template = BACKENDS.get(settings.EMAIL_BACKEND, "sent by " + settings.EMAIL_BACKEND)
    return template.format(
        path=settings.EMAIL_FILE_PATH, host=settings.EMAIL_HOST, port=settings.EMAIL_PORT
    )


class Command(BaseCommand):
    help = "Say where emails (password resets, address checks) go with these settings."

    def handle(self, *args, **options):
        self.stdout.write(destination())
