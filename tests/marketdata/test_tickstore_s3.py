"""The tick store on S3-compatible object storage (a real S3 server on loopback)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

import polars as pl
import pytest

from tca.frames import QUOTES_SCHEMA
from tca.marketdata.tickstore import TickStore
from tca.objectstore import ObjectConflict, S3Bucket
from tests.marketdata.test_tickstore import quotes

DAY = dt.date(2026, 3, 2)


def parts(store: TickStore, kind: str = "quotes") -> list[str]:
    return [k for k in store.objects.keys(kind) if k.endswith(".parquet")]


def test_write_then_scan_from_another_client(s3_bucket: str) -> None:
    writer = TickStore(f"{s3_bucket}/ticks")
    report = writer.write("quotes", quotes([("BBB", 5, 9.0, 9.1), ("AAA", 3, 1.0, 1.1),
                                            ("AAA", 1, 1.0, 1.2), ("BBB", 86400, 9.2, 9.3)]))
    assert (report.rows_written, report.partitions) == (4, 3)
    reader = TickStore(f"{s3_bucket}/ticks/")  # a trailing slash names the same store
    out = reader.read("quotes")
    assert out.schema == pl.Schema(QUOTES_SCHEMA)
    assert out["symbol"].to_list() == ["AAA", "AAA", "BBB", "BBB"]
    assert out["bid"].to_list() == [1.0, 1.0, 9.0, 9.2]
    assert reader.read("quotes", symbols=["BBB"], dates=[dt.date(2026, 3, 3)]).height == 1
    lazy = reader.scan("quotes", symbols=["AAA"]).filter(pl.col("ask") > 1.15)
    assert lazy.collect()["ask"].to_list() == [1.2]
    next_day = DAY + dt.timedelta(days=1)
    assert reader.partitions("quotes") == [("AAA", DAY), ("BBB", DAY), ("BBB", next_day)]
    assert len(parts(reader)) == 3
    assert reader.objects.exists("quotes/_manifest.json")
    assert TickStore(f"{s3_bucket}/other").read("quotes").height == 0  # prefixes are separate


def test_reingest_is_a_noop_and_superseded_objects_are_deleted(s3_bucket: str) -> None:
    store = TickStore(s3_bucket)
    frame = quotes([("AAA", 1, 1.0, 1.2), ("AAA", 2, 1.0, 1.1)])
    store.write("quotes", frame)
    before = parts(store)
    again = store.write("quotes", frame)
    assert (again.rows_written, again.duplicates, again.partitions) == (0, 2, 0)
    assert parts(store) == before
    overlap = store.write("quotes", quotes([("AAA", 2, 1.0, 1.1), ("AAA", 3, 1.05, 1.1)]))
    assert (overlap.rows_written, overlap.duplicates) == (1, 1)
    assert store.read("quotes")["time"].is_sorted()
    assert store.read("quotes").height == 3
    after = parts(store)
    assert len(after) == 1
    assert after != before  # a new object; the old one is gone


def test_replace_supersedes_a_derived_kind(s3_bucket: str) -> None:
    store = TickStore(s3_bucket)
    marks = pl.DataFrame({"symbol": ["A", "A", "B"], "trade_date": [DAY] * 3,
                          "order_id": ["o1", "o2", "o3"], "markout": [1.0, 2.0, 3.0]})  # fmt: skip
    assert store.replace("markouts", marks, date_column="trade_date") == 2
    assert store.replace("markouts", marks.filter(pl.col("symbol") == "A").with_columns(
        pl.col("markout") * 10), date_column="trade_date") == 1  # fmt: skip
    out = store.read("markouts").sort("order_id")
    assert out["markout"].to_list() == [10.0, 20.0, 3.0]
    assert len(parts(store, "markouts")) == 2


def test_daily_bars_and_history_on_s3(s3_bucket: str) -> None:
    store = TickStore(s3_bucket)
    store.write_daily(pl.DataFrame({"symbol": ["A"], "date": [DAY], "close": [1.0]}))
    store.write_daily(pl.DataFrame({"symbol": ["A", "B"], "date": [DAY, DAY], "close": [2.0, 3.0]}))
    assert TickStore(s3_bucket).read_daily().sort("symbol")["close"].to_list() == [2.0, 3.0]
    assert len(parts(store, "daily")) == 1
    history = pl.DataFrame({"symbol": ["A"], "date": [DAY], "close": [5.0], "volume": [100.0]})
    first = store.write_daily_history(history)
    assert (first.rows_written, first.duplicates) == (1, 0)
    again = store.write_daily_history(history)
    assert (again.rows_written, again.duplicates) == (0, 1)
    assert TickStore(s3_bucket).read_daily_history()["close"].to_list() == [5.0]


def test_a_failure_mid_write_leaves_the_previous_state_and_no_objects(
    s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TickStore(s3_bucket)
    store.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))
    before = parts(store)
    merge = TickStore._merge_partition

    def fail_on_ccc(self: TickStore, kind: str, symbol: str, *args: object) -> object:
        if symbol == "CCC":
            raise OSError("connection reset")
        return merge(self, kind, symbol, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(TickStore, "_merge_partition", fail_on_ccc)
    new = [("AAA", 2, 1.0, 1.1), ("BBB", 2, 3.0, 3.1), ("CCC", 2, 5.0, 5.1), ("DDD", 2, 7.0, 7.1)]
    with pytest.raises(OSError, match="connection reset"):
        store.write("quotes", quotes(new))
    assert TickStore(s3_bucket).read("quotes")["time"].to_list() == quotes(
        [("AAA", 1, 1.0, 1.2)])["time"].to_list()  # fmt: skip
    assert parts(store) == before  # the part objects already put were deleted


def test_readers_see_the_old_manifest_until_the_switch(
    s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every new object is in the bucket before the manifest names any of them."""
    store = TickStore(s3_bucket)
    store.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))
    seen: dict[str, object] = {}
    publish = TickStore._publish

    def observe_then_publish(self: TickStore, kind: str, *args: object, **kwargs: object) -> None:
        reader = TickStore(s3_bucket)
        seen["rows"] = reader.read("quotes").height
        seen["objects"] = len(parts(reader))
        publish(self, kind, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(TickStore, "_publish", observe_then_publish)
    new = [("AAA", 2, 1.0, 1.1), ("BBB", 2, 3.0, 3.1), ("CCC", 2, 5.0, 5.1)]
    store.write("quotes", quotes(new))
    assert seen == {"rows": 1, "objects": 4}  # old + 3 new objects, still the old manifest
    assert TickStore(s3_bucket).read("quotes").height == 4
    assert len(parts(store)) == 3  # the superseded AAA object went last


def test_a_writer_that_loses_the_race_merges_again(
    s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers without a shared lock: the conditional PUT refuses the stale one."""
    first = TickStore(s3_bucket)
    second = TickStore(s3_bucket)
    publish = TickStore._publish
    calls: list[str | None] = []

    def interleave(self: TickStore, kind: str, partitions: dict[str, str], **kw: object) -> None:
        calls.append(kw["expected"])  # type: ignore[arg-type]
        if self is first and len(calls) == 1:
            second.write("quotes", quotes([("AAA", 5, 1.0, 1.3), ("ZZZ", 5, 2.0, 2.1)]))
        publish(self, kind, partitions, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(TickStore, "_publish", interleave)
    report = first.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))
    assert report.rows_written == 1
    assert calls[0] is None  # the first attempt found no manifest
    assert len(calls) == 3  # first (refused), second's, first's retry
    out = TickStore(s3_bucket).read("quotes")
    assert sorted(out["symbol"].to_list()) == ["AAA", "AAA", "ZZZ"]
    assert len(parts(first)) == 2  # the loser's refused objects were deleted


def test_a_stale_manifest_replace_is_refused(s3_bucket: str) -> None:
    bucket = S3Bucket(s3_bucket)
    bucket.replace("k/_manifest.json", b"{}", expected=None)
    version = bucket.get_versioned("k/_manifest.json")
    assert version is not None
    with pytest.raises(ObjectConflict):
        bucket.replace("k/_manifest.json", b"{}", expected=None)  # exists already
    bucket.replace("k/_manifest.json", b'{"a": 1}', expected=version[1])
    with pytest.raises(ObjectConflict):
        bucket.replace("k/_manifest.json", b'{"a": 2}', expected=version[1])  # stale ETag
    assert bucket.get("k/_manifest.json") == b'{"a": 1}'


def test_a_reader_whose_objects_were_superseded_reads_the_new_manifest(
    s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TickStore(s3_bucket)
    store.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))
    reader = TickStore(s3_bucket)
    scan = TickStore._scan_files
    raced = threading.Event()

    def write_meanwhile(self: TickStore, *args: object) -> pl.LazyFrame:
        lazy = scan(self, *args)  # type: ignore[arg-type]
        if not raced.is_set():  # a writer supersedes the file this scan names
            raced.set()
            store.write("quotes", quotes([("AAA", 2, 1.0, 1.1)]))
        return lazy

    monkeypatch.setattr(TickStore, "_scan_files", write_meanwhile)
    assert reader.read("quotes").height == 2


def test_writers_take_the_injected_lock_per_kind(s3_bucket: str) -> None:
    taken: list[str] = []

    @contextlib.contextmanager
    def lock(name: str) -> Iterator[None]:
        taken.append(name)
        yield

    store = TickStore(s3_bucket, lock=lock)
    store.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))
    store.write_daily(pl.DataFrame({"symbol": ["A"], "date": [DAY], "close": [1.0]}))
    assert taken == [f"{s3_bucket}/quotes", f"{s3_bucket}/daily"]


@pytest.mark.parametrize("where", ["s3", "folder"])
def test_the_stamp_changes_with_every_publish_and_only_then(
    where: str, s3_bucket: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    store = TickStore(s3_bucket if where == "s3" else str(tmp_path / "ticks"))
    assert store.stamp("quotes") == "empty"
    store.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))
    first = store.stamp("quotes")
    assert first != "empty"
    store.write("quotes", quotes([("AAA", 1, 1.0, 1.2)]))  # a duplicate: nothing published
    assert store.stamp("quotes") == first
    store.write("quotes", quotes([("AAA", 2, 1.0, 1.1)]))
    assert store.stamp("quotes") not in (first, "empty")
