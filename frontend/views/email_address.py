"""The email address page (change it, send the confirmation link again) and the link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from flashcards import throttles
from flashcards.services import email_addresses
from frontend.forms import add_service_errors
from frontend.forms_accounts import EmailForm
from frontend.views.accounts import verification_link


@login_required
def email_page(request):
    user = request.user
    form = EmailForm(request.POST or None, initial={"email": user.email})
    status = 200
    if request.method == "POST":
        wait = throttles.refusal(request, throttles.PASSWORD_RESET)
        if wait is not None:
            messages.error(request, throttles.lockout_message(wait))
            response = render(request, "frontend/accounts/email.html", {"form": form}, status=429)
            response["Retry-After"] = str(wait)
            return response
        if request.POST.get("action") == "resend":
            return _resend(request, user)
        if form.is_valid():
            try:
                changed = form.cleaned_data["email"].strip().casefold() != user.email.casefold()
                email_addresses.change_email(user=user, email=form.cleaned_data["email"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if changed and user.email:
                    return _resend(request, user)
                messages.success(request, _("Your email address is saved."))
                return redirect("email-address")
        status = 400
    return render(
        request, "frontend/accounts/email.html", {"form": form, "nav": "settings"}, status=status
    )


def _resend(request, user):
    try:
        email_addresses.send_verification(user=user, link_for=verification_link(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("We have sent a link to %(email)s. Open it to confirm the address.")
            % {"email": user.email},
        )
    return redirect("email-address")


def verify(request, token: str):
    try:
        email_addresses.verify(token=token)
    except ValidationError as error:
        context = {"error": " ".join(error.messages)}
        return render(request, "frontend/accounts/email_verified.html", context, status=400)
    return render(request, "frontend/accounts/email_verified.html", {})
