"""What a request may see (its desk) combined with what it asked for (the page filters).

Dashboards read pre-computed aggregates whenever the request can be answered
from them: the aggregates are sums per (dimension, key, day), so any date range
of one dimension's key is a sum of rows. A request constrained on two or more
dimensions at once (a trader's desk plus a broker filter, say) cannot be, and is
answered from the per-order results instead (same formulas, see docs/dashboards.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet

from tca.costs.models import CostResult
from tca.orders.selectors import OrderFilters, user_desk_lock

# Filter name -> (aggregate dimension, field, whether the field is the order's or the result's).
_FILTER_LOOKUPS: dict[str, tuple[str, str, bool]] = {
    "symbol": ("symbol", "instrument__symbol", True),
    "side": ("side", "side", True),
    "broker": ("broker", "broker", True),
    "algo": ("algo", "algo", True),
    "trader": ("trader", "trader", True),
    "desk": ("desk", "desk", True),
    "regime": ("regime", "regime", False),
    # No aggregate is kept per asset class: a request naming one reads the results.
    "asset_class": ("asset_class", "instrument__asset_class", True),
}
_NOT_AGGREGATED = frozenset({"asset_class"})


def desk_lock(user: AbstractBaseUser) -> str | None:
    """The only desk a user may see, or None for every desk.

    The same rule as ``tca.orders.selectors.orders_visible_to`` and the ingest
    services: a user without ``view_all_desks`` and without a desk sees nothing (``""``).
    """
    return user_desk_lock(user=user)


@dataclass(frozen=True)
class Scope:
    lock: str | None
    filters: OrderFilters

    @property
    def empty(self) -> bool:
        """Nothing can match: no desk at all, or a desk filter outside the user's desk."""
        if self.lock == "":
            return True
        return bool(self.lock and self.filters.desk and self.filters.desk != self.lock)

    def _values(self) -> dict[str, str | int]:
        out: dict[str, str | int] = {}
        f = self.filters
        for name in _FILTER_LOOKUPS:
            value = getattr(f, name)
            if value not in (None, ""):
                out[name] = value
        if self.lock:
            out["desk"] = self.lock
        return out

    def constraints(self) -> dict[str, str]:
        """The request as aggregate (dimension -> key) pairs."""
        out = {}
        for name, value in self._values().items():
            if name == "side":
                out["side"] = "buy" if value == 1 else "sell"
            elif name == "symbol":
                out["symbol"] = str(value).upper()
            else:
                out[_FILTER_LOOKUPS[name][0]] = str(value)
        return out

    @property
    def from_aggregates(self) -> bool:
        """True when one dimension's aggregate rows answer the request exactly."""
        constraints = self.constraints()
        return len(constraints) <= 1 and not _NOT_AGGREGATED & set(constraints)

    @property
    def unconstrained(self) -> bool:
        return not self.constraints()


def scope_for(*, user: AbstractBaseUser, filters: OrderFilters | None = None) -> Scope:
    return Scope(lock=desk_lock(user), filters=filters or OrderFilters())


def apply_scope[M: Model](
    qs: QuerySet[M], scope: Scope, *, order: str, cost: str, date: str = "trade_date"
) -> QuerySet[M]:
    """Filter any queryset by the scope, given the paths from its model to the order
    and to the order's result (``""`` for the model itself)."""
    if scope.empty:
        return qs.none()
    f = scope.filters
    if f.date_from:
        qs = qs.filter(**{f"{date}__gte": f.date_from})
    if f.date_to:
        qs = qs.filter(**{f"{date}__lte": f.date_to})
    for name, value in scope._values().items():
        _, field, on_order = _FILTER_LOOKUPS[name]
        base = order if on_order else cost
        lookup = f"{base}__{field}" if base else field
        qs = qs.filter(**{lookup: str(value).upper() if name == "symbol" else value})
    return qs.order_by()


def cost_results(scope: Scope) -> QuerySet[CostResult]:
    """Per-order results matching the scope (no ordering, no joins beyond the filters)."""
    return apply_scope(CostResult.objects.all(), scope, order="order", cost="")
