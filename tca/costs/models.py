"""Stored TCA results: per order, and pre-aggregated for the dashboards."""

from django.db import models

# The SPEC's names are owned by the engine so storage, API and CLI cannot drift.
from tca.analytics.config import BENCHMARK_NAMES, COST_NAMES
from tca.orders.models import ParentOrder

__all__ = ["BENCHMARK_NAMES", "COST_NAMES", "FEATURE_NAMES"]
FEATURE_NAMES = (
    "fill_rate",
    "participation",
    "size_adv",
    "volatility",
    "arrival_spread_bps",
    "duration_s",
    "passive_share",
    "time_of_day",
)


def _cost_fields() -> dict[str, models.Field]:
    fields: dict[str, models.Field] = {}
    for name in COST_NAMES:
        fields[f"{name}_amount"] = models.FloatField(null=True, blank=True)
        fields[f"{name}_bps"] = models.FloatField(null=True, blank=True)
    for name in BENCHMARK_NAMES:
        fields[f"{name}_price"] = models.FloatField(null=True, blank=True)
        fields[f"{name}_slippage_bps"] = models.FloatField(null=True, blank=True)
    for name in FEATURE_NAMES:
        fields[name] = models.FloatField(null=True, blank=True)
    return fields


class CostResultBase(models.Model):
    """Columns generated from the SPEC's names so storage, API and CLI agree."""

    class Meta:
        abstract = True


for _name, _field in _cost_fields().items():
    CostResultBase.add_to_class(_name, _field)


class CostResult(CostResultBase):
    """One order's implementation shortfall, its attribution and benchmarks."""

    order = models.OneToOneField(
        ParentOrder, on_delete=models.CASCADE, primary_key=True, related_name="cost"
    )
    trade_date = models.DateField(db_index=True)
    model_version = models.CharField(max_length=64, blank=True, default="")
    executed_qty = models.FloatField()
    avg_price = models.FloatField(null=True, blank=True)
    paper_notional = models.FloatField(null=True, blank=True)
    executed_notional = models.FloatField(null=True, blank=True)
    adv20 = models.FloatField(null=True, blank=True)
    regime = models.CharField(max_length=32, blank=True, default="")
    size_bucket = models.CharField(max_length=16, blank=True, default="")
    markouts = models.JSONField(
        default=dict, blank=True, help_text="Notional-weighted markout curve, bps by horizon."
    )
    flags = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = (("run_tca", "Can compute transaction costs"),)
        indexes = (models.Index(fields=("trade_date", "is_bps")), models.Index(fields=("is_bps",)))

    def __str__(self) -> str:
        return f"cost of {self.order_id}"


class CostAggregate(models.Model):
    """Sums per (dimension, key, day) so any date range aggregates by addition.

    Notional-weighted bps over a range = Σ amount / Σ notional × 1e4, each component
    over the notional of the orders where it could be measured.
    """

    dimension = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    trade_date = models.DateField()
    n_orders = models.IntegerField()
    paper_notional = models.FloatField()
    executed_notional = models.FloatField(default=0.0)
    sums = models.JSONField(
        help_text="Per component: Σ amount (<name>_amount) and the Σ paper notional of the "
        "orders where it was measurable (<name>_notional)."
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("dimension", "key", "trade_date"), name="cost_aggregate_unique"
            ),
        )
        indexes = (models.Index(fields=("dimension", "trade_date")),)

    def __str__(self) -> str:
        return f"{self.dimension}={self.key} on {self.trade_date}"


class MarkoutAggregate(models.Model):
    """Notional-weighted markout sums per (dimension, key, day, passive/aggressive)."""

    dimension = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    trade_date = models.DateField()
    liquidity = models.CharField(max_length=12, help_text="passive, aggressive or all")
    n_fills = models.IntegerField()
    notional = models.FloatField()
    weighted_sums = models.JSONField(
        help_text="Per horizon: Σ markout × notional (<h>_wsum) and Σ notional (<h>_notional)."
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("dimension", "key", "trade_date", "liquidity"),
                name="markout_aggregate_unique",
            ),
        )
        indexes = (models.Index(fields=("dimension", "trade_date")),)

    def __str__(self) -> str:
        return f"{self.dimension}={self.key} on {self.trade_date} ({self.liquidity})"
