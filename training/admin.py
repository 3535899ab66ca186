from django.contrib import admin

from training.models import DemoAttachment, DemoRun


@admin.register(DemoRun)
class DemoRunAdmin(admin.ModelAdmin):
    list_display = ["id", "demo", "demo_version", "status", "progress", "device", "created_at"]
    list_filter = ["status", "demo", "queue"]
    # Runs are results: read-only here.  The SVGs are left out (large; see the API).
    exclude = ["figure_svgs"]
    readonly_fields = [f.name for f in DemoRun._meta.fields if f.name != "figure_svgs"]


@admin.register(DemoAttachment)
class DemoAttachmentAdmin(admin.ModelAdmin):
    list_display = ["id", "question", "demo", "caption", "position", "run"]
    list_filter = ["demo"]
    raw_id_fields = ["question", "run", "created_by"]
