"""Dealer quotes received for requests for quote (RFQ), and how fair each was."""

from django.db import models


class RfqQuote(models.Model):
    """One dealer's quote for one RFQ; unique per (source, rfq_id, dealer).

    The fairness columns are filled by ``tca.rfq.services.rfq_quotes_analyse``:
    the mid strictly before the quote, the quote's markup against it, the
    expected cost of working the same order in the lit market, and for the
    winning quote the markouts after the trade.
    """

    class Status(models.TextChoices):
        FILLED = "FILLED"
        PASSED = "PASSED"
        EXPIRED = "EXPIRED"

    source = models.CharField(max_length=64, default="default")
    rfq_id = models.CharField(max_length=64)
    dealer = models.CharField(max_length=32)
    instrument = models.ForeignKey("instruments.Instrument", on_delete=models.PROTECT)
    side = models.SmallIntegerField(help_text="+1: we buy from the dealer, -1: we sell.")
    quantity = models.DecimalField(max_digits=28, decimal_places=10)
    request_ns = models.BigIntegerField()
    quote_price = models.DecimalField(max_digits=28, decimal_places=10)
    quote_ns = models.BigIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, blank=True, default="")
    valid_until_ns = models.BigIntegerField(null=True, blank=True)
    venue = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    # Fairness (null until analysed, or when the data to compute it is missing).
    mid = models.FloatField(null=True, blank=True)
    markup_bps = models.FloatField(null=True, blank=True)
    lit_cost_bps = models.FloatField(null=True, blank=True)
    lit_cost_std_bps = models.FloatField(null=True, blank=True)
    markup_vs_lit_bps = models.FloatField(null=True, blank=True)
    beyond_model = models.BooleanField(null=True, blank=True)
    markouts = models.JSONField(default=dict, blank=True)  # {"60": bps, ...}, winners only
    model_version = models.CharField(max_length=64, blank=True, default="")
    analysed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("source", "rfq_id", "dealer"), name="rfq_quote_once"),
        )
        indexes = (
            models.Index(fields=("dealer", "quote_ns"), name="rfq_dealer_time"),
            models.Index(fields=("instrument", "quote_ns"), name="rfq_symbol_time"),
        )

    def __str__(self) -> str:
        return f"{self.rfq_id} {self.dealer}"

    @property
    def response_s(self) -> float:
        return (self.quote_ns - self.request_ns) / 1e9
