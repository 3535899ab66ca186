"""Forms of the account pages: passwords, the email address, deleting the account."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from flashcards.services import mail
from frontend.forms import Form


def _no_colon(kwargs: dict) -> dict:
    kwargs.setdefault("label_suffix", "")
    return kwargs


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form (it answers the same whether the address is known or not), sending our
    email, in the account's own language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_no_colon(kwargs))
        self.fields["email"].widget.attrs.update(autocomplete="email", autocapitalize="none")

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        link = f"{context['protocol']}://{context['domain']}{path}"
        hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        mail.send_to_user(
            user=context["user"],
            to=to_email,
            template="password_reset",
            context={"link": link, "valid_hours": hours},
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_no_colon(kwargs))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_no_colon(kwargs))


class EmailForm(Form):
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class DeleteAccountForm(Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my data are deleted and cannot be restored."),
    )


class InvitationAcceptForm(Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Instructors need an email address; we send a link to confirm it."),
    )


class InvitationForm(Form):
    note = forms.CharField(
        label=_("Who is it for?"),
        max_length=200,
        required=False,
        help_text=_("A note for you, e.g. a colleague's name. The invited person does not see it."),
    )
