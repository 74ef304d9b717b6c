"""Services for orders."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from .models import ParentOrder


def orders_mark_for_recompute(*, symbol_days: Iterable[tuple[str, dt.date]]) -> int:
    """New market data for (symbol, day) changes the costs of that day's orders."""
    condition = Q()
    for symbol, day in symbol_days:
        condition |= Q(instrument__symbol=symbol, trade_date=day)
    if not condition:
        return 0
    return ParentOrder.objects.filter(condition).update(needs_recompute=True)


def orders_mark_for_recompute_after(*, symbol_first_days: Iterable[tuple[str, dt.date]]) -> int:
    """New daily history from (symbol, day) on changes the daily features of later orders."""
    condition = Q()
    for symbol, day in symbol_first_days:
        condition |= Q(instrument__symbol=symbol, trade_date__gt=day)
    if not condition:
        return 0
    return ParentOrder.objects.filter(condition).update(needs_recompute=True)
