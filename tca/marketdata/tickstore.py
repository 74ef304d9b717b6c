"""The columnar tick store: quotes and trade prints as Parquet, never SQL rows.

Layout under the store's root (``TICK_STORE_URL``)::

    quotes/symbol=AAPL/date=2026-03-02/part-<uuid>.parquet
    trades/...
    daily/bars-<uuid>.parquet           one row per (symbol, session date), from the tape
    daily_history/bars-<uuid>.parquet   the user's own daily history (the ``daily`` kind)
    <kind>/_manifest.json               which part file is live per partition

Writers never modify a live file: they write new part files, then replace the
kind's manifest with one atomic ``os.replace``. A crash at any point leaves the
previous manifest, so readers see all of an ingest or none of it. Each
partition is kept sorted by time, and partitions are read in (symbol, date)
order, so a scan is sorted by (symbol, time) and as-of joins need no sort.

This module has no Django imports: the root is passed in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tca.frames import SCHEMAS

TICK_KINDS = ("quotes", "trades", "signals")
# Kinds where a row is identified by a key: a new value for a stored key replaces it
# (a vendor's corrected signal). Quotes and prints have no key: only identical rows
# are duplicates.
ROW_KEYS: dict[str, tuple[str, ...]] = {"signals": ("symbol", "time", "name")}
HISTORY = "daily_history"
_MANIFEST = "_manifest.json"
_WRITER_THREADS = 2


_SAFE_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def partition_path(symbol: str, day: dt.date) -> str:
    """A new partition file's path under its kind's folder.

    The second line of defence behind the parsers' symbol check: a symbol that
    could name another folder ("..", "/") never becomes a path.
    """
    if not _SAFE_SYMBOL.fullmatch(symbol) or ".." in symbol:
        raise ValueError(f"unsafe symbol for a tick-store path: {symbol!r}")
    return f"symbol={symbol}/date={day.isoformat()}/part-{uuid.uuid4().hex}.parquet"


@dataclass(frozen=True)
class WriteReport:
    rows_in: int
    rows_written: int
    duplicates: int
    partitions: int


def _partitions(frame: pl.DataFrame) -> Iterator[tuple[tuple[str, dt.date], pl.DataFrame]]:
    """(symbol, UTC date) runs of ``frame`` as zero-copy slices.

    Parsed market data arrives sorted by (symbol, time), so partitions are
    contiguous runs; slicing them is far cheaper than a hash partition.
    """
    if frame.height == 0:
        return
    frame = frame.sort("symbol", "time", maintain_order=True)
    keys = frame.select("symbol", pl.col("time").dt.date().alias("date"))
    starts = (
        keys.with_row_index("i")
        .filter(
            (pl.col("symbol") != pl.col("symbol").shift(1)).fill_null(True)
            | (pl.col("date") != pl.col("date").shift(1)).fill_null(True)
        )
        .select("i", "symbol", "date")
    )
    bounds = [*starts["i"].to_list(), frame.height]
    for n, (symbol, day) in enumerate(zip(starts["symbol"], starts["date"], strict=True)):
        yield (symbol, day), frame.slice(bounds[n], bounds[n + 1] - bounds[n])


def _root_path(url: str) -> Path:
    return Path(url.removeprefix("file://"))


class TickStore:
    def __init__(self, url: str) -> None:
        self.root = _root_path(url)

    # -- manifest -------------------------------------------------------------------
    def _kind_dir(self, kind: str) -> Path:
        return self.root / kind

    def _manifest(self, kind: str) -> dict[str, str]:
        path = self._kind_dir(kind) / _MANIFEST
        if not path.is_file():
            return {}
        return dict(json.loads(path.read_text())["partitions"])

    def _publish(self, kind: str, partitions: dict[str, str]) -> None:
        directory = self._kind_dir(kind)
        tmp = directory / f".{_MANIFEST}.{uuid.uuid4().hex}"
        tmp.write_text(json.dumps({"partitions": dict(sorted(partitions.items()))}))
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, directory / _MANIFEST)

    @contextlib.contextmanager
    def _locked(self, kind: str) -> Iterator[None]:
        """Serialise writers of one kind (read-modify-write of the manifest)."""
        directory = self._kind_dir(kind)
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # -- writing --------------------------------------------------------------------
    def write(self, kind: str, frame: pl.DataFrame) -> WriteReport:
        """Merge ``frame`` (canonical schema) into the store, all partitions at once.

        Rows identical to stored ones are duplicates and change nothing, so
        re-ingesting a file, or overlapping files, is a no-op.
        """
        if kind not in TICK_KINDS:
            raise ValueError(f"unknown tick kind {kind!r}")
        schema = SCHEMAS[kind]
        frame = frame.select(
            [
                pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c)
                for c, t in schema.items()
            ]
        )
        with self._locked(kind):
            live = self._manifest(kind)
            updated = dict(live)
            written = 0
            duplicates = 0
            new_files: list[Path] = []
            # Partitions are independent and polars releases the GIL: two at a time.
            with ThreadPoolExecutor(max_workers=_WRITER_THREADS) as pool:
                futures = [
                    pool.submit(self._merge_partition, kind, symbol, day, incoming, live)
                    for (symbol, day), incoming in _partitions(frame)
                ]
                try:
                    for future in futures:
                        key, relative, target, added, seen = future.result()
                        duplicates += seen - added
                        if target is not None:
                            new_files.append(target)
                            updated[key] = relative
                            written += added
                    if new_files:
                        self._publish(kind, updated)
                except BaseException:
                    for future in futures:
                        future.cancel()
                    wait(futures)
                    for future in futures:
                        if future.cancelled() or future.exception() is not None:
                            continue
                        part_file = future.result()[2]
                        if part_file is not None:
                            part_file.unlink(missing_ok=True)
                    raise
            # Superseded files are unreachable now; remove them.
            for key, relative in live.items():
                if updated.get(key) != relative:
                    (self.root / kind / relative).unlink(missing_ok=True)
        return WriteReport(
            rows_in=frame.height,
            rows_written=written,
            duplicates=duplicates,
            partitions=len(new_files),
        )

    def _merge_partition(
        self, kind: str, symbol: str, day: dt.date, incoming: pl.DataFrame, live: dict[str, str]
    ) -> tuple[str, str, Path | None, int, int]:
        """Write one partition's new part file: (key, relative path, file or None, added, in)."""
        key = f"{symbol}/{day.isoformat()}"
        row_key = ROW_KEYS.get(kind)
        if key in live and row_key:
            stored = pl.read_parquet(self.root / kind / live[key])
            incoming = incoming.unique(subset=list(row_key), keep="last", maintain_order=True)
            fresh = incoming.join(stored, on=list(stored.columns), how="anti", nulls_equal=True)
            added = fresh.height
            merged = (
                pl.concat([stored, incoming])
                .unique(subset=list(row_key), keep="last", maintain_order=True)
                .sort("time", maintain_order=True)
            )
        elif key in live:
            stored = pl.read_parquet(self.root / kind / live[key])
            merged = pl.concat([stored, incoming]).unique(maintain_order=True)
            added = merged.height - stored.height
            merged = merged.sort("time", maintain_order=True)
        elif row_key:
            merged = incoming.unique(subset=list(row_key), keep="last", maintain_order=True)
            added = merged.height
        elif incoming.is_duplicated().any():  # a cheap check; unique() is not
            merged = incoming.unique(maintain_order=True)  # keeps the (sorted) order
            added = merged.height
        else:
            merged = incoming  # already sorted by time (see _partitions)
            added = merged.height
        if added == 0:
            return key, "", None, 0, incoming.height
        relative = partition_path(symbol, day)
        target = self.root / kind / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            merged.write_parquet(target, statistics=True)
        except BaseException:
            target.unlink(missing_ok=True)  # a partial file the caller never hears of
            raise
        return key, relative, target, added, incoming.height

    def replace(self, kind: str, frame: pl.DataFrame, *, date_column: str) -> int:
        """Replace whole (symbol, date) partitions of a derived kind (e.g. markouts).

        Recomputed results supersede the old ones rather than merge with them;
        the swap is atomic like :meth:`write`. Returns the partitions replaced.
        """
        if kind in TICK_KINDS:
            raise ValueError("market data is merged with write(), never replaced")
        with self._locked(kind):
            live = self._manifest(kind)
            updated = dict(live)
            new_files: list[Path] = []
            try:
                for (symbol, day), part in frame.partition_by(
                    ["symbol", date_column], as_dict=True
                ).items():
                    key = f"{symbol}/{day.isoformat()}"
                    relative = partition_path(symbol, day)
                    target = self.root / kind / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    part.write_parquet(target)
                    new_files.append(target)
                    updated[key] = relative
                if new_files:
                    self._publish(kind, updated)
            except BaseException:
                for path in new_files:
                    path.unlink(missing_ok=True)
                raise
            for key, relative in live.items():
                if updated.get(key) != relative:
                    (self.root / kind / relative).unlink(missing_ok=True)
        return len(new_files)

    # -- reading --------------------------------------------------------------------
    def partitions(self, kind: str) -> list[tuple[str, dt.date]]:
        out = []
        for key in self._manifest(kind):
            symbol, day = key.rsplit("/", 1)
            out.append((symbol, dt.date.fromisoformat(day)))
        return out

    def scan(
        self,
        kind: str,
        *,
        symbols: Iterable[str] | None = None,
        dates: Iterable[dt.date] | None = None,
    ) -> pl.LazyFrame:
        """A lazy frame of the selected partitions, sorted by (symbol, time)."""
        wanted_symbols = set(symbols) if symbols is not None else None
        wanted_dates = {d.isoformat() for d in dates} if dates is not None else None
        files = []
        for key, relative in sorted(self._manifest(kind).items()):
            symbol, day = key.rsplit("/", 1)
            if wanted_symbols is not None and symbol not in wanted_symbols:
                continue
            if wanted_dates is not None and day not in wanted_dates:
                continue
            files.append(str(self.root / kind / relative))
        if kind not in SCHEMAS:  # derived results keep their own columns
            return pl.scan_parquet(files, hive_partitioning=False) if files else pl.LazyFrame()
        if not files:
            return pl.LazyFrame(schema=SCHEMAS[kind])
        return pl.scan_parquet(files, hive_partitioning=False).select(list(SCHEMAS[kind]))

    def stamp(self, kind: str) -> str:
        """A token that changes whenever ``kind``'s manifest is replaced.

        Readers that keep derived data in memory key it on this: a publish is
        an ``os.replace``, so the manifest's inode and mtime change with it.
        """
        try:
            info = (self._kind_dir(kind) / _MANIFEST).stat()
        except FileNotFoundError:
            return "empty"
        return f"{info.st_ino}-{info.st_mtime_ns}-{info.st_size}"

    def read(self, kind: str, **selection: object) -> pl.DataFrame:
        return self.scan(kind, **selection).collect()  # type: ignore[arg-type]

    # -- daily bars -----------------------------------------------------------------
    def write_daily(self, bars: pl.DataFrame) -> None:
        """Upsert daily bars (key: symbol, date) into one small Parquet file."""
        with self._locked("daily"):
            current = self.read_daily()
            merged = pl.concat([current, bars], how="diagonal_relaxed") if current.height else bars
            merged = merged.unique(subset=["symbol", "date"], keep="last", maintain_order=True)
            self._swap_single_file("daily", merged.sort(["symbol", "date"]))

    def write_daily_history(self, bars: pl.DataFrame) -> WriteReport:
        """Upsert loaded daily history (``DAILY_SCHEMA``; key: symbol, date).

        A bar identical to the stored one is a duplicate; a different bar for a
        stored (symbol, date) replaces it (a corrected history wins). The file
        is small (a row per symbol and day), so it is rewritten whole and
        published with the same atomic manifest swap as the tick data.
        """
        schema = SCHEMAS["daily"]
        bars = bars.select(
            pl.col(c).cast(t) if c in bars.columns else pl.lit(None, dtype=t).alias(c)
            for c, t in schema.items()
        ).unique(subset=["symbol", "date"], keep="last", maintain_order=True)
        with self._locked(HISTORY):
            current = self.read_daily_history()
            same = bars.join(current, on=list(schema), how="semi", nulls_equal=True).height
            if same == bars.height:
                return WriteReport(bars.height, 0, same, 0)
            merged = (
                pl.concat([current, bars])
                .unique(subset=["symbol", "date"], keep="last", maintain_order=True)
                .sort("symbol", "date")
            )
            self._swap_single_file(HISTORY, merged)
        return WriteReport(bars.height, bars.height - same, same, 1)

    def _swap_single_file(self, kind: str, frame: pl.DataFrame) -> None:
        """Replace a kind kept as one small file: new file, manifest switch, old file last."""
        relative = f"bars-{uuid.uuid4().hex}.parquet"
        frame.write_parquet(self._kind_dir(kind) / relative)
        old = self._manifest(kind).get("bars")
        self._publish(kind, {"bars": relative})
        if old:
            (self._kind_dir(kind) / old).unlink(missing_ok=True)

    def read_daily_history(self) -> pl.DataFrame:
        relative = self._manifest(HISTORY).get("bars")
        if not relative:
            return pl.DataFrame(schema=SCHEMAS["daily"])
        return pl.read_parquet(self._kind_dir(HISTORY) / relative)

    def read_daily(self) -> pl.DataFrame:
        relative = self._manifest("daily").get("bars")
        if not relative:
            return pl.DataFrame()
        return pl.read_parquet(self._kind_dir("daily") / relative)
