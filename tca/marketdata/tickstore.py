"""The columnar tick store: quotes and trade prints as Parquet, never SQL rows.

Layout under the store's root (``TICK_STORE_URL``: a folder, or
``s3://bucket/prefix`` on S3-compatible object storage)::

    quotes/symbol=AAPL/date=2026-03-02/part-<uuid>.parquet
    trades/...
    daily/bars-<uuid>.parquet           one row per (symbol, session date), from the tape
    daily_history/bars-<uuid>.parquet   the user's own daily history (the ``daily`` kind)
    <kind>/_manifest.json               which part file is live per partition

Writers never modify a live file: they write new part files, then replace the
kind's manifest in one atomic step (``os.replace`` in a folder, a single
conditional PUT on S3), and delete superseded part files last. A crash at any
point leaves the previous manifest, so readers see all of an ingest or none of
it. Each partition is kept sorted by time, and partitions are read in (symbol,
date) order, so a scan is sorted by (symbol, time) and as-of joins need no sort.

This module has no Django imports: the root, and on S3 a cross-host writers'
lock, are passed in (see docs/storage.md).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import polars as pl

from tca.frames import SCHEMAS
from tca.objectstore import LockFactory, ObjectConflict, object_store

TICK_KINDS = ("quotes", "trades", "signals")
# Kinds where a row is identified by a key: a new value for a stored key replaces it
# (a vendor's corrected signal). Quotes and prints have no key: only identical rows
# are duplicates.
ROW_KEYS: dict[str, tuple[str, ...]] = {"signals": ("symbol", "time", "name")}
HISTORY = "daily_history"
_MANIFEST = "_manifest.json"
_WRITER_THREADS = 2
# A writer that lost a race for the manifest (S3 without the shared lock) redoes
# its merge against the new manifest this many times before giving up.
_CONFLICT_ATTEMPTS = 5
# A reader whose files were superseded while it read reads the new manifest.
_READ_ATTEMPTS = 3

T = TypeVar("T")


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


class TickStore:
    def __init__(
        self, url: str, *, options: Mapping[str, str] | None = None, lock: LockFactory | None = None
    ) -> None:
        self.objects = object_store(url, options=options, lock=lock)
        self.root: Path | None = self.objects.root

    # -- manifest -------------------------------------------------------------------
    def _manifest_read(self, kind: str) -> tuple[dict[str, str], str | None]:
        """The kind's live partitions and the manifest's version (None: no manifest yet)."""
        found = self.objects.get_versioned(f"{kind}/{_MANIFEST}")
        if found is None:
            return {}, None
        data, version = found
        return dict(json.loads(data)["partitions"]), version

    def _manifest(self, kind: str) -> dict[str, str]:
        return self._manifest_read(kind)[0]

    def _publish(self, kind: str, partitions: dict[str, str], *, expected: str | None) -> None:
        """Switch the kind to ``partitions`` if the manifest is still at ``expected``."""
        data = json.dumps({"partitions": dict(sorted(partitions.items()))}).encode()
        self.objects.replace(f"{kind}/{_MANIFEST}", data, expected=expected)

    def _locked(self, kind: str) -> AbstractContextManager[object]:
        """Serialise writers of one kind (read-modify-write of the manifest)."""
        return self.objects.lock(kind)

    def _key(self, kind: str, relative: str) -> str:
        return f"{kind}/{relative}"

    def _retiring(self, kind: str, live: dict[str, str], updated: dict[str, str]) -> None:
        """Delete the part files the switch made unreachable (always after the switch)."""
        for key, relative in live.items():
            if updated.get(key) != relative:
                self.objects.delete(self._key(kind, relative))

    @staticmethod
    def _retrying(attempt: Callable[[], T]) -> T:
        """Run a write again when another writer switched the manifest first."""
        for n in range(_CONFLICT_ATTEMPTS):
            try:
                return attempt()
            except ObjectConflict:
                if n + 1 == _CONFLICT_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

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
        return self._retrying(lambda: self._write_once(kind, frame))

    def _write_once(self, kind: str, frame: pl.DataFrame) -> WriteReport:
        with self._locked(kind):
            live, version = self._manifest_read(kind)
            updated = dict(live)
            written = 0
            duplicates = 0
            new_files: list[str] = []
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
                        self._publish(kind, updated, expected=version)
                except BaseException:
                    for future in futures:
                        future.cancel()
                    wait(futures)
                    for future in futures:
                        if future.cancelled() or future.exception() is not None:
                            continue
                        part_file = future.result()[2]
                        if part_file is not None:
                            self.objects.delete(part_file)
                    raise
            self._retiring(kind, live, updated)
        return WriteReport(
            rows_in=frame.height,
            rows_written=written,
            duplicates=duplicates,
            partitions=len(new_files),
        )

    def _merge_partition(
        self, kind: str, symbol: str, day: dt.date, incoming: pl.DataFrame, live: dict[str, str]
    ) -> tuple[str, str, str | None, int, int]:
        """Write one partition's new part file: (key, relative path, object or None, added, in)."""
        key = f"{symbol}/{day.isoformat()}"
        row_key = ROW_KEYS.get(kind)
        if key in live and row_key:
            stored = self.objects.read_parquet(self._key(kind, live[key]))
            incoming = incoming.unique(subset=list(row_key), keep="last", maintain_order=True)
            fresh = incoming.join(stored, on=list(stored.columns), how="anti", nulls_equal=True)
            added = fresh.height
            merged = (
                pl.concat([stored, incoming])
                .unique(subset=list(row_key), keep="last", maintain_order=True)
                .sort("time", maintain_order=True)
            )
        elif key in live:
            stored = self.objects.read_parquet(self._key(kind, live[key]))
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
        target = self._key(kind, relative)
        self.objects.write_parquet(target, merged)  # a failed write leaves no object
        return key, relative, target, added, incoming.height

    def replace(self, kind: str, frame: pl.DataFrame, *, date_column: str) -> int:
        """Replace whole (symbol, date) partitions of a derived kind (e.g. markouts).

        Recomputed results supersede the old ones rather than merge with them;
        the swap is atomic like :meth:`write`. Returns the partitions replaced.
        """
        if kind in TICK_KINDS:
            raise ValueError("market data is merged with write(), never replaced")
        return self._retrying(lambda: self._replace_once(kind, frame, date_column))

    def _replace_once(self, kind: str, frame: pl.DataFrame, date_column: str) -> int:
        with self._locked(kind):
            live, version = self._manifest_read(kind)
            updated = dict(live)
            new_files: list[str] = []
            try:
                for (symbol, day), part in frame.partition_by(
                    ["symbol", date_column], as_dict=True
                ).items():
                    key = f"{symbol}/{day.isoformat()}"
                    relative = partition_path(symbol, day)
                    target = self._key(kind, relative)
                    self.objects.write_parquet(target, part)
                    new_files.append(target)
                    updated[key] = relative
                if new_files:
                    self._publish(kind, updated, expected=version)
            except BaseException:
                for target in new_files:
                    self.objects.delete(target)
                raise
            self._retiring(kind, live, updated)
        return len(new_files)

    # -- reading --------------------------------------------------------------------
    def partitions(self, kind: str) -> list[tuple[str, dt.date]]:
        out = []
        for key in self._manifest(kind):
            symbol, day = key.rsplit("/", 1)
            out.append((symbol, dt.date.fromisoformat(day)))
        return out

    def _reading(self, kind: str, build: Callable[[dict[str, str]], T]) -> T:
        """``build`` over the live manifest; again if a writer switched it meanwhile.

        A writer deletes superseded part files right after its switch, so a reader
        that read the manifest just before can find a file gone. It then reads the
        new manifest (another complete state); a failure with the manifest
        unchanged is a real error and is raised.
        """
        for attempt in range(_READ_ATTEMPTS):
            partitions, version = self._manifest_read(kind)
            try:
                return build(partitions)
            except (OSError, pl.exceptions.PolarsError):
                if attempt + 1 == _READ_ATTEMPTS or self._manifest_read(kind)[1] == version:
                    raise
        raise AssertionError("unreachable")

    def _scan_files(
        self,
        kind: str,
        partitions: dict[str, str],
        symbols: set[str] | None,
        dates: set[str] | None,
    ) -> pl.LazyFrame:
        files = []
        for key, relative in sorted(partitions.items()):
            symbol, day = key.rsplit("/", 1)
            if symbols is not None and symbol not in symbols:
                continue
            if dates is not None and day not in dates:
                continue
            files.append(self.objects.url(self._key(kind, relative)))
        options = self.objects.storage_options
        if kind not in SCHEMAS:  # derived results keep their own columns
            if not files:
                return pl.LazyFrame()
            return pl.scan_parquet(files, hive_partitioning=False, storage_options=options)
        if not files:
            return pl.LazyFrame(schema=SCHEMAS[kind])
        return pl.scan_parquet(files, hive_partitioning=False, storage_options=options).select(
            list(SCHEMAS[kind])
        )

    @staticmethod
    def _selection(
        symbols: Iterable[str] | None, dates: Iterable[dt.date] | None
    ) -> tuple[set[str] | None, set[str] | None]:
        return (
            set(symbols) if symbols is not None else None,
            {d.isoformat() for d in dates} if dates is not None else None,
        )

    def scan(
        self,
        kind: str,
        *,
        symbols: Iterable[str] | None = None,
        dates: Iterable[dt.date] | None = None,
    ) -> pl.LazyFrame:
        """A lazy frame of the selected partitions, sorted by (symbol, time)."""
        wanted_symbols, wanted_dates = self._selection(symbols, dates)
        return self._scan_files(kind, self._manifest(kind), wanted_symbols, wanted_dates)

    def stamp(self, kind: str) -> str:
        """A token that changes whenever ``kind``'s manifest is replaced.

        Readers that keep derived data in memory key it on this: a publish
        replaces the manifest object, so its version (file identity, ETag) changes.
        """
        return self.objects.version(f"{kind}/{_MANIFEST}") or "empty"

    def read(
        self,
        kind: str,
        *,
        symbols: Iterable[str] | None = None,
        dates: Iterable[dt.date] | None = None,
    ) -> pl.DataFrame:
        """The selected partitions, read from one consistent manifest."""
        wanted_symbols, wanted_dates = self._selection(symbols, dates)
        return self._reading(
            kind,
            lambda live: self._scan_files(kind, live, wanted_symbols, wanted_dates).collect(),
        )

    # -- daily bars -----------------------------------------------------------------
    def write_daily(self, bars: pl.DataFrame) -> None:
        """Upsert daily bars (key: symbol, date) into one small Parquet file."""
        self._retrying(lambda: self._write_daily_once(bars))

    def _write_daily_once(self, bars: pl.DataFrame) -> None:
        with self._locked("daily"):
            live, version = self._manifest_read("daily")
            current = self._single_file("daily", live, pl.DataFrame())
            merged = pl.concat([current, bars], how="diagonal_relaxed") if current.height else bars
            merged = merged.unique(subset=["symbol", "date"], keep="last", maintain_order=True)
            self._swap_single_file("daily", merged.sort(["symbol", "date"]), live, version)

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
        return self._retrying(lambda: self._write_daily_history_once(bars))

    def _write_daily_history_once(self, bars: pl.DataFrame) -> WriteReport:
        schema = SCHEMAS["daily"]
        with self._locked(HISTORY):
            live, version = self._manifest_read(HISTORY)
            current = self._single_file(HISTORY, live, pl.DataFrame(schema=schema))
            same = bars.join(current, on=list(schema), how="semi", nulls_equal=True).height
            if same == bars.height:
                return WriteReport(bars.height, 0, same, 0)
            merged = (
                pl.concat([current, bars])
                .unique(subset=["symbol", "date"], keep="last", maintain_order=True)
                .sort("symbol", "date")
            )
            self._swap_single_file(HISTORY, merged, live, version)
        return WriteReport(bars.height, bars.height - same, same, 1)

    def _swap_single_file(
        self, kind: str, frame: pl.DataFrame, live: dict[str, str], version: str | None
    ) -> None:
        """Replace a kind kept as one small file: new file, manifest switch, old file last."""
        relative = f"bars-{uuid.uuid4().hex}.parquet"
        target = self._key(kind, relative)
        self.objects.write_parquet(target, frame)
        try:
            self._publish(kind, {"bars": relative}, expected=version)
        except BaseException:
            self.objects.delete(target)
            raise
        self._retiring(kind, live, {"bars": relative})

    def _single_file(self, kind: str, live: dict[str, str], empty: pl.DataFrame) -> pl.DataFrame:
        relative = live.get("bars")
        if not relative:
            return empty
        return self.objects.read_parquet(self._key(kind, relative))

    def read_daily_history(self) -> pl.DataFrame:
        empty = pl.DataFrame(schema=SCHEMAS["daily"])
        return self._reading(HISTORY, lambda live: self._single_file(HISTORY, live, empty))

    def read_daily(self) -> pl.DataFrame:
        return self._reading("daily", lambda live: self._single_file("daily", live, pl.DataFrame()))
