"""Factories for stored TCA results, so tests state the numbers they check."""

from __future__ import annotations

import datetime as dt

import factory

from tca.costs.models import CostAggregate, CostResult, MarkoutAggregate
from tests.factories import ParentOrderFactory

COMPONENTS = (
    "delay",
    "spread",
    "temporary_impact",
    "permanent_impact",
    "adverse_selection",
    "opportunity",
    "fees",
)


class CostResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostResult

    order = factory.SubFactory(ParentOrderFactory)
    trade_date = factory.SelfAttribute("order.trade_date")
    executed_qty = factory.LazyAttribute(lambda c: float(c.order.quantity))
    paper_notional = 1_000_000.0
    executed_notional = factory.SelfAttribute("paper_notional")


def cost_fields(paper: float, **amounts: float) -> dict[str, float]:
    """``<name>_amount`` and ``<name>_bps`` for the given component amounts, with
    execution and IS summed as the SPEC decomposes them."""
    values = {n: amounts.get(n, 0.0) for n in COMPONENTS}
    values["execution"] = sum(
        values[n] for n in ("spread", "temporary_impact", "permanent_impact", "adverse_selection")
    )
    values["is"] = values["delay"] + values["execution"] + values["opportunity"] + values["fees"]
    out = {"paper_notional": paper}
    for name, amount in values.items():
        out[f"{name}_amount"] = amount
        out[f"{name}_bps"] = amount / paper * 1e4
    return out


class CostAggregateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostAggregate

    dimension = "side"
    key = "buy"
    trade_date = dt.date(2026, 3, 2)
    n_orders = 1
    paper_notional = 1_000_000.0
    executed_notional = 1_000_000.0
    sums = factory.LazyFunction(dict)


class MarkoutAggregateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarkoutAggregate

    dimension = "venue"
    key = "XNYS"
    trade_date = dt.date(2026, 3, 2)
    liquidity = "all"
    n_fills = 10
    notional = 1_000_000.0
    weighted_sums = factory.LazyFunction(dict)
