"""`manage.py lti_tool_key [--rotate]`: make (or replace) the tool's key pair and print its
public key id.  A thin adapter over `lti.services.keys`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lti.services import keys


class Command(BaseCommand):
    help = "Create the LTI tool's RSA key pair if it has none (or --rotate it); print its kid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rotate", action="store_true", help="replace the key pair")

    def handle(self, *args: Any, **options: Any) -> None:
        key = keys.rotate_site_key() if options["rotate"] else keys.site_key()
        self.stdout.write(f"LTI tool key {key.name!r}, kid {keys.public_kid(key)}")
