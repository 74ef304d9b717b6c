"""Quotes and trades into the tick store through the service layer."""

from decimal import Decimal
from pathlib import Path

import pytest

from tca.ingestion.services import ingest_file
from tca.instruments.models import Instrument
from tca.marketdata.store import tick_store
from tests.factories import InstrumentFactory, ParentOrderFactory

QUOTES = """symbol,time,bid,ask,bid_size,ask_size
NEW,2026-03-02T14:30:00.000000001Z,10.01,10.03,100,200
NEW,2026-03-02T14:30:01Z,10.02,10.04,100,200
AAA,2026-03-02T14:30:00Z,50.125,50.135,10,10
"""


@pytest.mark.django_db
def test_quotes_register_new_symbols_with_their_tick_and_mark_orders(tmp_path: Path) -> None:
    InstrumentFactory(symbol="AAA", tick_size=Decimal("0.005"))
    order = ParentOrderFactory(instrument=Instrument.objects.get(symbol="AAA"),
                               needs_recompute=False)
    path = tmp_path / "q.csv"
    path.write_text(QUOTES)
    outcome = ingest_file(kind="quotes", path=path)
    assert outcome.ok, outcome.errors
    assert (outcome.accepted, outcome.duplicates) == (3, 0)
    assert outcome.details["instruments_registered"] == ["NEW"]
    new = Instrument.objects.get(symbol="NEW")
    assert new.auto_registered
    assert new.tick_size == Decimal("0.01")
    assert Instrument.objects.get(symbol="AAA").tick_size == Decimal("0.005")  # untouched
    stored = tick_store().read("quotes", symbols=["NEW"])
    assert stored["bid"].to_list() == [10.01, 10.02]
    assert stored["time"][0].microsecond == 0  # ns precision kept in the store
    assert stored.select(stored["time"].dt.nanosecond()).item(0, 0) == 1
    order.refresh_from_db()
    assert order.needs_recompute

    again = ingest_file(kind="quotes", path=path)
    assert (again.accepted, again.duplicates) == (0, 3)
    assert tick_store().read("quotes").height == 3
