"""Daily history into the tick store through the service layer, and read back as of a date."""

import datetime as dt
import itertools
import math
from pathlib import Path

import polars as pl
import pytest

from tca.ingestion.services import ingest_file
from tca.instruments.models import Instrument
from tca.marketdata.selectors import (
    FROM_HISTORY,
    FROM_TAPE,
    NO_SIGMA,
    SHORT_HISTORY,
    adv_sigma_asof,
    daily_history,
)
from tca.marketdata.store import tick_store
from tests.factories import InstrumentFactory, ParentOrderFactory

HEADER = "symbol,date,open,high,low,close,volume"
CLOSES = [100.0, 102.0, 101.0, 103.0, 104.0, 102.0, 105.0]
VOLUMES = [1000, 2000, 3000, 4000, 5000, 6000, 7000]
DAYS = [dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(7)]


def _history_csv(tmp_path: Path) -> Path:
    rows = [
        f"NEW,{d.isoformat()},{c},{c + 1},{c - 1},{c},{v}"
        for d, c, v in zip(DAYS, CLOSES, VOLUMES, strict=True)
    ]
    path = tmp_path / "daily.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


@pytest.mark.django_db
def test_daily_history_is_stored_idempotently_and_marks_later_orders(tmp_path: Path) -> None:
    InstrumentFactory(symbol="NEW")
    instrument = Instrument.objects.get(symbol="NEW")
    before = ParentOrderFactory(instrument=instrument, needs_recompute=False,
                                trade_date=dt.date(2026, 3, 1))
    after = ParentOrderFactory(instrument=instrument, needs_recompute=False,
                               trade_date=dt.date(2026, 3, 12))
    path = _history_csv(tmp_path)
    outcome = ingest_file(kind="daily", path=path)
    assert outcome.ok, outcome.errors
    assert (outcome.accepted, outcome.duplicates) == (7, 0)
    stored = tick_store().read_daily_history()
    assert stored["close"].to_list() == CLOSES
    before.refresh_from_db()
    after.refresh_from_db()
    assert not before.needs_recompute
    assert after.needs_recompute

    again = ingest_file(kind="daily", path=path)
    assert (again.accepted, again.duplicates) == (0, 7)
    assert tick_store().read_daily_history().height == 7


@pytest.mark.django_db
def test_bad_daily_file_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\nNEW,2026-03-02,10,11,9,10,5\nNEW,2026-03-03,10,9,11,10,5\n")
    outcome = ingest_file(kind="daily", path=path)
    assert not outcome.ok
    assert [(e.line, e.column, e.reason) for e in outcome.errors] == [
        (3, "low", "low is above high")
    ]
    assert tick_store().read_daily_history().height == 0
    assert not Instrument.objects.filter(symbol="NEW").exists()


@pytest.mark.django_db
def test_adv_sigma_asof_uses_only_bars_strictly_before(tmp_path: Path) -> None:
    assert ingest_file(kind="daily", path=_history_csv(tmp_path)).ok
    asof = dt.datetime(2026, 3, 8, 15, 0, tzinfo=dt.UTC)  # the 7th bar's day: excluded
    history = daily_history(symbol="NEW", before=asof)
    assert history["date"].to_list() == DAYS[:6]
    assert set(history["source"]) == {FROM_HISTORY}
    adv, sigma, flags = adv_sigma_asof(symbol="NEW", asof=asof)
    assert adv == pytest.approx(sum(VOLUMES[:6]) / 6)
    returns = [math.log(b / a) for a, b in itertools.pairwise(CLOSES[:6])]
    mean = sum(returns) / len(returns)
    expected = math.sqrt(sum((r - mean) ** 2 for r in returns) / (len(returns) - 1))
    assert sigma == pytest.approx(expected)
    assert flags == (FROM_HISTORY, SHORT_HISTORY)

    # Four prior returns are fewer than the five sigma needs.
    _, sigma, flags = adv_sigma_asof(symbol="NEW", asof=dt.date(2026, 3, 7))
    assert sigma is None
    assert NO_SIGMA in flags


@pytest.mark.django_db
def test_tape_bars_fill_in_and_loaded_bars_win() -> None:
    store = tick_store()
    store.write_daily(pl.DataFrame({
        "symbol": ["TAP", "TAP"], "date": [dt.date(2026, 3, 2), dt.date(2026, 3, 3)],
        "open": [10.0, 10.0], "close": [10.0, 11.0], "volume": [100.0, 300.0],
        "n_trades": [1, 1],
    }))
    adv, _, flags = adv_sigma_asof(symbol="TAP", asof=dt.date(2026, 3, 4))
    assert adv == pytest.approx(200.0)
    assert flags == (FROM_TAPE, SHORT_HISTORY, NO_SIGMA)
    store.write_daily_history(pl.DataFrame({
        "symbol": ["TAP"], "date": [dt.date(2026, 3, 3)], "open": [10.0], "high": [11.0],
        "low": [9.0], "close": [11.0], "volume": [500.0],
    }))
    adv, _, flags = adv_sigma_asof(symbol="TAP", asof=dt.date(2026, 3, 4))
    assert adv == pytest.approx(300.0)
    assert flags == (FROM_HISTORY, FROM_TAPE, SHORT_HISTORY, NO_SIGMA)
    assert adv_sigma_asof(symbol="NONE", asof=dt.date(2026, 3, 4)) == (
        None, None, (NO_SIGMA, SHORT_HISTORY)
    )


@pytest.mark.django_db
def test_simulated_warmup_history_ingests_and_gives_features_on_the_first_day(
    tmp_path: Path,
) -> None:
    from tca.sim import SimConfig, simulate, write_dataset

    ds = simulate(SimConfig.preset("small", seed=5))
    paths = write_dataset(ds, tmp_path)
    assert ingest_file(kind="instruments", path=paths["instruments.csv"]).ok
    outcome = ingest_file(kind="daily", path=paths["daily.csv"])
    assert outcome.ok, outcome.errors[:3]
    first_day = ds.market_truth["date"].min()
    for symbol in ds.instruments["symbol"].to_list():
        adv, sigma, flags = adv_sigma_asof(symbol=symbol, asof=first_day)
        assert adv is not None and sigma is not None
        assert flags == (FROM_HISTORY,)
