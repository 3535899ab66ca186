"""`POST /api/auth/token/`: DRF's token endpoint, throttled per address and per account."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings

from flashcards import throttles


class ObtainTokenView(ObtainAuthToken):
    throttle_classes = list(throttles.SIGN_IN)
    # DRF's view pins its own parsers and renderer; these are the project's (error shape,
    # hostile-body refusals).
    # api_settings resolves the settings' dotted paths to classes; the stubs type the raw
    # setting (strings), hence the ignores.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # type: ignore[assignment]
    renderer_classes = api_settings.DEFAULT_RENDERER_CLASSES  # type: ignore[assignment]

    def throttled(self, request, wait):
        seconds = max(1, int(wait or 1))
        raise exceptions.Throttled(wait=seconds, detail=throttles.lockout_message(seconds))


obtain_auth_token = ObtainTokenView.as_view()
