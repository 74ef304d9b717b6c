from django.db import models


class Instrument(models.Model):
    """A tradable line. Auto-registered ones were first seen in orders or ticks."""

    symbol = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200, blank=True, default="")
    currency = models.CharField(max_length=3, default="USD")
    asset_class = models.CharField(max_length=32, default="equity")
    tick_size = models.DecimalField(max_digits=20, decimal_places=10, default=0.01)
    lot_size = models.DecimalField(max_digits=20, decimal_places=6, default=1)
    mic = models.CharField(max_length=4, blank=True, default="")
    timezone = models.CharField(max_length=64, default="UTC")
    session_open = models.TimeField(null=True, blank=True)
    session_close = models.TimeField(null=True, blank=True)
    auto_registered = models.BooleanField(
        default=False, help_text="Created from orders or market data with inferred defaults."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("symbol",)

    def __str__(self) -> str:
        return self.symbol
