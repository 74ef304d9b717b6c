"""Trading calendar and the integer time keys the simulator sorts and joins on.

Every event belongs to a *segment* (one instrument on one day, numbered
instrument-major so segment order is (symbol, date) order) and carries its
time as integer nanoseconds since that day's session open. Packing the two into
one int64 key makes "the last quote strictly before t" one ``searchsorted``
over all instruments and days at once, with exact nanosecond comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

NS = 1_000_000_000
KEY_SHIFT = 45  # 2**45 ns is about 9.8 hours: room for any session's local time

# NYSE full-day closures; weekends are skipped separately.
HOLIDAYS = frozenset(
    date.fromisoformat(d)
    for d in (
        "2025-01-01",
        "2025-01-09",
        "2025-01-20",
        "2025-02-17",
        "2025-04-18",
        "2025-05-26",
        "2025-06-19",
        "2025-07-04",
        "2025-09-01",
        "2025-11-27",
        "2025-12-25",
        "2026-01-01",
        "2026-01-19",
        "2026-02-16",
        "2026-04-03",
        "2026-05-25",
        "2026-06-19",
        "2026-07-03",
        "2026-09-07",
        "2026-11-26",
        "2026-12-25",
        "2027-01-01",
        "2027-01-18",
        "2027-02-15",
        "2027-03-26",
        "2027-05-31",
        "2027-06-18",
        "2027-07-05",
        "2027-09-06",
        "2027-11-25",
        "2027-12-24",
    )
)


def trading_days(start: date, n: int) -> list[date]:
    """The first ``n`` weekdays on or after ``start`` that are not exchange holidays."""
    days: list[date] = []
    d = start
    while len(days) < n:
        if d.weekday() < 5 and d not in HOLIDAYS:
            days.append(d)
        d += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Timeline:
    """Days, their session opens as UTC nanoseconds, and the segment layout."""

    dates: tuple[date, ...]
    open_utc_ns: np.ndarray  # int64, one per day
    session_ns: int
    n_symbols: int
    open_clock: str = "09:30"

    @property
    def n_days(self) -> int:
        return len(self.dates)

    @property
    def n_segments(self) -> int:
        return self.n_symbols * self.n_days

    def segment_symbol(self, seg: np.ndarray) -> np.ndarray:
        return seg // self.n_days

    def segment_day(self, seg: np.ndarray) -> np.ndarray:
        return seg % self.n_days

    def utc_ns(self, seg: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Absolute UTC nanoseconds of session-local times."""
        return self.open_utc_ns[self.segment_day(seg)] + t

    def session_fraction(self, t: np.ndarray) -> np.ndarray:
        return t / self.session_ns

    def local_ns(self, clock: str) -> int:
        """Nanoseconds from the open to a local wall-clock time ("HH:MM") on any day."""
        return _clock_ns(clock) - _clock_ns(self.open_clock)


def _clock_ns(clock: str) -> int:
    t = time.fromisoformat(clock)
    return ((t.hour * 60 + t.minute) * 60 + t.second) * NS


def build_timeline(
    start: date, n_days: int, n_symbols: int, *, tz: str, session_open: str, session_close: str
) -> Timeline:
    """Sessions in local time, turned into UTC per day so DST changes are honoured."""
    zone = ZoneInfo(tz)
    days = trading_days(start, n_days)
    opens = []
    open_t, close_t = time.fromisoformat(session_open), time.fromisoformat(session_close)
    for d in days:
        local_open = datetime.combine(d, open_t, tzinfo=zone)
        opens.append(int(local_open.timestamp()) * NS)
    session_ns = _clock_ns(close_t.isoformat()) - _clock_ns(open_t.isoformat())
    if not 0 < session_ns < 2**KEY_SHIFT:
        raise ValueError("session must close after it opens and last under 9 hours")
    return Timeline(
        tuple(days), np.array(opens, dtype=np.int64), session_ns, n_symbols, session_open
    )


def make_key(seg: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Sortable (segment, local time) key; segment order is (symbol, date) order."""
    return (seg.astype(np.int64) << KEY_SHIFT) + t.astype(np.int64)


def key_segment(key: np.ndarray) -> np.ndarray:
    return key >> KEY_SHIFT


def key_time(key: np.ndarray) -> np.ndarray:
    return key & ((1 << KEY_SHIFT) - 1)


def asof_before(sorted_keys: np.ndarray, query_keys: np.ndarray) -> np.ndarray:
    """Index of the last key strictly before each query (-1 when none): the SPEC's mid(t)."""
    return np.searchsorted(sorted_keys, query_keys, side="left") - 1


def nudge_ties(sorted_keys: np.ndarray) -> np.ndarray:
    """Push equal keys 1 ns apart so event times are strictly increasing per segment."""
    steps = np.arange(sorted_keys.size, dtype=np.int64)
    return np.maximum.accumulate(sorted_keys - steps) + steps


def segment_starts(sorted_segments: np.ndarray, n_segments: int) -> np.ndarray:
    """Offsets of each segment's first row (length n_segments + 1) in a sorted array."""
    return np.searchsorted(sorted_segments, np.arange(n_segments + 1), side="left")
