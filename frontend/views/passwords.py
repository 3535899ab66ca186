"""Changing a password (signed in) and resetting a forgotten one by email.

Django's own views and token generator do the work: a reset link is signed with the
account's password hash and last sign-in, so it works once and expires after
PASSWORD_RESET_TIMEOUT seconds; a changed password changes the session hash, which signs
the account out everywhere but here (`update_session_auth_hash` in PasswordChangeView).
The reset form answers the same whether an account has the address or not, and is
throttled per client address and per address typed (flashcards.throttles).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from flashcards import throttles
from frontend.forms_accounts import PasswordChangeForm, PasswordResetForm, SetPasswordForm


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "frontend/accounts/password_reset_form.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        wait = throttles.refusal(request, throttles.PASSWORD_RESET)
        if wait is not None:
            form = self.get_form_class()(initial={"email": request.POST.get("email", "")})
            context = self.get_context_data(form=form, locked_out=throttles.lockout_message(wait))
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "frontend/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "frontend/accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "frontend/accounts/password_reset_complete.html"


class PasswordChangeView(LoginRequiredMixin, auth_views.PasswordChangeView):
    template_name = "frontend/accounts/password_change_form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("settings")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed. Other devices are signed out."))
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
