"""Instructor invitations: make a link (instructors, administrators) and accept one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from flashcards.services import invitations
from frontend.forms import add_service_errors
from frontend.forms_accounts import InvitationAcceptForm, InvitationForm


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    if not invitations.may_invite(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        _invitation, token = invitations.create_invitation(
            created_by=request.user, note=form.cleaned_data["note"]
        )
        link = request.build_absolute_uri(reverse("invitation-accept", args=[token]))
        form = InvitationForm()
    context = {
        "form": form,
        "link": link,
        "invitations": invitations.invitations_of(request.user)[:50],
        "settings_days": settings.INSTRUCTOR_INVITATION_DAYS,
        "nav": "settings",
    }
    return render(request, "frontend/accounts/invitations.html", context)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    if invitations.find(token) is None:
        context = {"invalid": True}
        return render(request, "frontend/accounts/invitation_accept.html", context, status=404)
    user = request.user
    if not user.is_authenticated:
        context = {"next": request.path}
        return render(request, "frontend/accounts/invitation_accept.html", context)
    needs_email = not user.email
    data = request.POST if request.method == "POST" else None
    form = InvitationAcceptForm(data) if needs_email else None
    if request.method == "POST" and (form is None or form.is_valid()):
        email = form.cleaned_data["email"] if form is not None else ""
        try:
            invitations.accept_invitation(token=token, user=user, email=email)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("dashboard")
            add_service_errors(form, error)
        else:
            messages.success(request, _("You are an instructor now."))
            return redirect("dashboard")
    status = 400 if form is not None and form.errors else 200
    context = {"form": form, "already": user.is_instructor}
    return render(request, "frontend/accounts/invitation_accept.html", context, status=status)
