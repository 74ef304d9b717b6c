from django.contrib import admin
from django.http import HttpRequest

from .models import ExportAudit


@admin.register(ExportAudit)
class ExportAuditAdmin(admin.ModelAdmin):
    """Read-only: an audit trail that can be edited is not one."""

    list_display = ("created_at", "username", "kind", "row_count", "filename")
    list_filter = ("kind",)
    search_fields = ("username", "filename")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
