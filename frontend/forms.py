"""Forms of the browser pages: they parse and show errors; the services decide."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class Form(forms.Form):
    """No colon after labels: screen readers read it aloud, and the layout makes it redundant."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignInForm(AuthenticationForm):
    """Django's form, with the browser hints that password managers and phones use."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class SignUpForm(Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Optional: lets you reset a forgotten password. We send a link to confirm it."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )


class JoinClassForm(Form):
    join_code = forms.CharField(
        label=_("Join code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("Your instructor gives you this code, e.g. ABCD2345."),
    )


class PreferencesForm(Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As my browser says")), *settings.LANGUAGES],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[],
        help_text=_("Your study day starts at 4 a.m. in this time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones())
        self.fields["time_zone"].choices = [(zone, zone) for zone in zones]


class ClassroomForm(Form):
    name = forms.CharField(label=_("Class name"), max_length=200)
    question_sets = forms.MultipleChoiceField(
        label=_("Question sets"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, set_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_sets"].choices = [(str(pk), title) for pk, title in set_choices]


class AssignSetForm(Form):
    """The class page's "assign a set": one of the sets the instructor may give a class."""

    question_set = forms.TypedChoiceField(label=_("Set to assign"), coerce=int)

    def __init__(self, *args, set_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_set"].choices = [(pk, title) for pk, title in set_choices]


def add_service_errors(form: forms.Form, error) -> None:
    """Show a service's ValidationError on the form fields it names (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
