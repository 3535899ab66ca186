"""Your data: download everything the site holds about you, or delete your account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from flashcards import throttles
from flashcards.services import personal_data
from frontend.forms_accounts import DeleteAccountForm


def _page(request, form, status=200):
    context = {"form": form, "kept": personal_data.kept_explanations(), "nav": "settings"}
    return render(request, "frontend/accounts/data.html", context, status=status)


@login_required
@require_GET
def data_page(request):
    return _page(request, DeleteAccountForm())


@login_required
@require_GET
def data_export(request):
    data = personal_data.export(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    name = f"quizsite-data-{request.user.username}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["POST"])
def account_delete(request):
    wait = throttles.refusal(request, (throttles.SignInPerAddress,))
    if wait is not None:
        form = DeleteAccountForm()
        form.add_error(None, throttles.lockout_message(wait))
        response = _page(request, form, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = DeleteAccountForm(request.POST)
    if form.is_valid() and not request.user.check_password(form.cleaned_data["password"]):
        form.add_error("password", _("This is not your password."))
    if not form.is_valid():
        return _page(request, form, status=400)
    user = request.user
    logout(request)
    personal_data.delete_account(user=user)
    messages.success(request, _("Your account and your personal data are deleted."))
    return redirect("home")
