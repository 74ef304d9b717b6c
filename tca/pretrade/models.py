"""Pre-trade estimates as they were given: who asked, when, the inputs and the answer."""

import uuid

from django.conf import settings
from django.db import models


class PretradeEstimate(models.Model):
    """One estimate. Rows are only ever added, so a later order can be held against it.

    ``order_ref`` is the order id the trader expects the order to carry; when
    it is blank an order is matched on symbol, side, quantity and a start
    time close to its arrival.
    """

    class Source(models.TextChoices):
        API = "api"
        PAGE = "page"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, help_text="Kept if the user is deleted.")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    symbol = models.CharField(max_length=32, db_index=True)
    side = models.SmallIntegerField(help_text="+1 buy, −1 sell")
    quantity = models.FloatField()
    start_time = models.DateTimeField()
    horizon_s = models.FloatField()
    threshold_bps = models.FloatField()
    risk_aversion = models.FloatField()
    strategy = models.CharField(max_length=16, default="balanced", help_text="The intended one.")
    order_ref = models.CharField(max_length=64, blank=True, default="", db_index=True)
    inputs = models.JSONField(default=dict)
    outputs = models.JSONField(default=dict)
    model_version = models.ForeignKey(
        "models_app.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fallback = models.BooleanField(default=False)
    fallback_reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)
        permissions = (("run_pretrade", "Can request pre-trade estimates"),)
        indexes = (models.Index(fields=("symbol", "side", "start_time")),)

    def __str__(self) -> str:
        return f"{self.symbol} {self.quantity:,.0f} @ {self.start_time:%Y-%m-%d %H:%M}"
