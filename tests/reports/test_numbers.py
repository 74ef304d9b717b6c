"""The numbers on the pages are the stored ones: hand-checked orders, both read paths."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from reports.selectors import cost_days, scope_for, summarise
from tca.orders.selectors import OrderFilters
from tests.factories import ParentOrderFactory
from tests.reports.factories import (
    CostAggregateFactory,
    CostResultFactory,
    MarkoutAggregateFactory,
    cost_fields,
)

DAY = dt.date(2026, 3, 2)
# Order A: 1,000,000 paper notional, IS 1,500 = 15 bps.
A = cost_fields(
    1_000_000.0,
    delay=200,
    spread=300,
    temporary_impact=400,
    permanent_impact=100,
    adverse_selection=300,
    opportunity=100,
    fees=100,
)
# Order B: 3,000,000 paper notional, IS 1,800 = 6 bps.
B = cost_fields(
    3_000_000.0,
    delay=300,
    spread=600,
    temporary_impact=900,
    permanent_impact=300,
    adverse_selection=-600,
    fees=300,
)
# Together, by hand: Σ amount / Σ notional × 1e4 over 4,000,000.
EXPECTED_BPS = {
    "is": 8.25,
    "delay": 1.25,
    "spread": 2.25,
    "temporary_impact": 3.25,
    "permanent_impact": 1.0,
    "adverse_selection": -0.75,
    "opportunity": 0.25,
    "fees": 1.0,
    "execution": 5.75,
}


def _sums(*orders: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for o in orders:
        for name in EXPECTED_BPS:
            out[f"{name}_amount"] = out.get(f"{name}_amount", 0.0) + o[f"{name}_amount"]
            out[f"{name}_notional"] = out.get(f"{name}_notional", 0.0) + o["paper_notional"]
    return out


@pytest.fixture
def two_orders(db):  # type: ignore[no-untyped-def]
    a = CostResultFactory(
        order=ParentOrderFactory(order_id="HAND-A", broker="BRKA", desk="Cash Equities"),
        regime="normal",
        **A,
    )
    b = CostResultFactory(
        order=ParentOrderFactory(order_id="HAND-B", broker="BRKB", desk="Cash Equities", side=-1),
        regime="normal",
        **B,
    )
    # The aggregates as the TCA run stores them: one row per (dimension, key, day).
    CostAggregateFactory(dimension="side", key="buy", n_orders=1, paper_notional=1e6, sums=_sums(A))
    CostAggregateFactory(
        dimension="side", key="sell", n_orders=1, paper_notional=3e6, sums=_sums(B)
    )
    CostAggregateFactory(
        dimension="desk", key="Cash Equities", n_orders=2, paper_notional=4e6, sums=_sums(A, B)
    )
    return a, b


def _component_cells(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-component="(\w+)">([^<]+)<', html))


@pytest.mark.django_db
def test_overview_shows_the_hand_computed_weighted_costs(two_orders, compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    response = client.get(reverse("reports:overview"))
    html = response.content.decode()
    cells = _component_cells(html)
    for name, value in EXPECTED_BPS.items():
        assert cells[name] == f"{value:+,.2f}", name
    assert "3,300" in html  # total IS in money, thousands separator
    assert "4,000,000" in html  # paper notional
    assert response.context["summary"].source == "aggregates"
    waterfall = response.context["figures"]["waterfall"]["data"][0]
    assert waterfall["y"][-1] == pytest.approx(8.25)
    assert waterfall["y"][:-1] == pytest.approx(
        [
            EXPECTED_BPS[n]
            for n in (
                "delay",
                "spread",
                "temporary_impact",
                "permanent_impact",
                "adverse_selection",
                "opportunity",
                "fees",
            )
        ]
    )


@pytest.mark.django_db
def test_trader_overview_reads_the_desk_aggregate(two_orders, trader_client) -> None:  # type: ignore[no-untyped-def]
    response = trader_client.get(reverse("reports:overview"))
    assert response.context["summary"].source == "aggregates"
    assert response.context["summary"].bps["is"] == pytest.approx(8.25)


@pytest.mark.django_db
def test_aggregate_and_per_order_paths_agree(two_orders, compliance) -> None:  # type: ignore[no-untyped-def]
    by_aggregates = summarise(*cost_days(scope_for(user=compliance)))
    # Two constraints (desk and regime) force the per-order path over the same orders.
    filters = OrderFilters(desk="Cash Equities", regime="normal")
    days, source = cost_days(scope_for(user=compliance, filters=filters))
    by_orders = summarise(days, source)
    assert source == "orders" and by_aggregates.source == "aggregates"
    for name, value in EXPECTED_BPS.items():
        assert by_orders.bps[name] == pytest.approx(value), name
        assert by_aggregates.bps[name] == pytest.approx(value), name
    assert by_orders.amount["is"] == pytest.approx(3300.0)
    assert by_orders.n_orders == by_aggregates.n_orders == 2


@pytest.mark.django_db
def test_per_order_path_shows_one_broker_exactly(two_orders, compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    response = client.get(reverse("reports:overview"), {"broker": "BRKB", "regime": "normal"})
    cells = _component_cells(response.content.decode())
    assert cells["is"] == "+6.00"
    assert cells["adverse_selection"] == "-2.00"
    worst = response.context["worst"]
    assert [w.order.order_id for w in worst] == ["HAND-B"]


@pytest.mark.django_db
def test_order_page_shows_the_stored_result(two_orders, compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    html = client.get(reverse("reports:order_detail", args=["HAND-A"])).content.decode()
    cells = _component_cells(html)
    assert cells == {
        "is": "+15.00",
        "delay": "+2.00",
        "execution": "+11.00",
        "spread": "+3.00",
        "temporary_impact": "+4.00",
        "permanent_impact": "+1.00",
        "adverse_selection": "+3.00",
        "opportunity": "+1.00",
        "fees": "+1.00",
    }
    assert "1,500.00" in html  # IS in money


@pytest.mark.django_db
def test_compare_group_means_are_the_stored_costs(two_orders, compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    response = client.get(reverse("reports:compare"), {"by": "broker"})
    stats = {g.key: g for g in response.context["group_stats"]}
    assert stats["BRKA"].mean == pytest.approx(15.0) and stats["BRKA"].n == 1
    assert stats["BRKB"].mean == pytest.approx(6.0)
    components = response.context["figures"]["components"]["data"]
    adverse = next(t for t in components if t["name"] == "Adverse selection")
    assert adverse["y"] == pytest.approx([3.0, -2.0]) or adverse["y"] == pytest.approx([-2.0, 3.0])


@pytest.mark.django_db
def test_venue_markouts_from_aggregates(compliance, client) -> None:  # type: ignore[no-untyped-def]
    CostResultFactory(**A)  # something to compare
    # 2 bps on the first day, 6 bps on the second, each on 1,000,000 of fills.
    for day, wsum in ((DAY, 2e6), (DAY + dt.timedelta(days=1), 6e6)):
        MarkoutAggregateFactory(
            trade_date=day,
            n_fills=5,
            notional=1e6,
            weighted_sums={"markout_60s_wsum": wsum, "markout_60s_notional": 1e6},
        )
    client.force_login(compliance)
    figure = client.get(reverse("reports:compare"), {"by": "venue"}).context["figures"]["markouts"]
    trace = figure["data"][0]
    assert trace["name"] == "XNYS (n = 10 fills)"
    at_60s = trace["x"].index("+1 min")
    assert trace["y"][at_60s] == pytest.approx(4.0)  # (2e6 + 6e6) / 2e6


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["broker", "algo", "regime"])
def test_group_costs_agree_between_aggregates_and_orders(compliance, by) -> None:  # type: ignore[no-untyped-def]
    from reports.selectors import group_costs
    from tca.costs.models import CostAggregate
    from tests.reports.builders import build_dataset

    build_dataset(quotes=False)
    scope = scope_for(user=compliance)
    via_aggregates = {g.key: g for g in group_costs(scope, by)}
    CostAggregate.objects.all().delete()  # now only the per-order path can answer
    via_orders = {g.key: g for g in group_costs(scope, by)}
    assert set(via_aggregates) == set(via_orders) and len(via_orders) == 3
    for key, g in via_orders.items():
        other = via_aggregates[key]
        assert g.n_orders == other.n_orders
        assert g.ci.n == other.ci.n == 6  # six trade days: the clusters
        assert (g.ci.mean, g.ci.low, g.ci.high) == pytest.approx(
            (other.ci.mean, other.ci.low, other.ci.high)
        )
        assert g.bps["spread"] == pytest.approx(other.bps["spread"])
