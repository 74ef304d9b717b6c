"""Re-attributing stored results when a permanent-impact model is promoted."""

from __future__ import annotations

import polars as pl
from django.db import transaction

from tca.analytics.reattribution import COLUMNS, reattribute

from .models import CostResult
from .services import tca_aggregate_days

BATCH = 2000


def cost_results_reattribute() -> dict[str, int]:
    """Re-split every result not attributed by the champion Almgren model; idempotent
    (results already carrying the champion's version are left alone)."""
    from models_app.selectors import permanent_impact_model

    model = permanent_impact_model()
    if model is None:
        return {"orders": 0}
    stale = CostResult.objects.exclude(model_version=model.version)
    rows = list(stale.values_list("order_id", "trade_date", *COLUMNS))
    if not rows:
        return {"orders": 0}
    frame = pl.DataFrame(
        rows, schema=["order_id", "trade_date", *COLUMNS], orient="row", infer_schema_length=None
    )
    out = reattribute(frame, gamma=model.gamma)
    fields = [
        "permanent_impact_amount", "permanent_impact_bps",
        "adverse_selection_amount", "adverse_selection_bps",
    ]  # fmt: skip
    objects = [
        CostResult(
            order_id=rec["order_id"], model_version=model.version, **{f: rec[f] for f in fields}
        )
        for rec in out.select("order_id", *fields).iter_rows(named=True)
    ]
    with transaction.atomic():
        CostResult.objects.bulk_update(objects, [*fields, "model_version"], batch_size=BATCH)
        dates = sorted(set(frame["trade_date"].to_list()))
        tca_aggregate_days(dates=dates)
    return {"orders": len(objects), "days": len(dates)}
