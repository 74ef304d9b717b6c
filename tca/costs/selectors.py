"""Reads of stored cost results in the SPEC's public shape."""

import math
from typing import Any

from tca.orders.models import ParentOrder

from .models import BENCHMARK_NAMES, COST_NAMES, FEATURE_NAMES, CostResult


def _clean(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def order_result_document(*, order: ParentOrder) -> dict[str, Any]:
    """One order's result as ``show_order --json`` and the API print it (SPEC §6).

    A value that cannot be computed is ``None`` (JSON ``null``); an order not yet
    computed has every cost null and the flag ``not_computed``.
    """
    cost: CostResult | None = getattr(order, "cost", None)
    if cost is None:
        return {
            "order_id": order.order_id,
            "model_version": None,
            "costs": {n: {"amount": None, "bps": None} for n in COST_NAMES},
            "benchmarks": {
                n: {"price": None, "slippage_bps": None}
                for n in BENCHMARK_NAMES
                if n != "pwp"
            },
            "features": {},
            "flags": ["not_computed"],
        }
    benchmarks = {
        n: {
            "price": _clean(getattr(cost, f"{n}_price")),
            "slippage_bps": _clean(getattr(cost, f"{n}_slippage_bps")),
        }
        for n in BENCHMARK_NAMES
    }
    features: dict[str, Any] = {n: _clean(getattr(cost, n)) for n in FEATURE_NAMES}
    features.update(
        executed_qty=_clean(cost.executed_qty),
        avg_price=_clean(cost.avg_price),
        paper_notional=_clean(cost.paper_notional),
        adv20=_clean(cost.adv20),
        regime=cost.regime or None,
        size_bucket=cost.size_bucket or None,
    )
    return {
        "order_id": order.order_id,
        "model_version": cost.model_version or None,
        "costs": {
            n: {
                "amount": _clean(getattr(cost, f"{n}_amount")),
                "bps": _clean(getattr(cost, f"{n}_bps")),
            }
            for n in COST_NAMES
        },
        "benchmarks": benchmarks,
        "features": features,
        "markouts": cost.markouts,
        "flags": list(cost.flags),
    }
