"""Asynchronous jobs users can follow, and the audit trail of what came in."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Job(models.Model):
    """A unit of background work a user started (ingest, TCA run, training, report)."""

    class Kind(models.TextChoices):
        INGEST = "ingest"
        TCA = "tca"
        TRAINING = "training"
        REPORT = "report"

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.FloatField(default=0.0, help_text="0 to 1.")
    message = models.CharField(max_length=255, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Recovery (tca.jobs.recovery): which task runs the job, so a job whose message
    # or worker was lost can be queued again; when it last showed signs of life.
    task_name = models.CharField(max_length=128, blank=True, default="")
    task_args = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    queued_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = (
            models.Index(
                fields=["status", "queued_at"],
                name="job_unfinished",
                condition=models.Q(status__in=["pending", "running"]),
            ),
        )
        permissions = (("export_best_execution", "Can export best-execution reports"),)

    def __str__(self) -> str:
        return f"{self.kind} job {self.id} ({self.status})"


class IngestAudit(models.Model):
    """Who brought which file in, and what happened to it. Never updated."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        FAILED = "failed"

    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(max_length=16)
    source = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.BigIntegerField()
    rows_total = models.IntegerField(default=0)
    rows_accepted = models.IntegerField(default=0)
    rows_duplicate = models.IntegerField(default=0)
    rows_rejected = models.IntegerField(default=0)
    duration_s = models.FloatField(default=0.0)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    errors = models.JSONField(default=list, blank=True, help_text="First 1,000 row errors.")
    error_count = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.outcome})"
