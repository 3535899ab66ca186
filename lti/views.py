"""The tool's endpoints: its keys (JWKS), OIDC login initiation, the launch, and the second
step of deep linking.  Thin: the protocol is `lti.protocol` (the library), what a launch does
is `lti.services.launches`.

The login and launch are cross-site requests from the platform, protected by the OIDC state
and nonce rather than Django's CSRF cookie (which a cross-site POST does not carry); the
deep-linking answer is posted from the picker the launch showed, and is protected by the
launch's id, a one-use random capability that only that picker page holds.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import login as sign_in
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flashcards.models import User
from lti import deep_linking, refusals
from lti.models import LtiIdentity
from lti.protocol import MessageLaunch, OIDCLogin, ToolConf, launch_says_instructor
from lti.services import keys, launches

logger = logging.getLogger(__name__)


def refused(request: HttpRequest, refusal: refusals.LaunchRefused) -> HttpResponse:
    logger.warning("LTI launch refused (%s): %s", refusal.code, refusal)
    context = {"title": refusal.title, "message": refusal.message, "code": refusal.code}
    return render(request, "lti/refused.html", context, status=refusal.status)


def _launch_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("lti:launch"))


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys, which platforms check its signed messages with."""
    keys.site_key()
    return JsonResponse(ToolConf().get_jwks())


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """OIDC login initiation: the platform names itself; we send the browser back to it with
    a state (in a cookie) and a nonce (in the cache), which the launch must return."""
    try:
        return OIDCLogin(request).redirect_to_platform(_launch_url(request))
    except refusals.LaunchRefused as refusal:
        return refused(request, refusal)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@csrf_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        message = MessageLaunch(request)
        message.validate()
        tool = message.registered_tool()
        claims = message.claims()
        instructor = launch_says_instructor(claims)
        if message.is_deep_link_launch():
            if not instructor:
                raise refusals.InstructorsOnly("deep-linking launch without an instructor role")
            user = launches.account_for_launch(issuer=tool.issuer, claims=claims, instructor=True)
            return _picker(request, message, user)
        if not message.is_resource_launch():
            raise refusals.LaunchRefused("a message type this tool does not handle")
        user = launches.account_for_launch(issuer=tool.issuer, claims=claims, instructor=instructor)
        destination = launches.open_activity(tool=tool, claims=claims, user=user)
    except refusals.LaunchRefused as refusal:
        return refused(request, refusal)
    # The site's one backend (flashcards.auth_backends): a session that names another is
    # not signed in.
    sign_in(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return redirect(destination.url_name, destination.pk)


def _framable_by_platform(response: HttpResponse, message: MessageLaunch) -> HttpResponse:
    """Platforms show content selection in a frame of their own page: allow that one."""
    tool = message.registered_tool()
    origins = sorted({_origin(tool.auth_login_url), _origin(tool.issuer)})
    response._csp_replace = {"frame-ancestors": origins}  # type: ignore[attr-defined]
    response.xframe_options_exempt = True
    return response


def _picker(
    request: HttpRequest, message: MessageLaunch, user: User, *, error: str = ""
) -> HttpResponse:
    context = {
        "choices": deep_linking.choices(user),
        "launch_id": message.get_launch_id(),
        "error": error,
        "platform": message.registered_tool().title,
    }
    status = 422 if error else 200
    return _framable_by_platform(render(request, "lti/pick.html", context, status=status), message)


def _launch_user(message: MessageLaunch) -> User | None:
    claims = message.claims()
    identity = LtiIdentity.objects.filter(
        issuer=message.get_iss(), subject=claims.get("sub", "")
    ).select_related("user")
    found = identity.first()
    return found.user if found else None


@csrf_exempt
@never_cache
@require_POST
def deep_link_response(request: HttpRequest) -> HttpResponse:
    """The instructor's choice, answered to the platform with a signed JWT (auto-posted)."""
    launch_id = request.POST.get("launch_id", "")
    try:
        if not launch_id.startswith("lti1p3-launch-"):
            raise refusals.ExpiredLogin("no launch id")
        message = MessageLaunch.restore(launch_id, request)
        user = _launch_user(message)
        if not message.is_deep_link_launch() or not launch_says_instructor(message.claims()):
            raise refusals.InstructorsOnly("the launch is not an instructor's deep link")
        if user is None:
            raise refusals.ExpiredLogin("the launch's account is gone")
        picked = deep_linking.chosen(user, request.POST.get("content", ""))
        if picked is None:
            return _picker(request, message, user, error="choose")
        ref, title = picked
        if not message.forget():  # one answer per request from the platform
            raise refusals.ReplayedLaunch("this deep-linking request was answered already")
        return_url = deep_linking.return_url(message)
        token = deep_linking.response_jwt(
            launch=message, ref=ref, title=title, launch_url=_launch_url(request)
        )
    except refusals.LaunchRefused as refusal:
        return refused(request, refusal)
    response = render(
        request, "lti/deep_link_return.html", {"return_url": return_url, "jwt": token}
    )
    response._csp_update = {"form-action": [_origin(return_url)]}  # type: ignore[attr-defined]
    return _framable_by_platform(response, message)
