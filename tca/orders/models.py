"""Parent orders and their executions.

Event times are stored as integer nanoseconds since the Unix epoch (UTC):
the SPEC requires nanosecond resolution, which SQL timestamps do not keep.
``trade_date`` is the order's arrival date for filtering and chunking.
"""

import datetime as dt

from django.db import models
from django.db.models import Value
from django.db.models.functions import Now

from tca.instruments.models import Instrument

SIDE_CHOICES = ((1, "BUY"), (-1, "SELL"))


def ns_to_datetime(ns: int | None) -> dt.datetime | None:
    """A nanosecond timestamp as an aware datetime (microsecond display precision)."""
    if ns is None:
        return None
    return dt.datetime.fromtimestamp(ns // 1000 / 1e6, tz=dt.UTC)


class ParentOrder(models.Model):
    order_id = models.CharField(max_length=64, unique=True)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="orders")
    side = models.SmallIntegerField(choices=SIDE_CHOICES)
    quantity = models.DecimalField(max_digits=28, decimal_places=10)
    arrival_ns = models.BigIntegerField()
    decision_ns = models.BigIntegerField(null=True, blank=True)
    end_ns = models.BigIntegerField(null=True, blank=True)
    trade_date = models.DateField(db_index=True)
    limit_price = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    broker = models.CharField(max_length=64, blank=True, default="")
    algo = models.CharField(max_length=64, blank=True, default="")
    trader = models.CharField(max_length=64, blank=True, default="")
    desk = models.CharField(max_length=64, blank=True, default="", db_index=True)
    portfolio = models.CharField(max_length=64, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    source = models.CharField(max_length=64, default="default")
    needs_recompute = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-arrival_ns",)
        permissions = (
            ("ingest_data", "Can ingest orders, fills and market data"),
            ("view_all_desks", "Can see every desk's orders"),
        )
        indexes = (
            models.Index(fields=("trade_date", "instrument")),
            models.Index(fields=("arrival_ns",)),  # the blotter's default sort
        )

    def __str__(self) -> str:
        return self.order_id

    @property
    def side_label(self) -> str:
        return "BUY" if self.side == 1 else "SELL"

    @property
    def arrival_time(self) -> dt.datetime | None:
        return ns_to_datetime(self.arrival_ns)


class Fill(models.Model):
    """One execution. ``(source, exec_id)`` is unique so re-ingest is a no-op."""

    LIQUIDITY_CHOICES = (
        ("ADD", "Add"),
        ("REMOVE", "Remove"),
        ("AUCTION", "Auction"),
        ("OTHER", "Other"),
    )

    source = models.CharField(max_length=64, default="default")
    exec_id = models.CharField(max_length=64)
    # No SQL-level constraint: ingestion resolves every fill's order inside the same
    # transaction, and a per-row foreign-key trigger would cost more than the rest
    # of a two-million-fill load. Deleting an order still cascades (through Django).
    order = models.ForeignKey(
        ParentOrder,
        on_delete=models.CASCADE,
        related_name="fills",
        db_constraint=False,
    )
    side = models.SmallIntegerField(choices=SIDE_CHOICES)
    quantity = models.DecimalField(max_digits=28, decimal_places=10)
    price = models.DecimalField(max_digits=28, decimal_places=10)
    time_ns = models.BigIntegerField()
    venue = models.CharField(max_length=16, blank=True, default="")
    liquidity = models.CharField(max_length=8, blank=True, default="", choices=LIQUIDITY_CHOICES)
    broker = models.CharField(max_length=64, blank=True, default="")
    algo = models.CharField(max_length=64, blank=True, default="")
    fee = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    currency = models.CharField(max_length=3, blank=True, default="")
    # The columns below carry database defaults too: a bulk COPY of new fills
    # leaves them out rather than sending and parsing six constants per row.
    is_cancelled = models.BooleanField(default=False, db_default=False)
    last_exec_id = models.CharField(
        max_length=64, blank=True, default="", db_default="",
        help_text="ExecID of the latest FIX amendment applied, empty if never amended.",
    )
    applied_exec_ids = models.JSONField(
        default=list,
        db_default=Value([], output_field=models.JSONField()),
        blank=True,
        help_text="Every FIX ExecID applied: fill, corrections, cancel.",
    )
    amendments = models.JSONField(
        default=list,
        db_default=Value([], output_field=models.JSONField()),
        blank=True,
        help_text="Raw FIX corrections and cancels, in order applied.",
    )
    raw = models.TextField(
        blank=True, default="", db_default="", help_text="Raw FIX message, for audit."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        ordering = ("time_ns",)
        constraints = (
            models.UniqueConstraint(fields=("source", "exec_id"), name="fill_unique_source_exec"),
        )
        # A plain index on the order (with PostgreSQL's duplicate compression) costs a
        # fraction of an (order, time) index to maintain during a bulk load; an
        # order's fills are few enough to sort after the lookup.
        indexes = (
            # Only amended fills are looked up by their latest amendment: a small index.
            models.Index(
                fields=("source", "last_exec_id"),
                condition=~models.Q(last_exec_id=""),
                name="fill_amended_idx",
            ),
        )

    def __str__(self) -> str:
        return f"{self.source}:{self.exec_id}"

    @property
    def time(self) -> dt.datetime | None:
        return ns_to_datetime(self.time_ns)


class PendingFixAmendment(models.Model):
    """A FIX cancel or correction that arrived before the fill it names."""

    source = models.CharField(max_length=64)
    exec_id = models.CharField(max_length=64, help_text="The amendment's own ExecID.")
    exec_ref_id = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=8, choices=(("cancel", "Cancel"), ("correct", "Correct")))
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("source", "exec_id"), name="pending_fix_unique"),
        )

    def __str__(self) -> str:
        return f"{self.kind} of {self.exec_ref_id}"
