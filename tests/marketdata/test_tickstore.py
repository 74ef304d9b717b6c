import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from tca.frames import QUOTES_SCHEMA
from tca.marketdata.tickstore import TickStore

T0 = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)


def quotes(rows: list[tuple[str, int, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "symbol": [r[0] for r in rows],
            "time": [T0 + dt.timedelta(seconds=r[1]) for r in rows],
            "bid": [r[2] for r in rows],
            "ask": [r[3] for r in rows],
        }
    ).with_columns(pl.col("time").dt.cast_time_unit("ns"))


def test_write_then_scan_is_sorted_by_symbol_and_time(tmp_path: Path) -> None:
    store = TickStore(str(tmp_path))
    report = store.write("quotes", quotes([("BBB", 5, 9.0, 9.1), ("AAA", 3, 1.0, 1.1),
                                           ("AAA", 1, 1.0, 1.2), ("BBB", 86400, 9.2, 9.3)]))
    assert report.rows_written == 4
    assert report.partitions == 3  # AAA day 1, BBB day 1, BBB day 2
    out = store.read("quotes")
    assert out.schema == pl.Schema(QUOTES_SCHEMA)
    assert out["symbol"].to_list() == ["AAA", "AAA", "BBB", "BBB"]
    assert out["bid"].to_list() == [1.0, 1.0, 9.0, 9.2]
    assert store.read("quotes", symbols=["BBB"], dates=[dt.date(2026, 3, 3)]).height == 1


def test_reingest_is_a_noop_and_counts_duplicates(tmp_path: Path) -> None:
    store = TickStore(str(tmp_path))
    frame = quotes([("AAA", 1, 1.0, 1.2), ("AAA", 2, 1.0, 1.1)])
    store.write("quotes", frame)
    files_before = sorted(p.name for p in tmp_path.rglob("*.parquet"))
    again = store.write("quotes", frame)
    assert (again.rows_written, again.duplicates, again.partitions) == (0, 2, 0)
    assert sorted(p.name for p in tmp_path.rglob("*.parquet")) == files_before
    overlap = store.write("quotes", quotes([("AAA", 2, 1.0, 1.1), ("AAA", 3, 1.05, 1.1)]))
    assert (overlap.rows_written, overlap.duplicates) == (1, 1)
    assert store.read("quotes")["time"].is_sorted()
    assert len(list(tmp_path.rglob("*.parquet"))) == 1  # superseded part file removed


def test_failed_write_leaves_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TickStore(str(tmp_path))
    store.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(TickStore, "_publish", boom)
    with pytest.raises(OSError, match="disk full"):
        store.write("quotes", quotes([("AAA", 2, 1.0, 1.1), ("CCC", 2, 5.0, 5.1)]))
    assert store.read("quotes").height == 1
    assert len(list(tmp_path.rglob("*.parquet"))) == 1  # orphans cleaned up


def test_daily_bars_upsert(tmp_path: Path) -> None:
    store = TickStore(str(tmp_path))
    day = dt.date(2026, 3, 2)
    store.write_daily(pl.DataFrame({"symbol": ["A"], "date": [day], "close": [1.0]}))
    store.write_daily(pl.DataFrame({"symbol": ["A", "B"], "date": [day, day], "close": [2.0, 3.0]}))
    bars = store.read_daily()
    assert bars.sort("symbol")["close"].to_list() == [2.0, 3.0]


def test_a_partition_that_fails_takes_the_others_part_files_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TickStore(str(tmp_path))
    store.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))
    merge = TickStore._merge_partition

    def fail_on_ccc(self: TickStore, kind: str, symbol: str, *args: object) -> object:
        if symbol == "CCC":
            raise OSError("disk full")
        return merge(self, kind, symbol, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(TickStore, "_merge_partition", fail_on_ccc)
    new = [("AAA", 2, 1.0, 1.1), ("BBB", 2, 3.0, 3.1), ("CCC", 2, 5.0, 5.1), ("DDD", 2, 7.0, 7.1)]
    with pytest.raises(OSError, match="disk full"):
        store.write("quotes", quotes(new))
    assert store.read("quotes").height == 1
    assert len(list(tmp_path.rglob("*.parquet"))) == 1


@pytest.mark.parametrize("symbol", ["../escape", "a/b", ".."])
def test_a_symbol_that_names_another_folder_never_becomes_a_path(
    tmp_path: Path, symbol: str
) -> None:
    store = TickStore(str(tmp_path / "store"))
    with pytest.raises(ValueError, match="unsafe symbol"):
        store.write("quotes", quotes([(symbol, 1, 1.0, 1.1)]))
    assert not any(p.suffix == ".parquet" for p in tmp_path.rglob("*"))
