"""Audit of data leaving the system through the pages."""

from django.conf import settings
from django.db import models


class ExportAudit(models.Model):
    """Who exported which rows, when. Rows are only ever added (best-execution evidence)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, help_text="Kept if the user is deleted.")
    kind = models.CharField(max_length=32, help_text="What was exported, e.g. blotter.")
    filters = models.JSONField(default=dict, blank=True, help_text="The query as submitted.")
    row_count = models.IntegerField()
    filename = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.username} exported {self.row_count:,} {self.kind} rows"
