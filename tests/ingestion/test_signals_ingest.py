"""The signals kind: row errors, all-or-nothing, idempotent re-ingest, corrected values."""

from pathlib import Path

import polars as pl
import pytest

from tca.ingestion.services import ingest_file
from tca.instruments.models import Instrument
from tca.marketdata.store import tick_store
from tests.factories import ParentOrderFactory

GOOD = """symbol,time,name,value
AAA,2026-03-02T14:35:00Z,sentiment,0.25
AAA,2026-03-02T14:40:00Z,sentiment,-1.5e-1
AAA,2026-03-02T14:40:00Z,net_flow,1200
BBB,2026-03-03T09:00:00Z,sentiment,0
"""


@pytest.mark.django_db
def test_signals_are_stored_once_and_corrections_replace(tmp_path: Path) -> None:
    order = ParentOrderFactory(needs_recompute=False)
    path = tmp_path / "signals.csv"
    path.write_text(GOOD)
    outcome = ingest_file(kind="signals", path=path)
    assert outcome.ok, outcome.errors
    assert (outcome.accepted, outcome.duplicates) == (4, 0)
    assert outcome.details["names"] == ["net_flow", "sentiment"]
    stored = tick_store().read("signals").sort("symbol", "time", "name")
    assert stored.select("symbol", "name", "value").rows() == [
        ("AAA", "sentiment", 0.25),
        ("AAA", "net_flow", 1200.0),
        ("AAA", "sentiment", -0.15),
        ("BBB", "sentiment", 0.0),
    ]
    # No instrument is registered from a vendor's file, and no cost changes.
    assert not Instrument.objects.filter(symbol__in=["AAA", "BBB"]).exists()
    order.refresh_from_db()
    assert not order.needs_recompute

    again = ingest_file(kind="signals", path=path)
    assert (again.accepted, again.duplicates) == (0, 4)

    corrected = tmp_path / "corrected.csv"
    corrected.write_text("symbol,time,name,value\nAAA,2026-03-02T14:35:00Z,sentiment,0.5\n")
    fixed = ingest_file(kind="signals", path=corrected)
    assert (fixed.accepted, fixed.duplicates) == (1, 0)
    aaa = tick_store().read("signals", symbols=["AAA"]).filter(pl.col("name") == "sentiment")
    assert aaa["value"].to_list() == [0.5, -0.15]


@pytest.mark.django_db
def test_a_bad_row_rejects_the_whole_file_with_row_level_reasons(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "symbol,time,name,value\n"
        "AAA,2026-03-02T14:35:00Z,sentiment,0.25\n"
        "AAA,2026-03-02T14:36:00Z,sentiment,abc\n"
        "AAA,2026-03-02T14:37:00Z,sentiment,inf\n"
        "AAA,2026-03-02T14:38:00Z,bad name,1\n"
        "AAA,,sentiment,1\n"
    )
    outcome = ingest_file(kind="signals", path=path)
    assert not outcome.ok
    reasons = {(e["line"], e["column"]): e["reason"] for e in outcome.as_dict()["errors"]}
    assert reasons[(3, "value")] == "expected a finite number: 'abc'"
    assert reasons[(4, "value")] == "expected a finite number: 'inf'"
    assert (5, "name") in reasons
    assert (6, "time") in reasons
    assert tick_store().read("signals").height == 0
