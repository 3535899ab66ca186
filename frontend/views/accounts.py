"""Signing up, signing in and out, preferences, and the language chooser."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from flashcards import throttles
from flashcards.services import accounts, email_addresses
from frontend.forms import PreferencesForm, SignInForm, SignUpForm, add_service_errors


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "frontend/home.html")


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = throttles.refusal(request, throttles.SIGN_IN)
        if wait is not None:
            return _locked_out(request, self, wait)
        return super().post(request, *args, **kwargs)


def _locked_out(request, view, wait: int):
    """The form again, unchecked (no password is tried), with the lockout sentence: 429."""
    form = view.get_form_class()(request, initial={"username": request.POST.get("username", "")})
    context = view.get_context_data(form=form, locked_out=throttles.lockout_message(wait))
    response = view.render_to_response(context, status=429)
    response["Retry-After"] = str(wait)
    return response


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    if request.method == "POST":
        wait = throttles.refusal(request, throttles.SIGN_UP)
        if wait is not None:
            form = SignUpForm(initial={"username": request.POST.get("username", "")})
            context = {
                "form": form,
                "locked_out": throttles.lockout_message(wait),
                "next": _safe_next(request),
            }
            response = render(request, "frontend/signup.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.sign_up(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Welcome, %(name)s!") % {"name": user.username})
            if user.email:
                email_addresses.send_verification(user=user, link_for=verification_link(request))
                messages.info(request, _("We have sent you a link to confirm your email address."))
            return redirect(_safe_next(request) or "dashboard")
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "frontend/signup.html", context, status=400 if form.errors else 200)


def verification_link(request):
    """The function that turns a verification token into this site's absolute link."""

    def link_for(token: str) -> str:
        return request.build_absolute_uri(reverse("email-verify", args=[token]))

    return link_for


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


@login_required
def preferences(request):
    user = request.user
    form = PreferencesForm(
        request.POST or None, initial={"language": user.language, "time_zone": user.time_zone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            accounts.update_preferences(user=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if user.language:
                translation.activate(user.language)
            messages.success(request, _("Your settings are saved."))
            response = redirect("settings")
            _set_language_cookie(response, user.language)
            return response
    status = 400 if form.errors else 200
    return render(
        request, "frontend/settings.html", {"form": form, "nav": "settings"}, status=status
    )


@require_POST
def set_language(request):
    """The header's chooser: remembers the choice on the account too, when signed in."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in accounts.SUPPORTED_LANGUAGES:
        accounts.update_preferences(
            user=request.user, language=language, time_zone=request.user.time_zone
        )
    return django_set_language(request)


def _set_language_cookie(response, language: str) -> None:
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
