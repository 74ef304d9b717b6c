"""Orders ingestion through the service layer, on PostgreSQL."""

from pathlib import Path

import pytest

from tca.ingestion.services import ingest_file
from tca.instruments.models import Instrument
from tca.jobs.models import IngestAudit
from tca.orders.models import ParentOrder

ORDERS = """order_id,symbol,side,quantity,arrival_time,decision_time,broker,algo,trader,desk
O1,AAA,BUY,1000,2026-03-02T14:30:00Z,2026-03-02T14:29:00Z,BRKA,VWAP,alice,Cash Equities
O2,AAA,SELL,500.5,2026-03-02T15:00:00.000001Z,,BRKB,TWAP,bob,Cash Equities
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.django_db
def test_orders_are_stored_exactly_and_audited(tmp_path: Path, trader) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest_file(kind="orders", path=write(tmp_path, "o.csv", ORDERS), user=trader)
    assert outcome.ok
    assert (outcome.accepted, outcome.duplicates) == (2, 0)
    o2 = ParentOrder.objects.get(order_id="O2")
    assert str(o2.quantity.normalize()) == "500.5"
    assert o2.side == -1
    assert o2.arrival_ns == 1_772_463_600_000_001_000
    assert o2.decision_ns is None
    o1 = ParentOrder.objects.get(order_id="O1")
    assert o1.decision_ns == o1.arrival_ns - 60 * 10**9
    assert o1.needs_recompute
    aaa = Instrument.objects.get(symbol="AAA")
    assert aaa.auto_registered  # first seen in an orders file
    audit = IngestAudit.objects.get()
    assert audit.user == trader
    assert audit.outcome == "accepted"
    assert (audit.rows_total, audit.rows_accepted, audit.rows_duplicate) == (2, 2, 0)
    assert len(audit.sha256) == 64


@pytest.mark.django_db
def test_reingest_is_a_noop_reporting_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", ORDERS)
    ingest_file(kind="orders", path=path)
    before = list(ParentOrder.objects.order_by("order_id").values())
    again = ingest_file(kind="orders", path=path)
    assert again.ok
    assert (again.accepted, again.duplicates) == (0, 2)
    assert list(ParentOrder.objects.order_by("order_id").values()) == before


@pytest.mark.django_db
def test_conflicting_order_rejects_the_whole_file(tmp_path: Path) -> None:
    ingest_file(kind="orders", path=write(tmp_path, "o.csv", ORDERS))
    changed = ORDERS.replace("O2,AAA,SELL,500.5", "O2,AAA,SELL,600") + (
        "O3,BBB,BUY,10,2026-03-02T15:00:00Z,,,,,\n"
    )
    outcome = ingest_file(kind="orders", path=write(tmp_path, "o2.csv", changed))
    assert not outcome.ok
    assert [(e.line, e.column) for e in outcome.errors] == [(3, "order_id")]
    assert "already exists with a different" in outcome.errors[0].reason
    assert not ParentOrder.objects.filter(order_id="O3").exists()
    assert not Instrument.objects.filter(symbol="BBB").exists()
    assert IngestAudit.objects.filter(outcome="rejected").count() == 1


@pytest.mark.django_db
def test_rejected_file_writes_nothing_but_its_audit(tmp_path: Path) -> None:
    bad = ORDERS + "O3,AAA,HOLD,10,2026-03-02T15:00:00Z,,,,,\n"
    outcome = ingest_file(kind="orders", path=write(tmp_path, "bad.csv", bad))
    assert not outcome.ok
    assert outcome.errors[0].line == 4
    assert outcome.errors[0].column == "side"
    assert ParentOrder.objects.count() == 0
    assert Instrument.objects.count() == 0
    audit = IngestAudit.objects.get()
    assert audit.outcome == "rejected"
    assert audit.error_count == 1
