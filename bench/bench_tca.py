"""Benchmark of the TCA engine on a synthetic day (not a test).

    python bench/bench_tca.py [--fills N --quotes M --trades K --orders O --symbols S]

Builds the data with numpy alone (no simulator), then times the whole
``run_tca``, the markout step alone, and a bare polars ``join_asof`` of the
same fills on the same quotes, measured in the same process.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tca.analytics import TcaConfig, compute_fill_markouts, run_tca
from tca.analytics.asof import QuoteIndex

UTC_TIME = pl.Datetime("ns", "UTC")
DAY = date(2024, 3, 5)
OPEN_NS = int(datetime(2024, 3, 5, 14, 30, tzinfo=UTC).timestamp()) * 10**9
SESSION_NS = int(6.5 * 3600) * 10**9


def _blocks(rng: np.random.Generator, n: int, n_symbols: int) -> np.ndarray:
    """Symbol code per row, sorted, with uneven (log-normal) activity per symbol."""
    weights = rng.lognormal(0.0, 1.0, n_symbols)
    counts = rng.multinomial(n, weights / weights.sum())
    return np.repeat(np.arange(n_symbols), counts)


def _sorted_times(rng: np.random.Generator, codes: np.ndarray) -> np.ndarray:
    t = OPEN_NS + rng.integers(0, SESSION_NS, len(codes))
    return t[np.lexsort((t, codes))]


def make_data(
    *, n_fills: int, n_quotes: int, n_trades: int, n_orders: int, n_symbols: int, seed: int
) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    symbols = np.array([f"SYM{i:04d}" for i in range(n_symbols)])
    p0 = np.exp(rng.uniform(np.log(10), np.log(500), n_symbols))
    half_spread_bps = rng.uniform(1.0, 8.0, n_symbols)

    # quotes: per-symbol random walk of the mid in log space
    qc = _blocks(rng, n_quotes, n_symbols)
    qt = _sorted_times(rng, qc)
    steps = rng.standard_normal(n_quotes) * 2e-5
    walk = np.cumsum(steps)
    starts = np.searchsorted(qc, np.arange(n_symbols))
    walk -= np.repeat(walk[np.minimum(starts, n_quotes - 1)], np.bincount(qc, minlength=n_symbols))
    mid = p0[qc] * np.exp(walk)
    half = mid * half_spread_bps[qc] * 1e-4
    quotes = pl.DataFrame(
        {
            "symbol": symbols[qc],
            "time": pl.Series(qt).cast(UTC_TIME),
            "bid": mid - half,
            "ask": mid + half,
        }
    )

    def quote_before(codes: np.ndarray, t: np.ndarray) -> np.ndarray:
        keys = (qc.astype(np.int64) << 46) | (qt - OPEN_NS)
        probe = (codes.astype(np.int64) << 46) | (t - OPEN_NS)
        i = np.searchsorted(keys, probe, side="left") - 1
        return np.clip(i, 0, n_quotes - 1)

    # market prints at the touch
    tc = _blocks(rng, n_trades, n_symbols)
    tt = _sorted_times(rng, tc)
    qi = quote_before(tc, tt)
    buy = rng.random(n_trades) < 0.5
    trades = pl.DataFrame(
        {
            "symbol": symbols[tc],
            "time": pl.Series(tt).cast(UTC_TIME),
            "price": np.where(buy, mid[qi] + half[qi], mid[qi] - half[qi]),
            "size": rng.integers(1, 20, n_trades) * 100.0,
        }
    )

    # parent orders and their fills
    oc = rng.integers(0, n_symbols, n_orders)
    side = rng.choice(np.array([-1, 1], dtype=np.int8), n_orders)
    arrival = OPEN_NS + rng.integers(0, SESSION_NS - 3600 * 10**9, n_orders)
    duration = rng.integers(60, 3600, n_orders) * 10**9
    per_order = rng.multinomial(n_fills - n_orders, np.full(n_orders, 1 / n_orders)) + 1
    fo = np.repeat(np.arange(n_orders), per_order)
    ft = arrival[fo] + (rng.random(n_fills) * duration[fo]).astype(np.int64) + 1
    fc = oc[fo]
    fq = rng.integers(1, 10, n_fills) * 100.0
    fi = quote_before(fc, ft)
    passive = rng.random(n_fills) < 0.4
    sgn = side[fo].astype(np.float64)
    fprice = np.where(passive, mid[fi] - sgn * half[fi], mid[fi] + sgn * half[fi])
    executed = np.bincount(fo, weights=fq, minlength=n_orders)
    fill_rate = np.where(rng.random(n_orders) < 0.3, rng.uniform(0.5, 1.0, n_orders), 1.0)
    order_ids = np.array([f"O{i:07d}" for i in range(n_orders)])
    orders = pl.DataFrame(
        {
            "order_id": order_ids,
            "symbol": symbols[oc],
            "side": side,
            "quantity": np.ceil(executed / fill_rate / 100.0) * 100.0,
            "arrival_time": pl.Series(arrival).cast(UTC_TIME),
            "broker": rng.choice(np.array(["BRK_A", "BRK_B", "BRK_C"]), n_orders),
            "algo": rng.choice(np.array(["VWAP", "POV", "IS", "DARK"]), n_orders),
            "trader": rng.choice(np.array(["alice", "bob", "carol"]), n_orders),
            "desk": rng.choice(np.array(["cash", "program"]), n_orders),
        }
    )
    order = np.lexsort((ft, fc))
    fills = pl.DataFrame(
        {
            "exec_id": np.char.add("E", np.arange(n_fills).astype(str)),
            "order_id": order_ids[fo],
            "symbol": symbols[fc],
            "side": side[fo],
            "quantity": fq,
            "price": fprice,
            "time": pl.Series(ft).cast(UTC_TIME),
            "venue": rng.choice(np.array(["XNYS", "XNAS", "BATS", "IEXG", "DARK"]), n_fills),
            "liquidity": np.where(passive, "ADD", "REMOVE"),
            "fee": np.where(passive, -0.0020, 0.0030) * fq,
        }
    )[order]

    days = [
        DAY - timedelta(days=d) for d in range(35, 0, -1) if (DAY - timedelta(days=d)).weekday() < 5
    ]
    rets = rng.standard_normal((n_symbols, len(days))) * 0.015
    closes = p0[:, None] * np.exp(np.cumsum(rets, axis=1) - rets.sum(axis=1, keepdims=True))
    daily = pl.DataFrame(
        {
            "symbol": np.repeat(symbols, len(days)),
            "date": days * n_symbols,
            "open": closes.ravel() * (1 + rng.standard_normal(closes.size) * 0.003),
            "close": closes.ravel(),
            "volume": rng.lognormal(13.0, 1.0, closes.size),
        }
    )
    instruments = pl.DataFrame(
        {
            "symbol": symbols,
            "timezone": ["America/New_York"] * n_symbols,
            "session_open": ["09:30"] * n_symbols,
            "session_close": ["16:00"] * n_symbols,
        }
    )
    return {
        "orders": orders,
        "fills": fills,
        "quotes": quotes,
        "trades": trades,
        "instruments": instruments,
        "daily": daily,
    }


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fills", type=int, default=2_000_000)
    ap.add_argument("--quotes", type=int, default=20_000_000)
    ap.add_argument("--trades", type=int, default=5_000_000)
    ap.add_argument("--orders", type=int, default=20_000)
    ap.add_argument("--symbols", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    t0 = time.perf_counter()
    data = make_data(
        n_fills=args.fills,
        n_quotes=args.quotes,
        n_trades=args.trades,
        n_orders=args.orders,
        n_symbols=args.symbols,
        seed=args.seed,
    )
    print(
        f"data: {args.fills:,} fills, {args.quotes:,} quotes, {args.trades:,} trades, "
        f"{args.orders:,} orders, {args.symbols} symbols "
        f"(built in {time.perf_counter() - t0:.1f} s); polars {pl.__version__}, "
        f"{pl.thread_pool_size()} threads"
    )
    config = TcaConfig()
    fills, quotes, instruments = data["fills"], data["quotes"], data["instruments"]

    whole = best_of(args.repeat, lambda: run_tca(**data, config=config))
    markouts = best_of(
        args.repeat,
        lambda: compute_fill_markouts(
            fills=fills, quotes=quotes, config=config, instruments=instruments
        ),
    )
    index = QuoteIndex(quotes)
    markouts_indexed = best_of(
        args.repeat,
        lambda: compute_fill_markouts(
            fills=fills, quotes=index, config=config, instruments=instruments
        ),
    )
    bare = best_of(
        args.repeat,
        lambda: fills.join_asof(
            quotes, on="time", by="symbol", strategy="backward", check_sortedness=False
        ),
    )
    n_h = len(config.markout_horizons)
    print(f"run_tca (whole run)                         {whole:7.2f} s")
    print(f"markout step ({n_h} horizons, quotes as frame)   {markouts:7.2f} s")
    print(f"markout step ({n_h} horizons, prebuilt index)    {markouts_indexed:7.2f} s")
    print(f"bare polars join_asof (1 horizon, by symbol) {bare:7.2f} s")
    print(f"ratio markout step / bare join               {markouts / bare:7.2f}x")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"(best of {args.repeat}; {os.cpu_count()} CPUs, load average {load})")


if __name__ == "__main__":
    main()
