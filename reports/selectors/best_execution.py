"""What a best-execution report says, read from the stored results and aggregates.

Totals come from the same selectors as the overview (``cost_days`` and
``summarise``), breakdowns use the same formula (Σ amount / Σ measurable
notional × 1e4) on the stored per-order results, broker and algo costs come
from the comparison page's ``group_costs``, markout curves from its
``markout_curves``. Nothing is recomputed from fills or quotes, so the PDF
agrees with the pages to the last digit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl
from django.db.models import Count, F, FloatField, Max, Q, Sum
from django.db.models.functions import Cast

from tca.costs.models import COST_NAMES
from tca.jobs.models import IngestAudit
from tca.orders.models import Fill

from .compare import HORIZONS, group_costs, markout_curves
from .costs import CostSummary, cost_days, summarise
from .scope import Scope, cost_results

BREAKDOWNS: dict[str, tuple[str, str]] = {
    "asset_class": ("Asset class", "order__instrument__asset_class"),
    "side": ("Side", "order__side"),
    "size_bucket": ("Size (% ADV20)", "size_bucket"),
    "regime": ("Market regime", "regime"),
}
PERCENTILES = (0.10, 0.50, 0.90)
MAX_OUTLIERS = 200


@dataclass(frozen=True)
class Thresholds:
    """An order is an outlier when its IS exceeds ``bps`` or the ``percentile`` of the scope."""

    bps: float = 50.0
    percentile: float = 0.99


@dataclass
class GroupRow:
    key: str
    n_orders: int
    notional: float
    share_notional: float | None
    bps: dict[str, float | None]
    percentiles: list[float | None]


@dataclass
class RoutingRow:
    """An RTS 28-style line: who (or where) executed how much, how, at what price."""

    key: str
    n_orders: int
    share_orders: float | None
    notional: float
    share_notional: float | None
    passive_share: float | None
    aggressive_share: float | None
    fill_rate: float | None
    improvement_arrival_bps: float | None
    improvement_vwap_bps: float | None
    is_bps: float | None = None


@dataclass
class Outlier:
    order_id: str
    trade_date: dt.date
    symbol: str
    side: str
    broker: str
    desk: str
    is_bps: float
    is_amount: float | None
    reason: str


@dataclass
class DataQuality:
    rejected_files: list[dict[str, Any]]
    cancelled_fills: int
    corrected_fills: int
    missing_market_data: int
    flags: dict[str, int]


@dataclass
class ReportData:
    scope: dict[str, Any]
    date_from: dt.date
    date_to: dt.date
    cutoff: dt.datetime | None
    summary: CostSummary
    fill_rate: float | None
    breakdowns: dict[str, list[GroupRow]]
    brokers: list[RoutingRow]
    algos: list[RoutingRow]
    venues: list[RoutingRow]
    markouts: dict[str, dict[str, float | None]]
    markout_counts: dict[str, int]
    outliers: list[Outlier]
    outlier_threshold_bps: float
    outlier_percentile: float
    outlier_percentile_bps: float | None
    n_outliers: int
    quality: DataQuality
    exceptions: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.summary.n_orders == 0

    def content_hash(self) -> str:
        """SHA-256 of the figures (canonical JSON): printed on the cover, reproducible."""
        payload = json.dumps(asdict(self), sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()


def _bps(amount: float | None, notional: float) -> float | None:
    return amount / notional * 1e4 if notional > 0 and amount is not None else None


def _results_frame(scope: Scope) -> pl.DataFrame:
    """One narrow row per order in scope: the stored amounts, notional and dimensions."""
    names = [f"{n}_amount" for n in COST_NAMES]
    lookups = [lookup for _, lookup in BREAKDOWNS.values()]
    rows = list(cost_results(scope).values_list(*lookups, "paper_notional", "is_bps", *names))
    schema = {
        **{k: pl.Int64 if k == "side" else pl.String for k in BREAKDOWNS},
        "paper_notional": pl.Float64,
        "is_bps": pl.Float64,
        **dict.fromkeys(names, pl.Float64),
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    frame = frame.with_columns(
        pl.when(pl.col("side") > 0).then(pl.lit("buy")).otherwise(pl.lit("sell")).alias("side")
    )
    return frame.with_columns(
        pl.col(k).fill_null("unknown").replace("", "unknown") for k in BREAKDOWNS
    )


def _breakdown(frame: pl.DataFrame, key: str, total_notional: float) -> list[GroupRow]:
    measurable = pl.col("paper_notional").is_not_null() & (pl.col("paper_notional") > 0)
    aggs = [pl.len().alias("n"), pl.col("paper_notional").fill_null(0.0).sum().alias("notional")]
    for n in COST_NAMES:
        ok = measurable & pl.col(f"{n}_amount").is_not_null()
        aggs += [
            pl.when(ok).then(pl.col(f"{n}_amount")).otherwise(0.0).sum().alias(f"{n}_a"),
            pl.when(ok).then(pl.col("paper_notional")).otherwise(0.0).sum().alias(f"{n}_w"),
        ]
    aggs += [pl.col("is_bps").quantile(p, "linear").alias(f"p{p}") for p in PERCENTILES]
    grouped = frame.group_by(key).agg(aggs).sort("notional", descending=True)
    out = []
    for r in grouped.iter_rows(named=True):
        out.append(
            GroupRow(
                key=str(r[key]),
                n_orders=int(r["n"]),
                notional=float(r["notional"]),
                share_notional=r["notional"] / total_notional if total_notional > 0 else None,
                bps={n: _bps(r[f"{n}_a"], r[f"{n}_w"]) for n in COST_NAMES},
                percentiles=[r[f"p{p}"] for p in PERCENTILES],
            )
        )
    return out


def _fill_stats(scope: Scope, by: str) -> dict[str, dict[str, float]]:
    """Per group: executed notional, passive and aggressive notional, and the notional-
    weighted price improvement of the fills against the order's arrival mid and VWAP."""
    orders = cost_results(scope).values("pk")
    notional = Cast(F("quantity"), FloatField()) * Cast(F("price"), FloatField())
    side = Cast(F("side"), FloatField())
    price = Cast(F("price"), FloatField())
    qty = Cast(F("quantity"), FloatField())
    arrival = F("order__cost__arrival_price")
    vwap = F("order__cost__vwap_price")
    group = {"broker": "order__broker", "algo": "order__algo", "venue": "venue"}[by]
    rows = (
        Fill.objects.filter(order_id__in=orders, is_cancelled=False)
        .values(g=F(group))
        .annotate(
            notional=Sum(notional),
            passive=Sum(notional, filter=Q(liquidity="ADD")),
            aggressive=Sum(notional, filter=Q(liquidity="REMOVE")),
            n_orders=Count("order_id", distinct=True),
            imp_arrival=Sum(
                side * (arrival - price) * qty, filter=Q(order__cost__arrival_price__gt=0)
            ),
            w_arrival=Sum(arrival * qty, filter=Q(order__cost__arrival_price__gt=0)),
            imp_vwap=Sum(side * (vwap - price) * qty, filter=Q(order__cost__vwap_price__gt=0)),
            w_vwap=Sum(vwap * qty, filter=Q(order__cost__vwap_price__gt=0)),
        )
        .order_by()
    )
    return {(r["g"] or "unknown"): r for r in rows}


def _routing(scope: Scope, by: str) -> list[RoutingRow]:
    stats = _fill_stats(scope, by)
    total_notional = sum(float(r["notional"] or 0.0) for r in stats.values())
    n_orders_total = cost_results(scope).count()
    fill_rates: dict[str, float | None] = {}
    costs: dict[str, float | None] = {}
    if by != "venue":
        lookup = {"broker": "order__broker", "algo": "order__algo"}[by]
        for r in (
            cost_results(scope)
            .values(g=F(lookup))
            .annotate(done=Sum("executed_qty"), asked=Sum(Cast("order__quantity", FloatField())))
            .order_by()
        ):
            key = r["g"] or "unknown"
            fill_rates[key] = r["done"] / r["asked"] if r["asked"] else None
        costs = {g.key: g.ci.mean for g in group_costs(scope, by)}
    out = []
    for key, r in stats.items():
        value = float(r["notional"] or 0.0)
        out.append(
            RoutingRow(
                key=key,
                n_orders=int(r["n_orders"]),
                share_orders=r["n_orders"] / n_orders_total if n_orders_total else None,
                notional=value,
                share_notional=value / total_notional if total_notional else None,
                passive_share=(r["passive"] or 0.0) / value if value else None,
                aggressive_share=(r["aggressive"] or 0.0) / value if value else None,
                fill_rate=fill_rates.get(key),
                improvement_arrival_bps=_bps(r["imp_arrival"], float(r["w_arrival"] or 0.0)),
                improvement_vwap_bps=_bps(r["imp_vwap"], float(r["w_vwap"] or 0.0)),
                is_bps=costs.get(key),
            )
        )
    return sorted(out, key=lambda row: row.notional, reverse=True)


def _outliers(scope: Scope, frame: pl.DataFrame, thresholds: Thresholds):  # type: ignore[no-untyped-def]
    values = frame["is_bps"].drop_nulls().to_numpy()
    cut = float(np.quantile(values, thresholds.percentile)) if values.size else None
    lowest = thresholds.bps if cut is None else min(thresholds.bps, cut)
    qs = cost_results(scope).filter(is_bps__isnull=False, is_bps__gt=lowest)
    n = qs.count()
    rows = qs.order_by(F("is_bps").desc(), "pk").values_list(
        "order__order_id", "trade_date", "order__instrument__symbol", "order__side",
        "order__broker", "order__desk", "is_bps", "is_amount",
    )[:MAX_OUTLIERS]  # fmt: skip
    out = []
    for oid, day, symbol, side, broker, desk, is_bps, amount in rows:
        reasons = []
        if is_bps > thresholds.bps:
            reasons.append(f"> {thresholds.bps:g} bps")
        if cut is not None and is_bps > cut:
            reasons.append(f"above the {thresholds.percentile:.0%} percentile")
        side_name = "buy" if side > 0 else "sell"
        reason = ", ".join(reasons)
        out.append(
            Outlier(oid, day, symbol, side_name, broker or "–", desk or "–", is_bps, amount, reason)
        )
    return out, n, cut


def _quality(scope: Scope, date_from: dt.date, date_to: dt.date) -> DataQuality:
    start = dt.datetime.combine(date_from, dt.time.min, dt.UTC)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, dt.UTC)
    rejected = list(
        IngestAudit.objects.filter(
            outcome__in=(IngestAudit.Outcome.REJECTED, IngestAudit.Outcome.FAILED),
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by("created_at")
        .values("created_at", "kind", "filename", "outcome", "rows_rejected", "error_count")[:100]
    )
    orders = cost_results(scope).values("pk")
    fills = Fill.objects.filter(order_id__in=orders)
    flags: dict[str, int] = {}
    for values in cost_results(scope).exclude(flags=[]).values_list("flags", flat=True):
        for flag in values or []:
            flags[flag] = flags.get(flag, 0) + 1
    return DataQuality(
        rejected_files=rejected,
        cancelled_fills=fills.filter(is_cancelled=True).count(),
        corrected_fills=fills.exclude(amendments=[]).count(),
        missing_market_data=cost_results(scope).filter(arrival_price__isnull=True).count(),
        flags=dict(sorted(flags.items(), key=lambda kv: -kv[1])),
    )


def _markouts(scope: Scope) -> tuple[dict[str, dict[str, float | None]], dict[str, int]]:
    curves = markout_curves(scope, "broker")
    out = {
        key: {h: (curve[h].mean if curve.get(h) else None) for h in HORIZONS}
        for key, curve in curves.curves.items()
    }
    return out, curves.counts


def best_execution_data(
    *,
    scope: Scope,
    scope_labels: dict[str, Any],
    date_from: dt.date,
    date_to: dt.date,
    thresholds: Thresholds,
) -> ReportData:
    days, source = cost_days(scope)
    summary = summarise(days, source)
    frame = _results_frame(scope)
    total = float(frame["paper_notional"].fill_null(0.0).sum()) if frame.height else 0.0
    breakdowns = {k: _breakdown(frame, k, total) for k in BREAKDOWNS} if frame.height else {}
    outliers, n_outliers, cut = (
        _outliers(scope, frame, thresholds) if frame.height else ([], 0, None)
    )
    quality = _quality(scope, date_from, date_to)
    markouts, counts = _markouts(scope) if frame.height else ({}, {})
    cutoff = cost_results(scope).aggregate(m=Max("computed_at"))["m"]
    data = ReportData(
        scope=scope_labels,
        date_from=date_from,
        date_to=date_to,
        cutoff=cutoff,
        summary=summary,
        fill_rate=summary.executed_notional / summary.paper_notional
        if summary.paper_notional
        else None,
        breakdowns=breakdowns,
        brokers=_routing(scope, "broker") if frame.height else [],
        algos=_routing(scope, "algo") if frame.height else [],
        venues=_routing(scope, "venue") if frame.height else [],
        markouts=markouts,
        markout_counts=counts,
        outliers=outliers,
        outlier_threshold_bps=thresholds.bps,
        outlier_percentile=thresholds.percentile,
        outlier_percentile_bps=cut,
        n_outliers=n_outliers,
        quality=quality,
    )
    data.exceptions = _exceptions(data)
    return data


def _exceptions(data: ReportData) -> list[str]:
    """What a reviewer must look at, in words, for the executive summary."""
    out = []
    if data.n_outliers:
        out.append(
            f"{data.n_outliers} order(s) beyond the outlier threshold "
            f"({data.outlier_threshold_bps:g} bps or the {data.outlier_percentile:.0%} percentile)"
        )
    firm = data.summary.bps.get("is")
    for row in data.brokers:
        far = firm is not None and row.is_bps is not None and row.n_orders >= 10
        if far and row.is_bps > firm + max(5.0, abs(firm)):
            out.append(
                f"broker {row.key}: IS {row.is_bps:+.1f} bps against {firm:+.1f} bps overall"
            )
    if data.fill_rate is not None and data.fill_rate < 0.95:
        out.append(f"fill rate {data.fill_rate:.1%} of the ordered notional")
    q = data.quality
    if q.missing_market_data:
        out.append(f"{q.missing_market_data} order(s) without an arrival quote")
    if q.rejected_files:
        out.append(f"{len(q.rejected_files)} rejected or failed file(s) in the period")
    if q.cancelled_fills or q.corrected_fills:
        out.append(f"{q.cancelled_fills} busted and {q.corrected_fills} corrected fill(s) applied")
    return out
