"""The impact-model registry: every trained version, its lineage and its fate."""

from django.conf import settings
from django.db import models


class ModelVersion(models.Model):
    """One trained model. Artifacts are content-addressed and never overwritten."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate"
        CHAMPION = "champion"
        RETIRED = "retired"

    version = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32)
    hyperparameters = models.JSONField(default=dict, blank=True)
    train_start = models.DateField(null=True, blank=True)
    train_end = models.DateField(null=True, blank=True)
    n_rows = models.IntegerField(default=0)
    data_sha256 = models.CharField(max_length=64, blank=True, default="")
    code_version = models.CharField(max_length=64, blank=True, default="")
    metrics = models.JSONField(default=dict, blank=True)
    artifact_path = models.CharField(max_length=255, blank=True, default="")
    artifact_sha256 = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CANDIDATE)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        permissions = (
            ("train_model", "Can trigger model training"),
            ("promote_model", "Can promote a model version to champion"),
        )

    def __str__(self) -> str:
        return f"{self.version} ({self.status})"


class PromotionEvent(models.Model):
    """Audit trail of status changes; rows are only ever added."""

    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="promotions"
    )
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.model_version_id}: {self.from_status} → {self.to_status}"
