"""Admin actions over people: download a person's data, delete accounts; invitations."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from flashcards.models import InstructorInvitation, User
from flashcards.services import personal_data


class UserForm(UserChangeForm):
    """An instructor needs an email address, whoever grants the role."""

    def clean(self):
        data = super().clean() or {}
        if data.get("role") == User.Role.INSTRUCTOR and not data.get("email"):
            raise ValidationError({"email": "Instructors need an email address."})
        return data


@admin.action(description="Download the selected people's data (JSON)")
def export_personal_data(modeladmin, request, queryset):
    data = {user.username: personal_data.export(user) for user in queryset.order_by("pk")}
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    return response


@admin.action(description="Delete the selected accounts (personal data removed or anonymised)")
def delete_accounts(modeladmin, request, queryset):
    count = 0
    for user in queryset.exclude(pk=request.user.pk):
        personal_data.delete_account(user=user)
        count += 1
    modeladmin.message_user(request, f"{count} account(s) deleted.", messages.SUCCESS)


@admin.register(InstructorInvitation)
class InstructorInvitationAdmin(admin.ModelAdmin):
    list_display = ["id", "created_by", "note", "created_at", "expires_at", "used_by", "used_at"]
    readonly_fields = ["created_by", "created_at", "expires_at", "used_by", "used_at"]
    fields = ["note", *readonly_fields]

    def has_add_permission(self, request):
        return False  # links are made on the invitations page, which shows the secret once
