"""A signed-in person's language setting beats the browser's Accept-Language header, and
their time zone is the one dates are shown and typed in (quiz open and close times)."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """Runs after AuthenticationMiddleware; LocaleMiddleware has already chosen from the
    cookie or the browser, so only an explicit account setting overrides it here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language in SUPPORTED:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        zone = getattr(user, "time_zone", "") if user and user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone)) if zone else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
