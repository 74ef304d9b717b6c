"""The impact-model registry, the prediction stored with each order, residual monitoring."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tca.orders.models import ParentOrder


class ModelVersion(models.Model):
    """One trained model. Artifacts are content-addressed and never overwritten.

    Each track has at most one champion: ``cost`` serves the predictions stored
    with orders, ``permanent`` (the Almgren-form fit) serves the TCA engine's
    permanent-impact term, ``execution`` the execution agent offered pre-trade.
    """

    class Status(models.TextChoices):
        CANDIDATE = "candidate"
        CHAMPION = "champion"
        RETIRED = "retired"

    class Track(models.TextChoices):
        COST = "cost"
        PERMANENT = "permanent"
        EXECUTION = "execution"  # the execution agent (kind execution_policy)

    version = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32)
    track = models.CharField(max_length=16, choices=Track.choices, default=Track.COST)
    hyperparameters = models.JSONField(default=dict, blank=True)
    train_start = models.DateField(null=True, blank=True)
    train_end = models.DateField(null=True, blank=True)
    holdout_start = models.DateField(null=True, blank=True)
    holdout_end = models.DateField(null=True, blank=True)
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
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        permissions = (
            ("train_model", "Can trigger model training"),
            ("promote_model", "Can promote a model version to champion"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("track",), condition=Q(status="champion"), name="one_champion_per_track"
            ),
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


class OrderPrediction(models.Model):
    """The cost prediction made for an order, and how far off it turned out to be.

    Written once per order (never replaced) by a model that had seen only data
    from before the order's trade date: a walk-forward fit for historical
    orders, the champion for new ones. The residual is realised minus predicted
    total cost, refreshed whenever the order's TCA is recomputed.
    """

    class Source(models.TextChoices):
        WALK_FORWARD = "walk_forward"
        LIVE = "live"

    order = models.OneToOneField(
        ParentOrder, on_delete=models.CASCADE, primary_key=True, related_name="prediction"
    )
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="predictions"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    trained_through = models.DateField(help_text="Last trade date the predicting fit saw.")
    trade_date = models.DateField(db_index=True)
    regime = models.CharField(max_length=32, blank=True, default="")
    size_bucket = models.CharField(max_length=16, blank=True, default="")
    temporary_bps = models.FloatField()
    permanent_bps = models.FloatField()
    total_bps = models.FloatField()
    q05_bps = models.FloatField()
    q50_bps = models.FloatField()
    q95_bps = models.FloatField()
    std_bps = models.FloatField()
    p_exceed = models.FloatField(help_text="P(total cost > threshold_bps).")
    threshold_bps = models.FloatField()
    inputs = models.JSONField(default=dict, blank=True, help_text="Inputs watched for drift.")
    realized_bps = models.FloatField(null=True, blank=True)
    residual_bps = models.FloatField(null=True, blank=True, help_text="Realised − predicted.")
    residual_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = (models.Index(fields=("model_version", "trade_date")),)

    def __str__(self) -> str:
        return f"prediction for {self.order_id}"


class MonitoringRun(models.Model):
    """One scheduled check of the cost champion's recent residuals."""

    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    n_orders = models.IntegerField(default=0)
    bias_bps = models.FloatField(null=True, blank=True)
    mae_bps = models.FloatField(null=True, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    breached = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return (
            f"monitoring {self.created_at:%Y-%m-%d %H:%M} ({'breach' if self.breached else 'ok'})"
        )
