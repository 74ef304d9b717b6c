"""Promoting a permanent-impact model re-splits stored results on the real worker."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import pytest

from models_app.impact.artifacts import data_sha256
from models_app.impact.model import ImpactModel
from models_app.impact.table import trainable
from models_app.services import model_version_promote, model_version_register
from tca.costs.models import CostAggregate, CostResult
from tca.costs.services import tca_aggregate_days, tca_compute_chunk
from tca.ingestion.services import ingest_file
from tests.costs.test_tca_run import DAY, ns, store_quotes
from tests.factories import FillFactory, InstrumentFactory, ParentOrderFactory
from tests.models_app.synthetic import almgren_table

SPLIT = ("spread", "temporary_impact", "permanent_impact", "adverse_selection")


def _history(tmp_path: Path) -> None:
    """25 prior sessions of AAA: ADV20 and σ20 exist, so the model has something to split."""
    rows = ["symbol,date,open,high,low,close,volume"]
    day = DAY - dt.timedelta(days=40)
    while len(rows) < 26:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            close = 100.0 + (1.5 if len(rows) % 2 else -1.0) + len(rows) / 10
            volume = 200_000 + 1000 * len(rows)
            high, low = close + 1, close - 1
            rows.append(f"AAA,{day},{close:.2f},{high:.2f},{low:.2f},{close:.2f},{volume}")
    path = tmp_path / "daily.csv"
    path.write_text("\n".join(rows) + "\n")
    assert ingest_file(kind="daily", path=path).ok


def _orders() -> None:
    inst = InstrumentFactory(symbol="AAA")
    for i, (side, qty) in enumerate([(1, 20_000), (-1, 8_000)]):
        order = ParentOrderFactory(
            order_id=f"R{i}", instrument=inst, side=side, quantity=Decimal(qty),
            decision_ns=ns(-60), arrival_ns=ns(0), end_ns=ns(120), trade_date=DAY,
        )  # fmt: skip
        FillFactory(order=order, exec_id=f"RF{i}", quantity=Decimal(qty), time_ns=ns(10),
                    price=Decimal("100.05") if side == 1 else Decimal("100.00"))  # fmt: skip
    store_quotes("AAA", [(-90, 99.99, 100.01), (-1, 100.01, 100.03), (1700, 100.09, 100.11)])


def _sums_hold(result: CostResult) -> None:
    parts = sum(getattr(result, f"{n}_amount") for n in SPLIT)
    assert parts == pytest.approx(result.execution_amount, rel=1e-12, abs=1e-9)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_promotion_resplits_every_result_and_keeps_the_sum(  # type: ignore[no-untyped-def]
    celery_worker, tmp_path, client, compliance
) -> None:
    _history(tmp_path)
    _orders()
    tca_compute_chunk(trade_date=DAY, symbols=["AAA"])
    tca_aggregate_days(dates=[DAY])
    before = {r.order_id: r for r in CostResult.objects.all()}
    assert {r.model_version for r in before.values()} == {""}
    assert all(r.permanent_impact_amount == 0 for r in before.values())
    for r in before.values():
        _sums_hold(r)
        assert r.volatility and r.adv20

    client.force_login(compliance)
    assert "no model (permanent impact zero)" in client.get("/").content.decode()

    table = almgren_table(n=400, days=8, seed=5)
    model = ImpactModel("almgren").fit(table)
    version = model_version_register(
        model=model, metrics={"parameters": model.parameters()},
        data_sha256=data_sha256(trainable(table)), holdout=(DAY, DAY), user=None,
    )  # fmt: skip
    gamma = float(model.parameters()["gamma"])
    assert gamma > 0
    model_version_promote(version=version, user=None)  # enqueues the re-split on commit

    deadline = time.monotonic() + 60
    while CostResult.objects.exclude(model_version=version.version).exists():
        assert time.monotonic() < deadline, "the worker did not re-attribute the results"
        time.sleep(0.2)

    for order_id, old in before.items():
        new = CostResult.objects.get(order_id=order_id)
        x, price = new.executed_qty, new.arrival_price
        expected = x * price * gamma * new.volatility * x / new.adv20  # SPEC: Î_perm, in money
        assert new.permanent_impact_amount == pytest.approx(expected, rel=1e-9)
        assert new.permanent_impact_amount > 0
        persistent = old.permanent_impact_amount + old.adverse_selection_amount
        assert new.permanent_impact_amount + new.adverse_selection_amount == pytest.approx(
            persistent, rel=1e-12, abs=1e-9
        )
        assert new.execution_amount == old.execution_amount  # nothing else was touched
        _sums_hold(new)

    aggregate = CostAggregate.objects.get(dimension="side", key="buy", trade_date=DAY)
    buy = CostResult.objects.get(order__side=1)
    assert aggregate.sums["permanent_impact_amount"] == pytest.approx(buy.permanent_impact_amount)

    page = client.get("/").content.decode()
    assert f"<strong>{version.version}</strong> (2 orders)" in page
