"""Reads of orders and fills, scoped to what the user may see."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, QuerySet

from .models import Fill, ParentOrder

SORTABLE = {
    "order_id": "order_id",
    "symbol": "instrument__symbol",
    "side": "side",
    "quantity": "quantity",
    "arrival": "arrival_ns",
    "broker": "broker",
    "algo": "algo",
    "trader": "trader",
    "desk": "desk",
    "is_bps": "cost__is_bps",
    "size_adv": "cost__size_adv",
    "participation": "cost__participation",
}


@dataclass(frozen=True)
class OrderFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    symbol: str = ""
    side: int | None = None
    broker: str = ""
    algo: str = ""
    trader: str = ""
    desk: str = ""
    regime: str = ""
    asset_class: str = ""


def user_desk_lock(*, user: AbstractBaseUser | None) -> str | None:
    """The only desk ``user`` may read or write, or None for every desk.

    ``""`` is a user without ``view_all_desks`` and without a desk: nothing at all.
    ``user=None`` is the system itself (the CLI, the demo): every desk.
    """
    if user is None or user.has_perm("orders.view_all_desks"):
        return None
    return getattr(getattr(user, "profile", None), "desk", "") or ""


def orders_visible_to(*, user: AbstractBaseUser) -> QuerySet[ParentOrder]:
    """Traders see their desk's orders; compliance and quants see all."""
    qs = ParentOrder.objects.all()
    desk = user_desk_lock(user=user)
    if desk is None:
        return qs
    return qs.filter(desk=desk) if desk else qs.none()


def order_list(
    *, user: AbstractBaseUser, filters: OrderFilters | None = None, sort: str = "-arrival"
) -> QuerySet[ParentOrder]:
    f = filters or OrderFilters()
    qs = orders_visible_to(user=user).select_related("instrument", "cost")
    if f.date_from:
        qs = qs.filter(trade_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(trade_date__lte=f.date_to)
    if f.symbol:
        qs = qs.filter(instrument__symbol=f.symbol.upper())
    if f.side in (1, -1):
        qs = qs.filter(side=f.side)
    for name in ("broker", "algo", "trader", "desk"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.regime:
        qs = qs.filter(cost__regime=f.regime)
    if f.asset_class:
        qs = qs.filter(instrument__asset_class=f.asset_class)
    descending = sort.startswith("-")
    field = SORTABLE.get(sort.lstrip("-"), "arrival_ns")
    expr = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return qs.order_by(expr, "pk")


def order_get(*, user: AbstractBaseUser, order_id: str) -> ParentOrder | None:
    return (
        orders_visible_to(user=user)
        .select_related("instrument", "cost")
        .filter(order_id=order_id)
        .first()
    )


def fill_list(*, user: AbstractBaseUser, order_id: str | None = None) -> QuerySet[Fill]:
    qs = Fill.objects.filter(order__in=orders_visible_to(user=user), is_cancelled=False)
    if order_id:
        qs = qs.filter(order__order_id=order_id)
    return qs.select_related("order").order_by("time_ns", "pk")


def order_dimension_values(*, user: AbstractBaseUser) -> dict[str, list[str]]:
    """Distinct filter values for the blotter's drop-downs."""
    qs = orders_visible_to(user=user)
    out: dict[str, list[str]] = {}
    for name in ("broker", "algo", "trader", "desk"):
        out[name] = sorted(
            v for v in qs.order_by().values_list(name, flat=True).distinct() if v
        )
    out["symbol"] = sorted(
        qs.order_by().values_list("instrument__symbol", flat=True).distinct()
    )
    return out
