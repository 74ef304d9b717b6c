"""As-of lookups against a brute-force reference: strictly before, per symbol, stale."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tca.analytics import keys
from tca.analytics.asof import QuoteIndex, QuoteState

from .builders import at, frame, quotes

T0 = at("10:00:00")
NS = 1_000_000_000


def brute_force(q: list[tuple[str, int, float]], sym: str, t: int) -> tuple[int, float] | None:
    """(time, mid) of the last quote of ``sym`` strictly before ``t`` in feed order."""
    best = None
    for s, qt, mid in q:
        if s == sym and qt < t and (best is None or qt >= best[0]):
            best = (qt, mid)
    return best


quote_rows = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 40), st.integers(1, 999)),
    max_size=60,
)


@settings(max_examples=30, deadline=None)
@given(
    quote_rows,
    st.lists(st.tuples(st.sampled_from(["A", "B", "C", "Z"]), st.integers(-5, 50)), max_size=40),
    st.sampled_from([None, 20]),
)
def test_lookup_matches_brute_force(qrows, probes, key_bits) -> None:
    # Times in seconds on a small grid, so ties between quotes and probes are common;
    # key_bits=20 forces the rank key layout (as for long multi-day chunks).
    q = [(s, T0 + timedelta(seconds=t), m / 10.0) for s, t, m in qrows]
    df = frame("quotes", [{"symbol": s, "time": t, "bid": m, "ask": m} for s, t, m in q])
    bits = keys._KEY_BITS if key_bits is None else key_bits
    with mock.patch.object(keys, "_KEY_BITS", bits):
        idx = QuoteIndex(df)
        if key_bits is not None and len({t for _, t, _ in qrows}) > 1:
            assert idx.layout.ranks is not None
        stale_ns = 10 * NS
        look = idx.lookup_series(
            pl.Series([s for s, _ in probes], dtype=pl.String),
            pl.Series([T0 + timedelta(seconds=t) for _, t in probes]),
            stale_ns,
        )
    ref = [(s, int(t.timestamp()) * NS, m) for s, t, m in q]
    for i, (sym, dt) in enumerate(probes):
        t = int((T0 + timedelta(seconds=dt)).timestamp()) * NS
        expected = brute_force(ref, sym, t)
        if expected is None:
            assert look.state[i] == QuoteState.NONE
            assert np.isnan(look.mid[i])
        elif t - expected[0] > stale_ns:
            assert look.state[i] == QuoteState.STALE
            assert np.isnan(look.mid[i])
        else:
            assert look.state[i] == QuoteState.OK
            assert look.mid[i] == expected[1]


def test_quote_at_the_probe_time_is_not_used() -> None:
    idx = QuoteIndex(quotes("A", [("09:59:00", 99.0, 101.0), ("10:00:00", 109.0, 111.0)]))
    look = idx.lookup_series(
        pl.Series(["A", "A"]), pl.Series([T0, T0 + timedelta(microseconds=1)]), 300 * NS
    )
    assert look.mid.tolist() == [100.0, 110.0]


def test_staleness_boundary_and_reasons() -> None:
    df = pl.concat(
        [
            quotes("A", [("09:55:00", 99.0, 101.0)]),
            quotes("B", [("09:59:00", None, 101.0)]),  # one-sided: no mid
        ]
    )
    idx = QuoteIndex(df)
    look = idx.lookup_series(
        pl.Series(["A", "A", "B", "C", "A"]),
        pl.Series(
            [T0, T0 + timedelta(microseconds=1), T0, T0, None], dtype=pl.Datetime("us", "UTC")
        ),
        300 * NS,
    )
    assert look.state.tolist() == [
        QuoteState.OK,  # exactly 5 min old: still fresh
        QuoteState.STALE,
        QuoteState.INVALID,
        QuoteState.NONE,
        QuoteState.NO_TIME,
    ]
    assert look.mid[0] == 100.0 and np.isnan(look.mid[1:]).all()


def test_unsorted_quotes_give_the_same_answers() -> None:
    rng = np.random.default_rng(3)
    n = 500
    df = frame(
        "quotes",
        [
            {"symbol": f"S{rng.integers(0, 4)}", "time": T0 + timedelta(seconds=int(t)),
             "bid": float(i), "ask": float(i)}
            for i, t in enumerate(rng.integers(0, 300, n))
        ],
    )  # fmt: skip
    sorted_df = df.with_row_index("_i").sort("symbol", "time", "_i").drop("_i")
    probes_s = pl.Series([f"S{k}" for k in rng.integers(0, 4, 200)])
    probes_t = pl.Series([T0 + timedelta(seconds=int(t)) for t in rng.integers(0, 320, 200)])
    a = QuoteIndex(df).lookup_series(probes_s, probes_t, 3600 * NS)
    b = QuoteIndex(sorted_df).lookup_series(probes_s, probes_t, 3600 * NS)
    np.testing.assert_array_equal(a.mid, b.mid)
    np.testing.assert_array_equal(a.state, b.state)


def test_grid_lookup_equals_one_lookup_per_shift() -> None:
    rng = np.random.default_rng(5)
    syms = rng.integers(0, 3, 400)
    offsets = np.sort(rng.integers(0, 600_000, 400))
    rows = [
        {"symbol": f"S{k}", "time": T0 + timedelta(milliseconds=int(t)), "bid": float(i),
         "ask": float(i) + 1}
        for i, (k, t) in enumerate(zip(syms, offsets, strict=True))
    ]  # fmt: skip
    df = frame("quotes", rows).sort("symbol", "time")
    idx = QuoteIndex(df)
    codes = np.sort(rng.integers(0, 3, 100))
    times = int(T0.timestamp()) * NS + np.sort(rng.integers(0, 600 * NS, 100))
    valid = np.ones(100, dtype=bool)
    shifts = [-60 * NS, 0, NS, 300 * NS]
    limit = np.full(100, np.iinfo(np.int64).max)
    grid = idx.lookup_grid(codes, times, valid, shifts_ns=shifts, limit=limit, staleness_ns=60 * NS)
    for shift, mids in zip(shifts, grid, strict=True):
        single = idx.lookup(codes, times + shift, valid, 60 * NS).mid
        np.testing.assert_array_equal(mids, single)


@pytest.mark.parametrize("window", [(0, 0), (5, 125), (31, 32), (0, 300)])
def test_twap_matches_numeric_integration(window: tuple[int, int]) -> None:
    # Quotes every 10 s for symbol A with mids 100 + i; TWAP over [t0+a, t0+b] seconds
    rows = [(T0 + timedelta(seconds=10 * i), 100.0 + i - 0.5, 100.0 + i + 0.5) for i in range(40)]
    idx = QuoteIndex(pl.concat([quotes("B", rows[:5]), quotes("A", rows)]))
    a, b = window
    t_a = int(T0.timestamp()) * NS + a * NS + 1  # just after a quote: strictly-before
    t_b = int(T0.timestamp()) * NS + b * NS + 1
    codes = idx.codes.encode(pl.Series(["A", "A"]))
    pos = idx.positions(codes, np.array([t_a, t_b]), np.ones(2, dtype=bool))
    got = idx.twap(pos[:1], pos[1:], np.array([t_a]), np.array([t_b]))[0]
    # reference: sample the step function on a 1 ns-exact grid of 1 ms
    if b == a:
        expected = 100.0 + a // 10
    else:
        grid = np.arange(t_a, t_b, 1_000_000)
        secs = (grid - int(T0.timestamp()) * NS - 1) // NS
        expected = float(np.mean(100.0 + secs // 10))
    assert got == pytest.approx(expected, rel=1e-9)
