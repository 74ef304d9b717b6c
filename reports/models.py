"""Audit of data leaving the system, and the best-execution reports generated."""

import uuid

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


class BestExecutionReport(models.Model):
    """A generated best-execution PDF: what was asked, by whom, and the file's SHA-256.

    The file lives in REPORT_STORE_URL; the hash proves later that a copy is the
    one generated. ``desk`` is the only desk the report covers ("" = every desk):
    set from the requester's own desk when they may not see all desks.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.OneToOneField(
        "jobs.Job", on_delete=models.PROTECT, related_name="best_execution_report"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    date_from = models.DateField()
    date_to = models.DateField()
    desk = models.CharField(max_length=64, blank=True, default="")
    filters = models.JSONField(default=dict, blank=True, help_text="broker, algo, asset class...")
    outlier_bps = models.FloatField(default=50.0)
    outlier_percentile = models.FloatField(default=0.99)
    file_name = models.CharField(max_length=255, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    content_sha256 = models.CharField(max_length=64, blank=True, default="")
    size_bytes = models.BigIntegerField(default=0)
    pages = models.IntegerField(default=0)
    n_orders = models.IntegerField(default=0)
    data_cutoff = models.DateTimeField(null=True, blank=True)
    versions = models.JSONField(default=dict, blank=True, help_text="Code and model versions.")

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"best execution {self.date_from}–{self.date_to} ({self.username})"
