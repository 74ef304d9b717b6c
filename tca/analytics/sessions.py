"""Instrument-local calendar: trade dates and session open/close instants.

The trade date of an instant is its date in the instrument's time zone (UTC
when unknown), and the session bounds of a date are its local open/close clock
times turned back into UTC instants, so DST changes are honoured.

Time-zone arithmetic is done on small tables, never per row: UTC offsets are
computed once per zone and 15-minute bucket (every zone changes offset on a
quarter hour) and session instants once per (symbol, date); rows then gather
from those tables with numpy. A session is assumed to open and close on the
same local date; a close not after the open counts as unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

import numpy as np
import polars as pl

from .inputs import conform_instruments
from .keys import SymbolCodes

DAY_NS = 86_400 * 10**9
_BUCKET_NS = 15 * 60 * 10**9
_DIRECT_TABLE_MAX = 100_000  # above this many cells, tabulate only the values present


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _clock_ns(values: pl.Series) -> pl.Series:
    s = values.cast(pl.String).str.strip_chars()
    s = pl.select(pl.when(s.str.len_chars() == 5).then(s + ":00").otherwise(s)).to_series()
    t = s.str.to_time("%H:%M:%S", strict=False)
    return t.cast(pl.Int64)  # nanoseconds since midnight, null if unparsable


@dataclass(frozen=True)
class Calendar:
    """Time zone and session clock times per symbol, from the instruments frame."""

    zones: tuple[str, ...]
    zone_by_symbol: dict[str, int]
    open_by_symbol: dict[str, int]
    close_by_symbol: dict[str, int]

    @classmethod
    def of(cls, instruments: pl.DataFrame | None) -> Calendar:
        inst = conform_instruments(instruments)
        known = _known_zones()
        tz = inst["timezone"].to_list()
        zones = tuple(sorted({z for z in tz if z in known}))
        zone_index = {z: i for i, z in enumerate(zones)}
        symbols = inst["symbol"].to_list()
        opens = _clock_ns(inst["session_open"]).to_list()
        closes = _clock_ns(inst["session_close"]).to_list()
        zone_by, open_by, close_by = {}, {}, {}
        for sym, z, o, c in zip(symbols, tz, opens, closes, strict=True):
            if sym is None or z not in zone_index:
                continue
            zone_by[sym] = zone_index[z]
            if o is not None and c is not None and c > o:
                open_by[sym], close_by[sym] = o, c
        return cls(zones, zone_by, open_by, close_by)

    def aligned(self, codes: SymbolCodes) -> AlignedCalendar:
        """Per-code arrays for a given symbol coding (a loop over symbols, not rows)."""
        syms = codes.symbols
        return AlignedCalendar(
            zones=self.zones,
            zone=np.array([self.zone_by_symbol.get(s, -1) for s in syms] + [-1], dtype=np.int64),
            open_clock=np.array([self.open_by_symbol.get(s, -1) for s in syms] + [-1], np.int64),
            close_clock=np.array([self.close_by_symbol.get(s, -1) for s in syms] + [-1], np.int64),
        )


@dataclass(frozen=True)
class AlignedCalendar:
    """Calendar arrays indexed by symbol code; index -1 (unknown symbol) is the last
    entry, which has no zone and no session."""

    zones: tuple[str, ...]
    zone: np.ndarray
    open_clock: np.ndarray
    close_clock: np.ndarray

    def local_time(self, codes: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Local wall-clock nanoseconds since the epoch (UTC where the zone is unknown)."""
        local = times.copy()
        zone = self.zone[codes]
        for zi, name in enumerate(self.zones):
            rows = np.flatnonzero(zone == zi)
            if len(rows):
                local[rows] += _utc_offsets(name, times[rows])
        return local

    def local_day(self, codes: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Local date as days since 1970-01-01."""
        return np.floor_divide(self.local_time(codes, times), DAY_NS)

    def has_session(self, codes: np.ndarray) -> np.ndarray:
        return self.close_clock[codes] >= 0

    def session_instant(self, codes: np.ndarray, days: np.ndarray, *, close: bool) -> np.ndarray:
        """UTC nanoseconds of the session open (or close) on each local day; -1 unknown.

        Computed once per run of equal (symbol, day), so rows grouped by symbol and
        time cost one conversion per symbol and day.
        """
        n = len(codes)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        change = np.ones(n, dtype=bool)
        change[1:] = (codes[1:] != codes[:-1]) | (days[1:] != days[:-1])
        starts = np.flatnonzero(change)
        lengths = np.diff(np.append(starts, n))
        return np.repeat(self._instants(codes[starts], days[starts], close=close), lengths)

    def _instants(self, codes: np.ndarray, days: np.ndarray, *, close: bool) -> np.ndarray:
        clock = (self.close_clock if close else self.open_clock)[codes]
        known = clock >= 0
        out = np.full(len(codes), -1, dtype=np.int64)
        if not known.any():
            return out
        naive = days * DAY_NS + clock
        zone = self.zone[codes]
        for zi, name in enumerate(self.zones):
            rows = np.flatnonzero(known & (zone == zi))
            if len(rows):
                out[rows] = _localize(name, naive[rows])
        return out


def _tabulated(values: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``fn`` over the distinct values only, gathered back to every row."""
    lo, hi = int(values.min()), int(values.max())
    if hi - lo < _DIRECT_TABLE_MAX:
        table = fn(np.arange(lo, hi + 1, dtype=np.int64))
        return table[values - lo]
    uniq, inverse = np.unique(values, return_inverse=True)
    return fn(uniq)[inverse]


def _utc_offsets(zone: str, times: np.ndarray) -> np.ndarray:
    """UTC offset (ns) of ``zone`` at each instant, evaluated once per 15-minute bucket."""

    def offsets(buckets: np.ndarray) -> np.ndarray:
        local = pl.Series(buckets * _BUCKET_NS).cast(pl.Datetime("ns", "UTC"))
        local = local.dt.convert_time_zone(zone)
        off = local.dt.base_utc_offset() + local.dt.dst_offset()
        return off.dt.total_nanoseconds().to_numpy()

    return _tabulated(np.floor_divide(times, _BUCKET_NS), offsets)


def _localize(zone: str, naive: np.ndarray) -> np.ndarray:
    """UTC ns of local wall-clock times (earliest on a repeated hour, -1 if skipped)."""

    def convert(values: np.ndarray) -> np.ndarray:
        s = pl.Series(values).cast(pl.Datetime("ns"))
        s = s.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
        return s.dt.epoch("ns").fill_null(-1).to_numpy()

    uniq, inverse = np.unique(naive, return_inverse=True)
    return convert(uniq)[inverse]


def days_to_dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def ns_to_times(ns: np.ndarray, missing: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(ns).cast(pl.Datetime("ns", "UTC"))
    if missing is not None:
        s = pl.select(pl.when(pl.Series(missing)).then(None).otherwise(s)).to_series()
    return s
