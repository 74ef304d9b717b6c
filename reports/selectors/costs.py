"""Cost totals and series for the overview, from aggregates when possible."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Case, Count, F, FloatField, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from tca.costs.models import COST_NAMES, CostAggregate, CostResult
from tca.instruments.models import Instrument
from tca.orders.models import ParentOrder
from tca.orders.selectors import OrderFilters, order_dimension_values

from .scope import Scope, cost_results


@dataclass
class CostDay:
    """One trade date's additive sums (the shape of a CostAggregate row)."""

    trade_date: dt.date
    n_orders: int = 0
    paper_notional: float = 0.0
    executed_notional: float = 0.0
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, other: CostDay) -> None:
        self.n_orders += other.n_orders
        self.paper_notional += other.paper_notional
        self.executed_notional += other.executed_notional
        for k, v in other.sums.items():
            self.sums[k] = self.sums.get(k, 0.0) + v


@dataclass(frozen=True)
class CostSummary:
    """Totals over a period. ``bps[name]`` = Σ amount / Σ measurable notional × 1e4."""

    n_orders: int
    paper_notional: float
    executed_notional: float
    amount: dict[str, float | None]
    bps: dict[str, float | None]
    first_day: dt.date | None
    last_day: dt.date | None
    source: str


def _date_filter(qs: QuerySet, scope: Scope) -> QuerySet:  # type: ignore[type-arg]
    if scope.filters.date_from:
        qs = qs.filter(trade_date__gte=scope.filters.date_from)
    if scope.filters.date_to:
        qs = qs.filter(trade_date__lte=scope.filters.date_to)
    return qs


def _from_aggregates(scope: Scope) -> list[CostDay]:
    constraints = scope.constraints()
    if constraints:
        ((dimension, key),) = constraints.items()
        qs = CostAggregate.objects.filter(dimension=dimension, key=key)
    else:  # every order has exactly one side key, so summing a dimension's keys is the total
        qs = CostAggregate.objects.filter(dimension="side")
    rows = _date_filter(qs, scope).values_list(
        "trade_date", "n_orders", "paper_notional", "executed_notional", "sums"
    )
    days: dict[dt.date, CostDay] = {}
    for day, n, paper, executed, sums in rows:
        days.setdefault(day, CostDay(day)).add(CostDay(day, n, paper, executed or 0.0, sums))
    return [days[d] for d in sorted(days)]


def _measurable(name: str) -> Q:
    return Q(**{f"{name}_amount__isnull": False, "paper_notional__isnull": False})


SUM_PREFIX = "sum__"  # annotation names must not shadow the model's own fields


def cost_sum_annotations() -> dict[str, Sum]:
    """SQL twins of tca.analytics.aggregate_costs: Σ amount and Σ notional where measurable,
    named ``sum__<name>_amount`` / ``sum__<name>_notional``."""
    zero = Value(0.0, output_field=FloatField())
    out: dict[str, Sum] = {}
    for name in COST_NAMES:
        out[f"{SUM_PREFIX}{name}_amount"] = Sum(
            Case(When(_measurable(name), then=F(f"{name}_amount")), default=zero)
        )
        out[f"{SUM_PREFIX}{name}_notional"] = Sum(
            Case(When(_measurable(name), then=F("paper_notional")), default=zero)
        )
    return out


def _from_orders(scope: Scope) -> list[CostDay]:
    zero = Value(0.0, output_field=FloatField())
    sums = cost_sum_annotations()
    rows = (
        cost_results(scope)
        .values("trade_date")
        .annotate(
            n=Count("pk"),
            paper=Sum(Coalesce("paper_notional", zero)),
            executed=Sum(Coalesce("executed_notional", zero)),
            **sums,
        )
        .order_by("trade_date")
    )
    return [
        CostDay(
            r["trade_date"],
            r["n"],
            r["paper"] or 0.0,
            r["executed"] or 0.0,
            {k.removeprefix(SUM_PREFIX): float(r[k] or 0.0) for k in sums},
        )
        for r in rows
    ]


def cost_days(scope: Scope) -> tuple[list[CostDay], str]:
    """Daily sums for the scope and where they came from ("aggregates" or "orders")."""
    if scope.empty:
        return [], "orders"
    if scope.from_aggregates:
        days = _from_aggregates(scope)
        if days:
            return days, "aggregates"
        # Results stored but not aggregated yet (a TCA run in progress): read them directly.
    return _from_orders(scope), "orders"


def bps(sums: dict[str, float], name: str) -> float | None:
    notional = sums.get(f"{name}_notional", 0.0)
    if notional <= 0:
        return None
    return sums.get(f"{name}_amount", 0.0) / notional * 1e4


def summarise(days: list[CostDay], source: str) -> CostSummary:
    total = CostDay(dt.date.min)
    for day in days:
        total.add(day)
    measured = {n: total.sums.get(f"{n}_notional", 0.0) > 0 for n in COST_NAMES}
    return CostSummary(
        n_orders=total.n_orders,
        paper_notional=total.paper_notional,
        executed_notional=total.executed_notional,
        amount={n: total.sums.get(f"{n}_amount") if measured[n] else None for n in COST_NAMES},
        bps={n: bps(total.sums, n) for n in COST_NAMES},
        first_day=days[0].trade_date if days else None,
        last_day=days[-1].trade_date if days else None,
        source=source,
    )


def worst_orders(scope: Scope, *, limit: int = 10) -> list[CostResult]:
    """The orders that cost the most money in the scope (largest IS amount).

    Two steps: the top keys from a narrow scan, then those rows in full; sorting
    every wide result row (all components, benchmarks, JSON) costs ten times more.
    """
    keys = list(
        cost_results(scope)
        .filter(is_amount__isnull=False)
        .order_by(F("is_amount").desc(), "pk")
        .values_list("pk", flat=True)[:limit]
    )
    rows = CostResult.objects.select_related("order", "order__instrument").in_bulk(keys)
    return [rows[k] for k in keys]


@dataclass(frozen=True)
class AttributionVersion:
    """How many orders in scope had their permanent impact split by one model version."""

    version: str  # "" when no calibrated model was available at compute time
    n_orders: int


def attribution_versions(scope: Scope) -> list[AttributionVersion]:
    """Model versions behind the permanent/adverse-selection split, most orders first.

    Shown beside the totals so a reader knows whether permanent impact is a model's
    estimate or zero for lack of one (and whether a promotion re-split every order).
    """
    if scope.empty:
        return []
    rows = (
        cost_results(scope)
        .values("model_version")
        .annotate(n=Count("pk"))
        .order_by("-n", "model_version")
    )
    return [AttributionVersion(r["model_version"] or "", r["n"]) for r in rows]


def currencies() -> list[str]:
    """Instrument currencies in use: totals in money are only meaningful with one."""
    return sorted(
        set(Instrument.objects.order_by().values_list("currency", flat=True).distinct()) - {""}
    )


CHOICES_TTL_SECONDS = 300


def _data_version() -> tuple[int | None, int | None]:
    """Changes whenever orders arrive or a TCA run rebuilds the aggregates (new keys)."""
    return (
        ParentOrder.objects.aggregate(m=Max("pk"))["m"],
        CostAggregate.objects.aggregate(m=Max("pk"))["m"],
    )


def filter_choices(*, user: AbstractBaseUser, scope: Scope) -> dict[str, list[str]]:
    """Drop-down values, cached per desk until the data changes.

    For every-desk users the aggregate keys answer in one query; a desk-locked
    user gets values from their own desk's orders only, so no other desk's
    names leak.
    """
    digest = hashlib.sha256(repr((scope.lock, _data_version())).encode()).hexdigest()[:32]
    key = f"reports-choices-{digest}"  # memcached-safe: no spaces or quotes
    cached = cache.get(key)
    if cached is None:
        cached = _filter_choices(user=user, scope=scope)
        cache.set(key, cached, CHOICES_TTL_SECONDS)
    return cached


def _filter_choices(*, user: AbstractBaseUser, scope: Scope) -> dict[str, list[str]]:
    dims = ("broker", "algo", "trader", "desk", "symbol", "regime")
    out: dict[str, list[str]] = defaultdict(list)
    if scope.lock is None:
        rows = (
            CostAggregate.objects.filter(dimension__in=dims)
            .order_by()
            .values_list("dimension", "key")
            .distinct()
        )
        for dim, key in rows:
            out[dim].append(key)
    if not out and scope.lock != "":
        out.update(order_dimension_values(user=user))
        out["regime"] = list(
            cost_results(Scope(scope.lock, OrderFilters()))
            .values_list("regime", flat=True)
            .distinct()
        )
    return {d: sorted(v for v in out.get(d, []) if v and v != "unknown") for d in dims}
