"""Sums over market prints (the tape) in time windows: interval VWAP, volume, PWP.

Prints are keyed like quotes (see ``keys``) and carry running totals of size
and size×price, so any window of any symbol is two binary searches and one
subtraction; running notional is kept in extended precision so the
subtraction loses nothing. Prints without a positive size and a finite price
are not market volume and are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .inputs import conform
from .keys import KeyLayout, SymbolCodes


@dataclass(frozen=True)
class WindowSums:
    volume: np.ndarray
    notional: np.ndarray
    count: np.ndarray


class TradeTape:
    """Market prints sorted by (symbol, time) with running volume and notional."""

    def __init__(self, trades: pl.DataFrame) -> None:
        t = conform(trades, "trades").select("symbol", "time", "price", "size")
        t = t.filter(
            pl.col("symbol").is_not_null()
            & pl.col("time").is_not_null()
            & pl.col("price").is_finite()
            & (pl.col("size") > 0)
        )
        self.codes, codes = SymbolCodes.build(t["symbol"])
        times = t["time"].dt.epoch("ns").to_numpy()
        self.layout = KeyLayout.covering(times, len(self.codes))
        keys = self.layout.element_keys(codes, times)
        price = t["price"].to_numpy()
        size = t["size"].to_numpy()
        if len(keys) > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
            order = np.argsort(keys, kind="stable")  # stable: same-time prints keep feed order
            keys, times, price, size = (a[order] for a in (keys, times, price, size))
        self.keys = keys
        self.times = times
        self.price = price
        self.size = size
        self.starts = np.searchsorted(
            keys, np.arange(len(self.codes) + 1, dtype=np.int64) << self.layout.shift
        )
        self.cum_volume = np.concatenate(([0.0], np.cumsum(size, dtype=np.float64)))
        notional = price.astype(np.longdouble)
        notional *= size
        self.cum_notional = np.concatenate(([0.0], np.cumsum(notional)))

    def __len__(self) -> int:
        return len(self.keys)

    def print_codes(self) -> np.ndarray:
        """Symbol code of every print, in tape order."""
        return np.repeat(np.arange(len(self.codes), dtype=np.int64), np.diff(self.starts))

    def encode(self, symbols: pl.Series) -> np.ndarray:
        return self.codes.encode(symbols)

    def window(
        self, codes: np.ndarray, t_lo: np.ndarray, t_hi: np.ndarray, valid: np.ndarray
    ) -> WindowSums:
        """Volume, notional and print count over the closed window [t_lo, t_hi]."""
        ok = valid & (codes >= 0) & (t_hi >= t_lo)
        c = np.where(ok, codes, 0)
        lo = np.searchsorted(self.keys, self.layout.bound_keys(c, t_lo, inclusive=False))
        hi = np.searchsorted(self.keys, self.layout.bound_keys(c, t_hi, inclusive=True))
        lo = np.where(ok, np.maximum(lo, self.starts[c]), 0)
        hi = np.where(ok, np.maximum(hi, lo), 0)
        return WindowSums(
            volume=self.cum_volume[hi] - self.cum_volume[lo],
            notional=(self.cum_notional[hi] - self.cum_notional[lo]).astype(np.float64),
            count=hi - lo,
        )

    def participation_price(
        self,
        codes: np.ndarray,
        t_start: np.ndarray,
        target: np.ndarray,
        t_limit: np.ndarray,
        valid: np.ndarray,
    ) -> np.ndarray:
        """VWAP of the prints from ``t_start`` until ``target`` volume has traded (NaN if
        the symbol's prints up to ``t_limit`` do not reach it); the last print is taken
        only for the part needed, so the result is exactly the PWP of that volume."""
        n = len(codes)
        ok = valid & (codes >= 0) & (target > 0)
        if len(self.keys) == 0 or n == 0:
            return np.full(n, np.nan)
        c = np.where(ok, codes, 0)
        lo = np.searchsorted(self.keys, self.layout.bound_keys(c, t_start, inclusive=False))
        lo = np.maximum(lo, self.starts[c])
        need = self.cum_volume[lo] + np.where(ok, target, 0.0)
        j = np.searchsorted(self.cum_volume, need, side="left")  # first j: cum[j] >= need
        end = self.starts[c + 1]
        ok &= (j > lo) & (j <= end)
        j = np.where(ok, j, lo + 1)
        last = np.minimum(j - 1, len(self.keys) - 1)
        ok &= self.times[last] <= t_limit
        partial = need - self.cum_volume[j - 1]
        notional = (self.cum_notional[j - 1] - self.cum_notional[lo]).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            price = (notional + self.price[last] * partial) / target
        return np.where(ok, price, np.nan)
