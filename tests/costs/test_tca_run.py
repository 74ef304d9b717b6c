"""A TCA run from stored fills and the tick store to stored results and the CLI."""

import contextlib
import datetime as dt
import io
import json
import threading
from decimal import Decimal

import polars as pl
import pytest
from django.core.management import call_command

from tca.costs.models import CostAggregate, CostResult, MarkoutAggregate
from tca.costs.services import tca_aggregate_days, tca_compute_chunk, tca_plan_chunks
from tca.marketdata.store import tick_store
from tests.factories import FillFactory, InstrumentFactory, ParentOrderFactory

DAY = dt.date(2026, 3, 2)
T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # 10:00 New York
S = 10**9


def ns(seconds: float) -> int:
    return int(T0.timestamp() * S + seconds * S)


def store_quotes(symbol: str, rows: list[tuple[float, float, float]]) -> None:
    frame = pl.DataFrame(
        {
            "symbol": [symbol] * len(rows),
            "time": [ns(t) for t, _, _ in rows],
            "bid": [b for _, b, _ in rows],
            "ask": [a for _, _, a in rows],
        }
    ).with_columns(pl.col("time").cast(pl.Datetime("ns", "UTC")))
    tick_store().write("quotes", frame)


@pytest.fixture
def buy_order(db):  # type: ignore[no-untyped-def]
    """Buy 1,000 decided at t=-60 s, arriving at 0, 800 filled; 30 min later the mid is 100.10."""
    inst = InstrumentFactory(symbol="AAA")
    order = ParentOrderFactory(
        order_id="B1", instrument=inst, side=1, quantity=Decimal(1000),
        decision_ns=ns(-60), arrival_ns=ns(0), end_ns=ns(120), trade_date=DAY,
    )
    FillFactory(order=order, exec_id="F1", quantity=Decimal(500), price=Decimal("100.05"),
                time_ns=ns(10), fee=Decimal("1.50"), liquidity="REMOVE")
    FillFactory(order=order, exec_id="F2", quantity=Decimal(300), price=Decimal("100.03"),
                time_ns=ns(60), fee=Decimal("-0.30"), liquidity="ADD")
    store_quotes("AAA", [
        (-90, 99.99, 100.01),   # mid 100.00 at decision
        (-1, 100.01, 100.03),   # mid 100.02 at arrival and at F1
        (30, 100.03, 100.05),   # mid 100.04 at F2
        (100, 100.05, 100.07),  # mid 100.06 at end
        (1700, 100.09, 100.11),  # mid 100.10 after H = 30 min (t_e + H = 1920 s)
    ])
    return order


def test_chunk_stores_the_spec_costs(buy_order) -> None:  # type: ignore[no-untyped-def]
    assert tca_plan_chunks() == [(DAY, ["AAA"])]
    assert tca_compute_chunk(trade_date=DAY, symbols=["AAA"]) == {"orders": 1, "fills": 2}
    cost = CostResult.objects.get(order=buy_order)
    # IS = s·Σq(p−P_d) + s·(Q−X)(P_e−P_d) + Σf
    #    = 500·0.05 + 300·0.03 + 200·0.06 + 1.20 = 25 + 9 + 12 + 1.2 = 47.2
    assert cost.is_amount == pytest.approx(47.2)
    assert cost.delay_amount == pytest.approx(800 * 0.02)  # X·(P_a−P_d)
    assert cost.execution_amount == pytest.approx(500 * 0.03 + 300 * 0.01)
    assert cost.opportunity_amount == pytest.approx(200 * 0.06)
    assert cost.fees_amount == pytest.approx(1.2)
    assert cost.spread_amount == pytest.approx(500 * 0.03 + 300 * -0.01)
    temporary = 500 * (100.02 - 100.10) + 300 * (100.04 - 100.10)  # s·Σq(m_i − P_post)
    assert cost.temporary_impact_amount == pytest.approx(temporary)
    assert cost.permanent_impact_amount == pytest.approx(0.0)  # no calibrated model yet
    assert cost.adverse_selection_amount == pytest.approx(800 * (100.10 - 100.02))
    assert cost.is_bps == pytest.approx(47.2 / (1000 * 100.0) * 1e4)
    parts = ("delay", "execution", "opportunity", "fees")
    assert sum(getattr(cost, f"{p}_amount") for p in parts) == pytest.approx(cost.is_amount)
    assert cost.fill_rate == pytest.approx(0.8)
    assert cost.passive_share == pytest.approx(300 / 800)
    buy_order.refresh_from_db()
    assert buy_order.needs_recompute is False


def test_rerun_is_idempotent_and_aggregates_add_up(buy_order) -> None:  # type: ignore[no-untyped-def]
    tca_compute_chunk(trade_date=DAY, symbols=["AAA"])
    first = CostResult.objects.values().get()
    tca_compute_chunk(trade_date=DAY, symbols=["AAA"])
    again = CostResult.objects.values().get()
    first.pop("computed_at")
    again.pop("computed_at")
    assert again == first
    assert CostResult.objects.count() == 1
    tca_aggregate_days(dates=[DAY])
    tca_aggregate_days(dates=[DAY])
    broker = CostAggregate.objects.get(dimension="broker", key="BRKA", trade_date=DAY)
    assert broker.n_orders == 1
    assert broker.sums["is_amount"] == pytest.approx(47.2)
    assert broker.sums["is_notional"] == pytest.approx(100_000.0)
    assert MarkoutAggregate.objects.filter(dimension="broker", liquidity="all").count() == 1


def test_show_order_json_uses_the_spec_names(buy_order) -> None:  # type: ignore[no-untyped-def]
    tca_compute_chunk(trade_date=DAY, symbols=["AAA"])
    out = io.StringIO()
    call_command("show_order", "B1", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["order_id"] == "B1"
    assert list(doc["costs"]) == [
        "is", "delay", "execution", "opportunity", "fees", "spread",
        "temporary_impact", "permanent_impact", "adverse_selection",
    ]
    assert doc["costs"]["is"]["amount"] == pytest.approx(47.2)
    assert {"arrival", "vwap", "twap", "open", "close", "previous_close"} <= set(doc["benchmarks"])
    assert doc["benchmarks"]["arrival"]["price"] == pytest.approx(100.02)
    assert doc["benchmarks"]["vwap"]["price"] is None  # no trade prints stored
    assert "missing_trades" in doc["flags"]  # VWAP is null, and says why


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_compute_api_fans_out_on_the_worker(  # type: ignore[no-untyped-def]
    celery_worker, buy_order, quant, api_client_for
) -> None:
    from tests.ingestion.test_api_and_worker import wait_for

    client = api_client_for(quant)
    response = client.post("/api/v1/tca/compute/", {"date": "2026-03-02"}, format="json")
    assert response.status_code == 202
    job = wait_for(response.json()["job_id"])
    assert job.status == "succeeded", job.result
    assert job.result["orders"] == 1
    assert CostResult.objects.get(order=buy_order).is_amount == pytest.approx(47.2)
    assert CostAggregate.objects.filter(trade_date=DAY).exists()


@pytest.mark.django_db
def test_compute_api_needs_the_run_permission(compliance, api_client_for) -> None:  # type: ignore[no-untyped-def]
    response = api_client_for(compliance).post("/api/v1/tca/compute/", {}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_same_chunk_at_once_leave_one_row(  # type: ignore[no-untyped-def]
    buy_order, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest's stale-only run and a redelivered task may store the same orders together."""
    from django.db import connection

    from tca.costs import services

    barrier = threading.Barrier(2)
    store = services._store_results

    def store_together(rows: pl.DataFrame) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        store(rows)

    monkeypatch.setattr(services, "_store_results", store_together)
    outcomes: list[object] = []

    def run() -> None:
        try:
            outcomes.append(tca_compute_chunk(trade_date=DAY, symbols=["AAA"]))
        except Exception as error:  # reported by the assertion below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == [{"orders": 1, "fills": 2}] * 2
    assert CostResult.objects.get(order=buy_order).is_amount == pytest.approx(47.2)
