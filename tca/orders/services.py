"""Services for orders."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from .models import ParentOrder


def orders_mark_for_recompute(*, symbol_days: Iterable[tuple[str, dt.date]]) -> int:
    """New market data for (symbol, day) changes the costs of that day's orders."""
    return _mark(Q(instrument__symbol=symbol, trade_date=day) for symbol, day in symbol_days)


def orders_mark_for_recompute_after(*, symbol_first_days: Iterable[tuple[str, dt.date]]) -> int:
    """New daily history from (symbol, day) on changes the daily features of later orders."""
    return _mark(
        Q(instrument__symbol=symbol, trade_date__gt=day) for symbol, day in symbol_first_days
    )


def _mark(conditions: Iterable[Q]) -> int:
    """Flag the orders matching any of ``conditions`` for recompute."""
    condition = Q()
    for part in conditions:
        condition |= part
    if not condition:
        return 0
    return ParentOrder.objects.filter(condition).update(needs_recompute=True)
