"""As-of quote lookups: mid(t) from the last quote strictly before t (SPEC §1).

Quotes are keyed once (see ``keys``) and kept as numpy arrays; every probe of
a run (reference times of all orders, all fills, all fills × all markout
horizons) is answered by one sorted merge against them. A probe never sees a
quote at or after its own time, and a quote older than the staleness limit
gives a missing value with its reason, never a silently reused price.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from itertools import pairwise

import numpy as np
import polars as pl

from .inputs import conform
from .keys import KeyLayout, SymbolCodes, epoch_ns

# Probes presented as at most this many ascending runs are merged run by run;
# beyond it they are sorted first. Fills sorted once give one run per horizon.
_MAX_RUNS = 64
# Quotes per slice when streaming running sums (small enough to stay in cache-sized buffers).
_SLICE = 1 << 18


class QuoteState(IntEnum):
    """Why a looked-up mid is or is not available."""

    OK = 0
    NONE = 1  # no quote of the symbol strictly before the probe
    STALE = 2  # the last quote is older than the staleness limit
    INVALID = 3  # the last quote has no two-sided mid (null/NaN bid or ask)
    NO_TIME = 4  # the probe itself has no time (e.g. unknown end time)


@dataclass(frozen=True)
class _ProbeCodes:
    """Per-probe symbol data that does not change with the probe time."""

    ok: np.ndarray
    codes: np.ndarray
    block_start: np.ndarray


@dataclass(frozen=True)
class QuoteLookup:
    """Result of probing the index: state per probe, and values that are NaN unless OK."""

    position: np.ndarray
    state: np.ndarray
    mid: np.ndarray


class QuoteIndex:
    """Quotes sorted by (symbol, time) as int64 keys and mids; build once per run.

    Only the keys and the mids are held as arrays (times are recovered from the
    keys); bid and ask stay in the polars frame and are gathered on demand.
    """

    def __init__(self, quotes: pl.DataFrame) -> None:
        q = conform(quotes, "quotes").select("symbol", "time", "bid", "ask")
        q = q.filter(pl.col("symbol").is_not_null() & pl.col("time").is_not_null())
        self.codes, codes = SymbolCodes.build(q["symbol"])
        times = q["time"].dt.epoch("ns").to_numpy()
        self.layout = KeyLayout.covering(times, len(self.codes))
        keys = self.layout.element_keys(codes, times)
        del codes, times
        if len(keys) > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
            order = np.argsort(keys, kind="stable")  # stable: ties keep feed order
            keys = keys[order]
            q = q[order]
        self.keys = keys
        self._frame = q.select("bid", "ask")
        mid = q["bid"].to_numpy().astype(np.float64, copy=True)
        mid += q["ask"].to_numpy()
        mid *= 0.5
        self.mid = mid
        self.starts = np.searchsorted(
            keys, np.arange(len(self.codes) + 1, dtype=np.int64) << self.layout.shift
        )

    def times_at(self, positions: np.ndarray) -> np.ndarray:
        return self.layout.element_times(self.keys[positions])

    def bid_ask_at(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bid and ask of the quotes at ``positions`` (-1 gives NaN)."""
        has = positions >= 0
        if self._frame.height == 0:
            nan = np.full(len(positions), np.nan)
            return nan, nan.copy()
        idx = pl.Series(np.where(has, positions, 0))
        bid = self._frame["bid"].gather(idx).to_numpy().astype(np.float64)
        ask = self._frame["ask"].gather(idx).to_numpy().astype(np.float64)
        return np.where(has, bid, np.nan), np.where(has, ask, np.nan)

    def __len__(self) -> int:
        return len(self.keys)

    @cached_property
    def _right(self) -> pl.DataFrame:
        right = pl.DataFrame({"k": self.keys}).set_sorted("k")
        return right.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("i"))

    def _probe_codes(self, codes: np.ndarray, valid: np.ndarray) -> _ProbeCodes:
        ok = valid & (codes >= 0)
        safe = np.where(ok, codes, 0)
        return _ProbeCodes(ok=ok, codes=safe, block_start=self.starts[safe])

    def _positions(self, pc: _ProbeCodes, times: np.ndarray) -> np.ndarray:
        bounds = self.layout.bound_keys(pc.codes, times, inclusive=False)
        bounds -= 1  # last key <= bound − 1  ⇔  last quote strictly before t
        pos = _merge_asof(self._right, bounds)
        return np.where(pc.ok & (pos >= pc.block_start), pos, -1)

    def positions(self, codes: np.ndarray, times: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """Index of the last quote of the same symbol strictly before each probe, or -1."""
        return self._positions(self._probe_codes(codes, valid), times)

    def lookup(
        self, codes: np.ndarray, times: np.ndarray, valid: np.ndarray, staleness_ns: int
    ) -> QuoteLookup:
        """Mids at each probe (NaN unless state is OK), with the reason when missing."""
        return self._lookup(self._probe_codes(codes, valid), times, valid, staleness_ns)

    def _lookup(
        self, pc: _ProbeCodes, times: np.ndarray, valid: np.ndarray, staleness_ns: int
    ) -> QuoteLookup:
        pos = self._positions(pc, times)
        has = pos >= 0
        state = np.full(len(pos), QuoteState.OK, dtype=np.int8)
        if len(self.keys) == 0:
            mid = np.full(len(pos), np.nan)
        else:
            p = np.maximum(pos, 0)
            mid = self.mid[p]
            state[~np.isfinite(mid)] = QuoteState.INVALID
            age = self.layout.element_times(self.keys[p])  # quote times, then ages in place
            np.subtract(times, age, out=age)
            state[age > staleness_ns] = QuoteState.STALE
        state[~has] = QuoteState.NONE
        state[~valid] = QuoteState.NO_TIME
        mid[state != QuoteState.OK] = np.nan
        return QuoteLookup(position=pos, state=state, mid=mid)

    def lookup_grid(
        self,
        codes: np.ndarray,
        times: np.ndarray,
        valid: np.ndarray,
        *,
        shifts_ns: list[int],
        limit: np.ndarray,
        staleness_ns: int,
    ) -> list[np.ndarray]:
        """Mids at every probe t + shift (capped at ``limit`` for positive shifts) of the
        grid probes × shifts, NaN when missing.

        One as-of over the whole grid; with probes in (symbol, time) order every shift
        is one ascending run, merged linearly, and is processed as its own slab so
        buffers stay the size of one shift's probes rather than of the whole grid.
        """
        pc = self._probe_codes(codes, valid)
        out = []
        for shift in shifts_ns:
            t = times + shift
            if shift > 0:
                np.minimum(t, limit, out=t)
            out.append(self._mid_only(pc, t, staleness_ns))
        return out

    def _mid_only(self, pc: _ProbeCodes, times: np.ndarray, staleness_ns: int) -> np.ndarray:
        """``_lookup(...).mid`` without the reasons, for the markout grid's hot path."""
        pos = self._positions(pc, times)
        if len(self.keys) == 0:
            return np.full(len(pos), np.nan)
        p = np.maximum(pos, 0)
        mid = self.mid[p]  # NaN already where the quote has no mid
        age = self.layout.element_times(self.keys[p])
        np.subtract(times, age, out=age)
        mid[(pos < 0) | (age > staleness_ns)] = np.nan
        return mid

    def lookup_series(self, symbols: pl.Series, times: pl.Series, staleness_ns: int) -> QuoteLookup:
        """``lookup`` for polars columns (nullable times)."""
        t, valid = epoch_ns(times)
        return self.lookup(self.codes.encode(symbols), t, valid, staleness_ns)

    @cached_property
    def _reference(self) -> np.ndarray:
        """Per-symbol reference mid (first valid mid) for numerically small integrals."""
        lengths = np.diff(self.starts)
        present = np.flatnonzero(lengths > 0)
        ref = np.zeros(len(lengths))
        if len(present):
            first = self.mid[self.starts[present]]
            mins = np.fmin.reduceat(self.mid, self.starts[present])
            ref[present] = np.where(np.isfinite(first), first, np.nan_to_num(mins))
        return ref

    def _integral_at(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """At each position p: the running integral of (mid − symbol reference)·dt over
        all quotes up to and including p's own live interval (until the next quote of
        its symbol), in price·seconds, and the running count of quotes without a mid.

        Streamed in fixed-size slices up to the last position asked for, keeping only
        the values at ``positions``: TWAP needs two points per order, not 20M sums.
        """
        want = np.unique(positions)
        cum_out = np.empty(len(want))
        bad_out = np.zeros(len(want), dtype=np.int64)
        if len(want) == 0:
            return cum_out[np.searchsorted(want, positions)], bad_out
        n = len(self.keys)
        stop = int(want[-1]) + 1
        ref = self._reference
        shift = self.layout.shift
        carry, bad_carry = 0.0, 0
        for lo in range(0, stop, _SLICE):
            hi = min(stop, lo + _SLICE)
            keys = self.keys[lo : min(n, hi + 1)]
            times = self.layout.element_times(keys)
            dt = np.zeros(hi - lo)
            nxt = len(keys) - 1
            dt[:nxt] = np.where((keys[1:] >> shift) == (keys[:-1] >> shift), np.diff(times), 0)[
                : hi - lo
            ]
            dt *= 1e-9
            g = self.mid[lo:hi] - ref[keys[: hi - lo] >> shift]
            bad = ~np.isfinite(g)
            if bad.any():
                g[bad] = 0.0
            g *= dt
            np.cumsum(g, out=g)
            g += carry
            a, b = np.searchsorted(want, [lo, hi])
            cum_out[a:b] = g[want[a:b] - lo]
            if bad.any():
                counts = np.cumsum(bad) + bad_carry
                bad_out[a:b] = counts[want[a:b] - lo]
                bad_carry = int(counts[-1])
            else:
                bad_out[a:b] = bad_carry
            carry = float(g[-1])
        idx = np.searchsorted(want, positions)
        return cum_out[idx], bad_out[idx]

    def twap(
        self, pos_start: np.ndarray, pos_end: np.ndarray, t_start: np.ndarray, t_end: np.ndarray
    ) -> np.ndarray:
        """Time-weighted mid over [t_start, t_end]: each quote weighs how long it was live.

        ``pos_*`` are the quotes in force at each end (strictly before, as for mids);
        NaN when the start has no quote or a quote without a mid is live in the window.
        """
        out = np.full(len(pos_start), np.nan)
        if len(self.keys) == 0 or len(out) == 0:
            return out
        ok = (pos_start >= 0) & (pos_end >= pos_start) & (t_end >= t_start)
        if not ok.any():
            return out
        a = np.where(ok, pos_start, 0)
        b = np.where(ok, pos_end, 0)
        cum, bad = self._integral_at(np.concatenate([a, b]))
        cum_a, cum_b = cum[: len(a)], cum[len(a) :]
        bad_a, bad_b = bad[: len(a)], bad[len(a) :]
        before_a = bad_a - (~np.isfinite(self.mid[a])).astype(np.int64)
        ok &= bad_b == before_a  # no quote without a mid live in [t_start, t_end]
        shift = self.layout.shift
        ref = self._reference[self.keys[a] >> shift]

        def until(p: np.ndarray) -> np.ndarray:
            """End of p's live interval as counted in the running integral."""
            nxt = np.minimum(p + 1, len(self.keys) - 1)
            same = (nxt != p) & ((self.keys[nxt] >> shift) == (self.keys[p] >> shift))
            return np.where(same, self.times_at(nxt), self.times_at(p))

        def integral(cum_p: np.ndarray, p: np.ndarray, t: np.ndarray) -> np.ndarray:
            return cum_p + (self.mid[p] - ref) * ((t - until(p)) / 1e9)

        span = (t_end - t_start) / 1e9
        with np.errstate(invalid="ignore", divide="ignore"):
            avg = ref + (integral(cum_b, b, t_end) - integral(cum_a, a, t_start)) / span
        value = np.where(span == 0, self.mid[a], avg)
        return np.where(ok, value, np.nan)


def _merge_asof(right: pl.DataFrame, probes: np.ndarray) -> np.ndarray:
    """Row of the last right key <= each probe (-1 if none), by sorted merges.

    Probes made of a few ascending runs (e.g. sorted fills shifted by each
    horizon) are merged run by run, which is linear; otherwise they are sorted.
    """
    n = len(probes)
    out = np.empty(n, dtype=np.int64)
    if n == 0:
        return out
    if right.height == 0:
        out.fill(-1)
        return out
    breaks = np.flatnonzero(probes[1:] < probes[:-1]) + 1
    if len(breaks) < _MAX_RUNS:
        for a, b in pairwise([0, *breaks.tolist(), n]):
            out[a:b] = _merge_sorted(right, probes[a:b])
        return out
    order = np.argsort(probes, kind="stable")
    out[order] = _merge_sorted(right, probes[order])
    return out


def _merge_sorted(right: pl.DataFrame, sorted_probes: np.ndarray) -> np.ndarray:
    left = pl.DataFrame({"k": sorted_probes}).set_sorted("k")
    joined = left.join_asof(right, on="k", strategy="backward", check_sortedness=False)
    return joined["i"].fill_null(-1).to_numpy()
