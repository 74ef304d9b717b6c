"""One order's page: its result, fills, the quotes around it and its fills' markouts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from tca.costs.models import CostResult
from tca.marketdata.store import tick_store
from tca.orders.models import Fill, ParentOrder
from tca.orders.selectors import order_get

MAX_QUOTE_POINTS = 2000
MAX_FILLS = 5000
LEAD_NS = 120 * 1_000_000_000  # quotes shown before the decision/arrival
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def iso_ns(ns: int) -> str:
    """ISO text of a ns timestamp, exact to the microsecond (plotly's resolution)."""
    moment = EPOCH + dt.timedelta(microseconds=ns // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass(frozen=True)
class FillRow:
    time_ns: int
    price: float
    quantity: float
    liquidity: str
    venue: str


@dataclass
class QuotePath:
    times: list[str]
    bid: list[float | None]
    ask: list[float | None]
    n_raw: int


@dataclass
class OrderDetail:
    order: ParentOrder
    cost: CostResult | None
    fills: list[FillRow]
    n_fills: int
    start_ns: int
    end_ns: int
    post_ns: int
    quotes: QuotePath | None = None
    fill_markouts: dict[str, dict[str, float | None]] = field(default_factory=dict)


def _window(order: ParentOrder, fills: list[FillRow]) -> tuple[int, int, int]:
    start = min(x for x in (order.decision_ns, order.arrival_ns) if x is not None) - LEAD_NS
    last_fill = fills[-1].time_ns if fills else order.arrival_ns
    end = max(order.end_ns or last_fill, last_fill)
    post = end + int(settings.TCA_POST_HORIZON_SECONDS * 1e9)
    return start, end, post


def _utc_days(start_ns: int, end_ns: int) -> list[dt.date]:
    first = (EPOCH + dt.timedelta(microseconds=start_ns // 1000)).date()
    last = (EPOCH + dt.timedelta(microseconds=end_ns // 1000)).date()
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def downsample_last(frame: pl.DataFrame, limit: int) -> pl.DataFrame:
    """At most ``limit`` rows: the quote in force at the end of each equal time bucket,
    which is what a step chart of the full series shows at that resolution."""
    if frame.height <= limit:
        return frame
    t = pl.col("time").dt.epoch("ns")
    first, last = frame["time"].dt.epoch("ns").min(), frame["time"].dt.epoch("ns").max()
    width = max((int(last) - int(first)) // limit + 1, 1)  # type: ignore[arg-type]
    return (
        frame.with_columns(((t - first) // width).alias("_bucket"))
        .group_by("_bucket", maintain_order=True)
        .agg(pl.all().last())
        .drop("_bucket")
    )


def quote_path(symbol: str, start_ns: int, end_ns: int) -> QuotePath | None:
    lo = pl.lit(start_ns).cast(pl.Datetime("ns", "UTC"))
    hi = pl.lit(end_ns).cast(pl.Datetime("ns", "UTC"))
    frame = (
        tick_store()
        .scan("quotes", symbols=[symbol], dates=_utc_days(start_ns, end_ns))
        .filter(pl.col("time").is_between(lo, hi))
        .select("time", "bid", "ask")
        .collect()
    )
    if frame.height == 0:
        return None
    small = downsample_last(frame, MAX_QUOTE_POINTS)
    return QuotePath(
        times=small["time"].dt.strftime("%Y-%m-%dT%H:%M:%S%.6f").to_list(),
        bid=small["bid"].to_list(),
        ask=small["ask"].to_list(),
        n_raw=frame.height,
    )


def fill_markout_curves(
    order: ParentOrder, days: list[dt.date]
) -> dict[str, dict[str, float | None]]:
    """Notional-weighted markout curve of the order's passive and aggressive fills,
    read from the per-fill markouts the TCA run stores beside the ticks."""
    lazy = tick_store().scan("markouts", symbols=[order.instrument.symbol], dates=days)
    columns = lazy.collect_schema().names()
    horizons = [c for c in columns if c.startswith("markout_")]
    if not horizons or "order_id" not in columns:
        return {}
    frame = lazy.filter(pl.col("order_id") == order.order_id).collect()
    out: dict[str, dict[str, float | None]] = {}
    for label, passive in (("passive", True), ("aggressive", False)):
        part = frame.filter(pl.col("passive") == passive)
        if part.height == 0:
            continue
        curve: dict[str, float | None] = {}
        for h in horizons:
            ok = part.filter(pl.col(h).is_not_null() & pl.col("notional").is_not_null())
            w = float(ok["notional"].sum())
            curve[h.removeprefix("markout_")] = (
                float((ok[h] * ok["notional"]).sum()) / w if w > 0 else None
            )
        out[label] = curve
    return out


def order_detail(*, user: AbstractBaseUser, order_id: str) -> OrderDetail | None:
    """Everything the order page draws, or None when the user may not see the order."""
    order = order_get(user=user, order_id=order_id)
    if order is None:
        return None
    fills_qs = Fill.objects.filter(order=order, is_cancelled=False).order_by("time_ns", "pk")
    fills = [
        FillRow(t, float(p), float(q), liq or "", venue or "")
        for t, p, q, liq, venue in fills_qs.values_list(
            "time_ns", "price", "quantity", "liquidity", "venue"
        )[:MAX_FILLS]
    ]
    n_fills = len(fills) if len(fills) < MAX_FILLS else fills_qs.count()
    start, end, post = _window(order, fills)
    detail = OrderDetail(
        order=order,
        cost=getattr(order, "cost", None),
        fills=fills,
        n_fills=n_fills,
        start_ns=start,
        end_ns=end,
        post_ns=post,
    )
    detail.quotes = quote_path(order.instrument.symbol, start, post)
    days = sorted({order.trade_date, *_utc_days(order.arrival_ns, end)})
    detail.fill_markouts = fill_markout_curves(order, days)
    return detail
