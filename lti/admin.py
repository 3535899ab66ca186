"""Registering a platform (Moodle) and seeing what launches and grades did.

The library's admin for `LtiTool` asks for a tool key to be pasted in; here the site's own
key pair (`lti.services.keys`, generated on first use) is attached on save, and the key
table is read-only (its private key is never shown).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool, LtiToolKey

from lti.models import LtiCourse, LtiIdentity, LtiResourceLink, PlatformGrade
from lti.services import keys

for model in (LtiTool, LtiToolKey):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(LtiTool)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["title", "issuer", "client_id", "is_active"]
    search_fields = ["title", "issuer", "client_id"]
    fieldsets = [
        (None, {"fields": ["title", "is_active"]}),
        (
            _("From the platform (Moodle: Site administration › Plugins › External tool)"),
            {
                "fields": [
                    "issuer",
                    "client_id",
                    "auth_login_url",
                    "auth_token_url",
                    "auth_audience",
                    "key_set_url",
                    "key_set",
                    "deployment_ids",
                ]
            },
        ),
    ]

    def save_model(self, request: HttpRequest, obj: LtiTool, form: Any, change: bool) -> None:
        if not obj.tool_key_id:
            obj.tool_key = keys.site_key()
        super().save_model(request, obj, form, change)


@admin.register(LtiToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ["name"]
    fields = ["name", "public_key", "public_jwk"]
    readonly_fields = ["name", "public_key", "public_jwk"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by `manage.py lti_tool_key` or on first use


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LtiIdentity)
class LtiIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "issuer", "subject", "last_launch_at"]
    search_fields = ["user__username", "issuer", "subject"]


@admin.register(LtiCourse)
class LtiCourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "context_id", "owner", "classroom", "tool"]


@admin.register(LtiResourceLink)
class LtiResourceLinkAdmin(ReadOnlyAdmin):
    list_display = ["title", "resource_link_id", "quiz", "question_set", "tool"]


@admin.register(PlatformGrade)
class PlatformGradeAdmin(ReadOnlyAdmin):
    list_display = ["student", "link", "percentage", "state", "tries", "sent_at"]
    list_filter = ["state"]
    search_fields = ["student__username"]
