"""Re-splitting the persistent move from stored results (hand-computed)."""

import polars as pl
import pytest

from tca.analytics.reattribution import reattribute


def test_resplit_moves_cost_between_permanent_and_adverse_selection() -> None:
    stored = pl.DataFrame(
        {
            "executed_qty": [1000.0, 500.0, 0.0],
            "arrival_price": [50.0, 20.0, 10.0],
            "volatility": [0.02, None, 0.02],
            "adv20": [100_000.0, 1e6, 1e6],
            "paper_notional": [50_000.0, 10_000.0, 1_000.0],
            "permanent_impact_amount": [0.0, 3.0, 0.0],
            "adverse_selection_amount": [40.0, 7.0, 0.0],
        }
    )
    out = reattribute(stored, gamma=0.5)
    # order 1: frac = 0.5·0.02·1000/100000 = 1e-4; Î = 1000·50·1e-4 = 5
    assert out["permanent_impact_amount"].to_list() == pytest.approx([5.0, 0.0, 0.0])
    assert out["adverse_selection_amount"].to_list() == pytest.approx([35.0, 10.0, 0.0])
    assert out["permanent_impact_bps"][0] == pytest.approx(1.0)
    assert out["adverse_selection_bps"][0] == pytest.approx(7.0)
    before = stored["permanent_impact_amount"] + stored["adverse_selection_amount"]
    after = out["permanent_impact_amount"] + out["adverse_selection_amount"]
    assert after.to_list() == pytest.approx(before.to_list())
