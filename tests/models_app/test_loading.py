"""The order table from stored results: the post-horizon cut travels with it."""

import datetime as dt

import pytest

from models_app.loading import order_table
from tca.costs.models import CostResult
from tests.factories import ParentOrderFactory

pytestmark = pytest.mark.django_db


def test_stored_flags_say_which_post_horizons_were_cut() -> None:
    day = dt.date(2026, 3, 2)
    for order_id, flags in (("CUT", ["stale_quote", "post_horizon_clipped"]), ("FULL", [])):
        order = ParentOrderFactory(order_id=order_id, trade_date=day)
        CostResult.objects.create(
            order=order, trade_date=day, executed_qty=100.0, size_adv=0.01, volatility=0.02,
            execution_bps=5.0, temporary_impact_bps=1.0, adverse_selection_bps=2.0,
            spread_bps=1.0, flags=flags,
        )  # fmt: skip
    table = order_table()
    assert dict(table.select("order_id", "post_clipped").iter_rows()) == {
        "CUT": True,
        "FULL": False,
    }
