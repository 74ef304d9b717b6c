"""Reads for the comparison page: costs and markouts by broker, algo, venue or regime.

Everything is summed in the database; only bounded samples travel to Python.

- Intervals are 95 % CIs clustered by trade date: orders (and fills) of the same
  day share the day's market moves, so days, not orders, are the independent
  units. Both read paths produce the same per-(group, day) sums, so they agree.
- Whole-firm requests read the daily aggregates (cost and markout); narrower
  ones (a desk, a filter) sum the per-order results by (group, day).
- Square-root impact fits and decile means: one GROUP BY over a 2-D grid of
  (participation decile, size decile) cells, marginalised in Python.
- The rank test between two groups uses every order, or an even hash sample of
  ``TEST_SAMPLE`` orders per group when groups are larger.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from django.db import connection
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Mod, Sqrt

from tca.analytics.config import DEFAULT_MARKOUT_HORIZONS, horizon_label
from tca.costs.models import COST_NAMES, CostAggregate, CostResult, MarkoutAggregate
from tca.marketdata.store import tick_store

from ..stats import Bin, MeanCI, SqrtFit, sqrt_fit_from_sums, weighted_mean_ci
from .costs import bps
from .scope import Scope, cost_results

GROUP_LOOKUPS: dict[str, str | None] = {
    "broker": "order__broker",
    "algo": "order__algo",
    "regime": "regime",
    "venue": None,  # a fill attribute: no order cost per venue
}
IMPACT_FEATURES = ("participation", "size_adv")
HORIZONS: tuple[str, ...] = tuple(horizon_label(h) for h in DEFAULT_MARKOUT_HORIZONS)
MAX_FILL_PARTITIONS = 400
_HASH = 2_654_435_761  # Knuth's multiplicative hash: an even, repeatable pseudo-random sample
_HASH_SPACE = 2**32


def _key(value: object) -> str:
    return str(value) if value not in (None, "") else "unknown"


def _float(value: object) -> float:
    return float(value or 0.0)  # type: ignore[arg-type]


def _measured(scope: Scope) -> QuerySet[CostResult]:
    return cost_results(scope).filter(is_bps__isnull=False, paper_notional__gt=0)


# --- order costs per group ---------------------------------------------------------


@dataclass
class GroupCosts:
    key: str
    n_orders: int
    ci: MeanCI  # of the IS in bps; ci.n counts trade days
    bps: dict[str, float | None] = field(default_factory=dict)


def _dated(qs: QuerySet, scope: Scope) -> QuerySet:  # type: ignore[type-arg]
    if scope.filters.date_from:
        qs = qs.filter(trade_date__gte=scope.filters.date_from)
    if scope.filters.date_to:
        qs = qs.filter(trade_date__lte=scope.filters.date_to)
    return qs


@dataclass
class OrderSums:
    """Per (group, trade day) sums over the orders in scope, from one scan: the cost
    components (as the aggregates hold them) and the executed-notional-weighted
    markouts of each order's curve."""

    costs: dict[str, list[tuple[int, dict[str, float]]]]
    markouts: dict[str, dict[str, list[tuple[float, float]]]]
    counts: dict[str, int]  # orders with an executed notional, per group


def order_sums(scope: Scope, by: str) -> OrderSums:
    """One pass over the results in scope. The JSON horizons and the amounts are
    pulled out once per order in a materialised CTE, then summed by (group, day)."""
    lookup = GROUP_LOOKUPS.get(by) or "order__broker"
    inner = (
        cost_results(scope)
        .annotate(
            g=F(lookup),
            d=F("trade_date"),
            w=F("executed_notional"),
            pn=F("paper_notional"),
            **{f"a{i}": F(f"{n}_amount") for i, n in enumerate(COST_NAMES)},
            **{f"x{i}": Cast(KT(f"markouts__{h}"), FloatField()) for i, h in enumerate(HORIZONS)},
        )
        .values_list(
            "g",
            "d",
            "w",
            "pn",
            *(f"a{i}" for i in range(len(COST_NAMES))),
            *(f"x{i}" for i in range(len(HORIZONS))),
        )
    )
    sql, params = inner.query.sql_with_params()
    sums = ["SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END)"]
    for i in range(len(COST_NAMES)):
        ok = f"a{i} IS NOT NULL AND pn IS NOT NULL"
        sums += [
            f"SUM(CASE WHEN {ok} THEN a{i} ELSE 0 END)",
            f"SUM(CASE WHEN {ok} THEN pn ELSE 0 END)",
        ]
    for i in range(len(HORIZONS)):
        sums += [
            f"SUM(CASE WHEN w > 0 THEN w * x{i} END)",
            f"SUM(CASE WHEN w > 0 AND x{i} IS NOT NULL THEN w END)",
        ]
    # Only generated column names are interpolated; every value is a parameter.
    query = (
        f"WITH t AS MATERIALIZED ({sql}) "  # noqa: S608
        f"SELECT g, d, COUNT(*), {', '.join(sums)} FROM t GROUP BY g, d"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    out = OrderSums(defaultdict(list), defaultdict(lambda: defaultdict(list)), defaultdict(int))
    k = len(COST_NAMES)
    for g, _day, n, n_exec, *values in rows:
        key = _key(g)
        costs = {}
        for i, name in enumerate(COST_NAMES):
            costs[f"{name}_amount"] = _float(values[2 * i])
            costs[f"{name}_notional"] = _float(values[2 * i + 1])
        out.costs[key].append((n, costs))
        out.counts[key] += int(n_exec or 0)
        for i, h in enumerate(HORIZONS):
            swx, sw = values[2 * k + 2 * i], values[2 * k + 2 * i + 1]
            if sw:
                out.markouts[key][h].append((_float(swx), _float(sw)))
    return out


def _group_days(
    scope: Scope, by: str, sums: OrderSums | None
) -> dict[str, list[tuple[int, dict[str, float]]]]:
    """Per group, per trade day: (orders, component sums) - from the aggregates when the
    request spans the firm, else from the per-order sums."""
    if scope.unconstrained:
        out: dict[str, list[tuple[int, dict[str, float]]]] = defaultdict(list)
        rows = _dated(CostAggregate.objects.filter(dimension=by), scope).values_list(
            "key", "n_orders", "sums"
        )
        for key, n, day_sums in rows:
            out[_key(key)].append((n, day_sums))
        if out:
            return out
    return (sums or order_sums(scope, by)).costs


def group_costs(scope: Scope, by: str, sums: OrderSums | None = None) -> list[GroupCosts]:
    """Per group: notional-weighted IS with its day-clustered CI and every component's
    bps, largest groups first."""
    if GROUP_LOOKUPS.get(by) is None or scope.empty:
        return []
    out = []
    for key, days in _group_days(scope, by, sums).items():
        total: dict[str, float] = defaultdict(float)
        for _, day_sums in days:
            for name, value in day_sums.items():
                total[name] += value
        ci = _clustered(
            [(d.get("is_amount", 0.0) * 1e4, d.get("is_notional", 0.0)) for _, d in days]
        )
        out.append(
            GroupCosts(key, sum(n for n, _ in days), ci, {n: bps(total, n) for n in COST_NAMES})
        )
    return sorted(out, key=lambda g: (-g.n_orders, g.key))


TEST_SAMPLE = 5000


def group_values(
    scope: Scope, by: str, keys: list[str], counts: dict[str, int]
) -> dict[str, np.ndarray]:
    """Orders' IS (bps) of the given groups for a rank test: all of them, or an even
    hash sample of ``TEST_SAMPLE`` per group (``counts``: orders per group)."""
    lookup = GROUP_LOOKUPS.get(by)
    if lookup is None or not keys:
        return {}
    keep = Q()
    for key in keys:
        n = counts.get(key, 0)
        cut = _HASH_SPACE if n <= TEST_SAMPLE else int(_HASH_SPACE * TEST_SAMPLE / n)
        keep |= Q(**{lookup: key}, _h__lt=cut)
    qs = (
        _measured(scope)
        .annotate(_h=Mod(F("order_id") * _HASH, _HASH_SPACE))
        .filter(keep)
        .values_list(lookup, "is_bps")
    )
    grouped: dict[str, list[float]] = defaultdict(list)
    for key, value in _fetch(qs):
        grouped[_key(key)].append(value)
    return {k: np.asarray(v, dtype=float) for k, v in grouped.items()}


def _fetch(qs: QuerySet) -> list[tuple]:  # type: ignore[type-arg]
    """Rows of a values_list query through the cursor: plain tuples without the ORM's
    per-row work."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- impact curves -----------------------------------------------------------------


@dataclass
class ImpactData:
    """For one feature: the least-squares √ fit over every order, decile means and a sample."""

    feature: str
    n: int
    fit: SqrtFit | None
    bins: list[Bin]
    x: np.ndarray
    y: np.ndarray


def impact_data(
    scope: Scope, *, n: int | None = None, sample: int = 1500, n_bins: int = 10
) -> dict[str, ImpactData]:
    """Two scans for both features: an even hash sample (which also places the decile
    edges), then one GROUP BY over the grid of (participation, size) decile cells
    whose sums give both fits and both sets of decile means."""
    measured = cost_results(scope).filter(is_bps__isnull=False)
    samples = _sample(measured, sample, n)
    edges = {
        f: sorted(set(np.quantile(x, np.linspace(0, 1, n_bins + 1)[1:-1]).tolist()))
        if len(x) >= 2 * n_bins
        else []
        for f, (x, _) in samples.items()
    }
    cells: dict[str, Case] = {}
    for f in IMPACT_FEATURES:
        cells[f"cell_{f}"] = Case(
            When(Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__lt": 0}), then=Value(-1)),
            *(When(**{f"{f}__lt": e}, then=Value(i)) for i, e in enumerate(edges[f])),
            default=Value(len(edges[f])),
        )
    y = F("is_bps")
    sums: dict[str, Sum | Count] = {"n": Count("pk"), "y": Sum(y), "yy": Sum(y * y)}
    for f in IMPACT_FEATURES:
        sums |= {f"x_{f}": Sum(F(f)), f"s_{f}": Sum(Sqrt(F(f))), f"sy_{f}": Sum(Sqrt(F(f)) * y)}
    rows = list(measured.annotate(**cells).values(*cells).annotate(**sums).order_by())
    out = {}
    for f in IMPACT_FEATURES:
        cell = f"cell_{f}"
        usable = [r for r in rows if r[cell] >= 0]
        tot = {
            k: sum(_float(r[k]) for r in usable)
            for k in ("n", "y", "yy", f"x_{f}", f"s_{f}", f"sy_{f}")
        }
        n_f = int(tot["n"])
        fit = sqrt_fit_from_sums(
            n=n_f, s=tot[f"s_{f}"], ss=tot[f"x_{f}"], y=tot["y"], sy=tot[f"sy_{f}"], yy=tot["yy"]
        )
        bins = []
        for i in range(len(edges[f]) + 1 if edges[f] else 0):
            part = [r for r in usable if r[cell] == i]
            count = sum(r["n"] for r in part)
            if count == 0:
                continue
            sy, syy = sum(_float(r["y"]) for r in part), sum(_float(r["yy"]) for r in part)
            ci = weighted_mean_ci(n=count, sw=count, swx=sy, sww=count, swwx=sy, swwxx=syy)
            bins.append(
                Bin(
                    sum(_float(r[f"x_{f}"]) for r in part) / count,
                    float(ci.mean or 0.0),
                    ci.low,
                    ci.high,
                    count,
                )
            )
        x, yy = samples[f]
        out[f] = ImpactData(f, n_f, fit, bins, x, yy)
    return out


def _sample(
    qs: QuerySet[CostResult], limit: int, n: int | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """About ``limit`` orders chosen by a hash of their key: spread over the whole set,
    the same ones on every request (the cloud does not jump when the page refreshes)."""
    n = qs.count() if n is None else n
    if n > limit:
        cut = int(_HASH_SPACE * limit / n)
        qs = qs.annotate(_h=Mod(F("order_id") * _HASH, _HASH_SPACE)).filter(_h__lt=cut)
    rows = _fetch(qs.values_list(*IMPACT_FEATURES, "is_bps"))
    columns = (
        [np.asarray(c, dtype=float) for c in zip(*rows, strict=True)] if rows else [np.zeros(0)] * 3
    )
    y = columns[-1]
    out = {}
    for i, feature in enumerate(IMPACT_FEATURES):
        x = columns[i]
        ok = np.isfinite(x) & (x >= 0) & np.isfinite(y)
        out[feature] = (x[ok], y[ok])
    return out


# --- markouts ----------------------------------------------------------------------


@dataclass
class MarkoutCurves:
    curves: dict[str, dict[str, MeanCI]]
    counts: dict[str, int]
    unit: str  # what the counts count: "orders" or "fills"
    source: str  # "aggregates", "orders", "fills" or "too_many"


def _clustered(daily: list[tuple[float, float]]) -> MeanCI:
    """Mean and CI of a markout from per-day (Σ w·x, Σ w), days as the clusters."""
    days = [(s, w) for s, w in daily if w > 0]
    return weighted_mean_ci(
        n=len(days),
        sw=sum(w for _, w in days),
        swx=sum(s for s, _ in days),
        sww=sum(w * w for _, w in days),
        swwx=sum(s * w for s, w in days),
        swwxx=sum(s * s for s, _ in days),
    )


def _from_aggregates(scope: Scope, by: str) -> MarkoutCurves:
    qs = MarkoutAggregate.objects.filter(dimension=by, liquidity="all")
    if scope.filters.date_from:
        qs = qs.filter(trade_date__gte=scope.filters.date_from)
    if scope.filters.date_to:
        qs = qs.filter(trade_date__lte=scope.filters.date_to)
    daily: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, int] = defaultdict(int)
    for key, n, sums in qs.values_list("key", "n_fills", "weighted_sums"):
        counts[key] += n
        for h in HORIZONS:
            w = sums.get(f"markout_{h}_notional", 0.0)
            if w:
                daily[key][h].append((sums.get(f"markout_{h}_wsum", 0.0), w))
    curves = {k: {h: _clustered(daily[k][h]) for h in HORIZONS} for k in counts}
    return MarkoutCurves(curves, dict(counts), "fills", "aggregates")


def _from_fills(scope: Scope) -> MarkoutCurves:
    """Per-venue curves from the per-fill markouts of the orders in scope (bounded read)."""
    orders = list(
        cost_results(scope).values_list(
            "order__order_id", "order__instrument__symbol", "trade_date"
        )
    )
    partitions = {(sym, day) for _, sym, day in orders}
    if len(partitions) > MAX_FILL_PARTITIONS:
        return MarkoutCurves({}, {}, "fills", "too_many")
    empty = MarkoutCurves({}, {}, "fills", "fills")
    if not partitions:
        return empty
    lazy = tick_store().scan(
        "markouts",
        symbols=sorted({s for s, _ in partitions}),
        dates=sorted({d for _, d in partitions}),
    )
    columns = lazy.collect_schema().names()
    cols = [f"markout_{h}" for h in HORIZONS if f"markout_{h}" in columns]
    if not cols:
        return empty
    ids = pl.Series([o for o, _, _ in orders], dtype=pl.String)
    frame = (
        lazy.filter(pl.col("order_id").is_in(ids.implode()))
        .select("venue", "notional", "trade_date", *cols)
        .collect()
    )
    curves: dict[str, dict[str, MeanCI]] = {}
    counts: dict[str, int] = {}
    for (venue,), part in frame.group_by("venue"):
        key = _key(venue)
        counts[key] = part.height
        curve = {}
        for col in cols:
            daily = (
                part.filter(pl.col(col).is_not_null())
                .group_by("trade_date")
                .agg(
                    (pl.col(col) * pl.col("notional")).sum().alias("s"),
                    pl.col("notional").sum().alias("w"),
                )
            )
            curve[col.removeprefix("markout_")] = _clustered(
                list(zip(daily["s"].to_list(), daily["w"].to_list(), strict=True))
            )
        curves[key] = curve
    return MarkoutCurves(curves, counts, "fills", "fills")


def markout_curves(scope: Scope, by: str, sums: OrderSums | None = None) -> MarkoutCurves:
    if scope.empty:
        return MarkoutCurves({}, {}, "orders", "orders")
    if scope.unconstrained:
        return _from_aggregates(scope, by)
    if GROUP_LOOKUPS.get(by) is None:
        return _from_fills(scope)
    sums = sums or order_sums(scope, by)
    curves = {k: {h: _clustered(sums.markouts[k][h]) for h in HORIZONS} for k in sums.counts}
    return MarkoutCurves(curves, dict(sums.counts), "orders", "orders")


def measurable(scope: Scope) -> int:
    """Orders with a measured IS in scope (the page's headline count)."""
    return _measured(scope).count()


__all__ = [
    "GROUP_LOOKUPS",
    "HORIZONS",
    "GroupCosts",
    "ImpactData",
    "MarkoutCurves",
    "OrderSums",
    "group_costs",
    "group_values",
    "impact_data",
    "markout_curves",
    "measurable",
    "order_sums",
]
