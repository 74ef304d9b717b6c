from django.contrib import admin

from .models import IngestAudit, Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress", "message", "created_by", "created_at")
    list_filter = ("kind", "status")
    readonly_fields = tuple(f.name for f in Job._meta.fields)


@admin.register(IngestAudit)
class IngestAuditAdmin(admin.ModelAdmin):
    list_display = (
        "created_at", "kind", "filename", "user", "outcome",
        "rows_accepted", "rows_duplicate", "rows_rejected",
    )
    list_filter = ("kind", "outcome")
    readonly_fields = tuple(f.name for f in IngestAudit._meta.fields)

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
