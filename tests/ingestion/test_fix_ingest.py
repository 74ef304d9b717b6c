"""FIX execution reports through the service layer: fills, corrections, cancels."""

from decimal import Decimal
from pathlib import Path

import pytest
import simplefix

from tca.ingestion.services import ingest_file
from tca.orders.models import Fill, ParentOrder, PendingFixAmendment
from tests.factories import InstrumentFactory, ParentOrderFactory


def report(exec_id: str, exec_type: str, *, ref: str | None = None, qty: str = "100",
           px: str = "50.00", order: str = "P1", when: str = "20260302-15:00:01.000") -> bytes:
    msg = simplefix.FixMessage()
    msg.append_pair(8, "FIX.4.4")
    msg.append_pair(35, "8")
    msg.append_pair(17, exec_id)
    msg.append_pair(150, exec_type)
    if ref:
        msg.append_pair(19, ref)
    msg.append_pair(11, order)
    msg.append_pair(37, "BRK-" + order)
    msg.append_pair(55, "AAA")
    msg.append_pair(54, "1")
    msg.append_pair(32, qty)
    msg.append_pair(31, px)
    msg.append_pair(60, when)
    msg.append_pair(30, "XNAS")
    msg.append_pair(851, "2")
    return msg.encode().replace(b"\x01", b"|")


def log(tmp_path: Path, name: str, *messages: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\n".join(messages) + b"\n")
    return path


@pytest.fixture
def order(db):  # type: ignore[no-untyped-def]
    return ParentOrderFactory(
        order_id="P1", instrument=InstrumentFactory(symbol="AAA"), quantity=Decimal(1000)
    )


def live(source: str = "fix") -> dict[str, tuple[str, str, bool]]:
    return {
        f.exec_id: (f"{f.quantity.normalize():f}", f"{f.price.normalize():f}", f.is_cancelled)
        for f in Fill.objects.filter(source=source)
    }


def test_fill_correction_cancel_and_out_of_order_correction(tmp_path: Path, order) -> None:  # type: ignore[no-untyped-def]
    path = log(
        tmp_path,
        "day.fix",
        report("E1", "F", qty="100", px="50.00"),
        report("E2", "F", qty="200", px="50.10"),
        report("C1", "G", ref="E1", qty="150", px="50.02"),  # correct E1
        report("X1", "H", ref="E2"),  # cancel E2
        report("C3", "G", ref="E3", qty="70", px="49.90"),  # correction before its fill
        report("E3", "F", qty="60", px="49.95"),
    )
    outcome = ingest_file(kind="fix", path=path, source="fix")
    assert outcome.ok, outcome.errors
    assert live() == {
        "E1": ("150", "50.02", False),
        "E2": ("200", "50.1", True),
        "E3": ("70", "49.9", False),
    }
    e1 = Fill.objects.get(exec_id="E1")
    assert e1.last_exec_id == "C1"
    assert len(e1.amendments) == 1
    assert "17=C1" in e1.amendments[0]
    assert "17=E1" in e1.raw
    order.refresh_from_db()
    assert order.needs_recompute


def test_amendment_held_across_logs_until_its_fill_arrives(tmp_path: Path, order) -> None:  # type: ignore[no-untyped-def]
    first = ingest_file(
        kind="fix", path=log(tmp_path, "a.fix", report("C9", "G", ref="E9", qty="10")),
        source="fix",
    )
    assert first.ok
    assert first.details["held"] == 1
    assert PendingFixAmendment.objects.filter(exec_ref_id="E9").exists()
    assert not Fill.objects.exists()
    second = ingest_file(
        kind="fix", path=log(tmp_path, "b.fix", report("E9", "F", qty="99")), source="fix"
    )
    assert second.ok
    assert live() == {"E9": ("10", "50", False)}
    assert not PendingFixAmendment.objects.exists()


def test_reingesting_a_log_changes_nothing(tmp_path: Path, order) -> None:  # type: ignore[no-untyped-def]
    path = log(
        tmp_path, "day.fix",
        report("E1", "F"), report("C1", "G", ref="E1", qty="120"), report("E2", "F"),
    )
    ingest_file(kind="fix", path=path, source="fix")
    before = list(Fill.objects.order_by("exec_id").values())
    again = ingest_file(kind="fix", path=path, source="fix")
    assert again.ok
    assert again.accepted == 0
    assert again.duplicates == 3
    assert list(Fill.objects.order_by("exec_id").values()) == before


def test_bad_checksum_rejects_the_log_and_writes_nothing(tmp_path: Path, order) -> None:  # type: ignore[no-untyped-def]
    good = report("E1", "F")
    bad = report("E2", "F").replace(b"|10=", b"|10=9")[:-1] + b"|"
    outcome = ingest_file(kind="fix", path=log(tmp_path, "bad.fix", good, bad), source="fix")
    assert not outcome.ok
    assert outcome.errors[0].line == 2
    assert "checksum" in outcome.errors[0].reason.lower()
    assert not Fill.objects.exists()


def test_overfill_through_fix_is_rejected(tmp_path: Path, order) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest_file(
        kind="fix",
        path=log(tmp_path, "big.fix", report("E1", "F", qty="900"), report("E2", "F", qty="200")),
        source="fix",
    )
    assert not outcome.ok
    assert outcome.errors[0].line == 2
    assert "more than the order quantity 1000" in outcome.errors[0].reason
    assert not Fill.objects.exists()
    assert ParentOrder.objects.get().needs_recompute  # untouched default
