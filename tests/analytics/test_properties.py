"""Properties of the order-cost engine that must hold for any data (hypothesis).

Each example is a batch of independent orders, one symbol each, costed in one
call: the engine is vectorised over orders, so this also checks that orders and
symbols do not leak into each other.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tca.analytics import COST_NAMES, compute_order_costs

from .builders import at, frame

START = at("09:30:00")
N_QUOTES = 100  # one quote a minute from 09:30: dense enough to never be stale
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NON_FEE = [c for c in COST_NAMES if c != "fees"]
MIRROR = 400.0

Fill = tuple[int, float, float, float | None, str | None]  # (s after arrival, q, px, fee, liq)


@dataclass(frozen=True)
class Scenario:
    side: int
    quantity: float
    mids: tuple[float, ...]
    half_spreads: tuple[float, ...]
    arrival_min: int  # minutes after START
    decision_back_s: int | None
    end_after_s: int | None  # order end (cancel) time after arrival; None: last fill
    fills: tuple[Fill, ...]
    impact_frac: float | None

    @property
    def arrival(self):
        return START + timedelta(minutes=self.arrival_min)

    def quote_rows(self, sym: str, mirror: bool) -> list[dict]:
        rows = []
        for i, (m, h) in enumerate(zip(self.mids, self.half_spreads, strict=True)):
            bid, ask = (MIRROR - m - h, MIRROR - m + h) if mirror else (m - h, m + h)
            rows.append({"symbol": sym, "time": START + timedelta(minutes=i), "bid": bid,
                         "ask": ask})  # fmt: skip
        return rows

    def order_row(self, sym: str) -> dict:
        back, end, t_a = self.decision_back_s, self.end_after_s, self.arrival
        return {"order_id": sym, "symbol": sym, "side": self.side, "quantity": self.quantity,
                "arrival_time": t_a,
                "decision_time": None if back is None else t_a - timedelta(seconds=back),
                "end_time": None if end is None else t_a + timedelta(seconds=end)}  # fmt: skip

    def fill_rows(self, sym: str, mirror: bool) -> list[dict]:
        return [
            {"exec_id": f"{sym}-{i}", "order_id": sym, "symbol": sym, "side": self.side,
             "quantity": q, "price": MIRROR - px if mirror else px,
             "time": self.arrival + timedelta(seconds=dt), "fee": fee, "liquidity": liq}
            for i, (dt, q, px, fee, liq) in enumerate(self.fills)
        ]  # fmt: skip

    def trade_rows(self, sym: str, mirror: bool) -> list[dict]:
        return [
            {"symbol": sym, "time": START + timedelta(minutes=i, seconds=30),
             "price": MIRROR - m if mirror else m, "size": 100.0 * (1 + i % 7)}
            for i, m in enumerate(self.mids)
        ]  # fmt: skip


@dataclass(frozen=True)
class Batch:
    """Frames for a list of scenarios; order i trades symbol f"S{i}"."""

    orders: pl.DataFrame
    fills: pl.DataFrame
    quotes: pl.DataFrame
    trades: pl.DataFrame
    impact: pl.DataFrame | None

    @classmethod
    def of(cls, scs: list[Scenario], *, mirror: bool = False) -> Batch:
        syms = [f"S{i}" for i in range(len(scs))]
        impact = [(s, sc.impact_frac) for s, sc in zip(syms, scs, strict=True)]
        return cls(
            orders=frame("orders", [sc.order_row(s) for s, sc in zip(syms, scs, strict=True)]),
            fills=frame("fills", [r for s, sc in zip(syms, scs, strict=True)
                                  for r in sc.fill_rows(s, mirror)]),
            quotes=frame("quotes", [r for s, sc in zip(syms, scs, strict=True)
                                    for r in sc.quote_rows(s, mirror)]),
            trades=frame("trades", [r for s, sc in zip(syms, scs, strict=True)
                                    for r in sc.trade_rows(s, mirror)]),
            impact=pl.DataFrame(
                {"order_id": [s for s, _ in impact],
                 "permanent_impact_frac": [f for _, f in impact]},
                schema={"order_id": pl.String, "permanent_impact_frac": pl.Float64},
            ),
        )  # fmt: skip

    def costs(self, **changes: pl.DataFrame) -> dict[str, dict]:
        b = replace(self, **changes)
        out = compute_order_costs(
            orders=b.orders,
            fills=b.fills,
            quotes=b.quotes,
            trades=b.trades,
            permanent_impact=b.impact,
        )
        return {r["order_id"]: r for r in out.iter_rows(named=True)}


@st.composite
def scenarios(draw: st.DrawFn, *, full: bool | None = None, no_model: bool = False) -> Scenario:
    # The quote path comes from a drawn seed: hundreds of drawn values per order
    # would make generation, not the engine, the cost of the test.
    rnd = random.Random(draw(st.integers(0, 2**32)))
    mids, level = [], 100.0
    for _ in range(N_QUOTES):
        level += rnd.randint(-5, 5) * 0.01
        mids.append(round(level, 2))
    half = [rnd.choice((0.005, 0.01, 0.02, 0.05)) for _ in range(N_QUOTES)]
    arrival_min = draw(st.integers(11, 40))
    fills = []
    for _ in range(draw(st.integers(0 if full is None else 1, 6))):
        dt = draw(st.integers(0, 1200))
        px = round(mids[arrival_min + dt // 60] + draw(st.integers(-6, 6)) * 0.01, 2)
        fee = draw(st.one_of(st.none(), st.integers(-500, 500).map(lambda x: x / 100)))
        liq = draw(st.sampled_from(["ADD", "REMOVE", "AUCTION", None]))
        fills.append((dt, float(draw(st.integers(1, 2000))), px, fee, liq))
    executed = sum(f[1] for f in fills)
    is_full = draw(st.booleans()) if full is None else full
    quantity = executed if (is_full and executed > 0) else executed + draw(st.integers(1, 5000))
    frac = st.integers(-100, 100).map(lambda x: x * 1e-4)
    return Scenario(
        side=draw(st.sampled_from([1, -1])),
        quantity=float(quantity),
        mids=tuple(mids),
        half_spreads=tuple(half),
        arrival_min=arrival_min,
        decision_back_s=draw(st.one_of(st.none(), st.integers(0, 600))),
        end_after_s=draw(st.integers(1200, 1500) if not fills else st.none()),
        fills=tuple(fills),
        impact_frac=None if no_model else draw(st.one_of(st.none(), frac)),
    )


def batches(**kw) -> st.SearchStrategy[list[Scenario]]:
    return st.lists(scenarios(**kw), min_size=1, max_size=10)


def scale(sc: Scenario) -> float:
    """Size of the money amounts of a scenario, for absolute float tolerances."""
    return sc.quantity * 500.0 + sum(abs(f[1] * f[2]) for f in sc.fills) + 10.0


def close(a: float | None, b: float | None, tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=tol)


def for_each(scs: list[Scenario], *results: dict[str, dict]) -> list[tuple]:
    return [(sc, *(r[f"S{i}"] for r in results)) for i, sc in enumerate(scs)]


@SETTINGS
@given(batches())
def test_decomposition_adds_up(scs: list[Scenario]) -> None:
    for sc, c in for_each(scs, Batch.of(scs).costs()):
        tol = 1e-12 * scale(sc)
        top = [c[f"{n}_amount"] for n in ("delay", "execution", "opportunity", "fees")]
        assert c["is_amount"] is not None
        assert abs(c["is_amount"] - sum(top)) <= tol
        split = ("spread", "temporary_impact", "permanent_impact", "adverse_selection")
        assert abs(c["execution_amount"] - sum(c[f"{n}_amount"] for n in split)) <= tol
        bps = sum(c[f"{n}_bps"] for n in ("delay", "execution", "opportunity", "fees"))
        assert abs(c["is_bps"] - bps) <= 1e-9


@SETTINGS
@given(batches(no_model=True))
def test_flipping_side_negates_costs(scs: list[Scenario]) -> None:
    flipped = [replace(sc, side=-sc.side) for sc in scs]
    f_all = Batch.of(flipped).costs()
    for sc, c, f in for_each(scs, Batch.of(scs).costs(), f_all):
        tol = 1e-12 * scale(sc)
        assert close(f["is_amount"] - f["fees_amount"], c["fees_amount"] - c["is_amount"], tol)
        for n in NON_FEE[1:]:
            assert close(f[f"{n}_amount"], -c[f"{n}_amount"], tol), n
        assert f["fees_amount"] == c["fees_amount"]
        for bm in ("arrival", "vwap", "twap", "pwp"):
            if c[f"{bm}_slippage_bps"] is not None:
                assert close(f[f"{bm}_slippage_bps"], -c[f"{bm}_slippage_bps"], 1e-9), bm


@SETTINGS
@given(batches(no_model=True))
def test_mirrored_sell_costs_the_same_as_the_buy(scs: list[Scenario]) -> None:
    # Flip the side and mirror every price p -> 400 − p (bid and ask swap): the
    # mirrored order faces exactly the same moves, so every amount is equal.
    flipped = [replace(sc, side=-sc.side) for sc in scs]
    m_all = Batch.of(flipped, mirror=True).costs()
    for sc, c, m in for_each(scs, Batch.of(scs).costs(), m_all):
        for n in COST_NAMES:
            assert close(m[f"{n}_amount"], c[f"{n}_amount"], 1e-10 * scale(sc)), n


@SETTINGS
@given(batches(), st.sampled_from([0.01, 0.5, 3.0, 1000.0]))
def test_scaling_prices_leaves_bps_unchanged(scs: list[Scenario], k: float) -> None:
    b = Batch.of(scs)
    scaled = b.costs(
        fills=b.fills.with_columns(pl.col("price") * k, pl.col("fee") * k),
        quotes=b.quotes.with_columns(pl.col("bid") * k, pl.col("ask") * k),
        trades=b.trades.with_columns(pl.col("price") * k),
    )
    for sc, c, s in for_each(scs, b.costs(), scaled):
        for n in COST_NAMES:
            assert close(s[f"{n}_bps"], c[f"{n}_bps"], 1e-7), n
            expected = None if c[f"{n}_amount"] is None else k * c[f"{n}_amount"]
            assert close(s[f"{n}_amount"], expected, 1e-9 * k * scale(sc)), n
        for bm in ("arrival", "vwap", "twap", "pwp"):
            assert close(s[f"{bm}_slippage_bps"], c[f"{bm}_slippage_bps"], 1e-7), bm


@SETTINGS
@given(batches(), st.sampled_from([0.001, 7.0, 1e4]))
def test_scaling_quantities_leaves_bps_unchanged(scs: list[Scenario], k: float) -> None:
    b = Batch.of(scs)
    scaled = b.costs(
        fills=b.fills.with_columns(pl.col("quantity") * k, pl.col("fee") * k),
        orders=b.orders.with_columns(pl.col("quantity") * k),
        trades=b.trades.with_columns(pl.col("size") * k),
    )
    for _, c, s in for_each(scs, b.costs(), scaled):
        for n in COST_NAMES:
            assert close(s[f"{n}_bps"], c[f"{n}_bps"], 1e-7), n
        for feature in ("fill_rate", "participation", "passive_share"):
            assert close(s[feature], c[feature], 1e-12), feature
        for bm in ("vwap", "pwp"):
            assert close(s[f"{bm}_price"], c[f"{bm}_price"], 1e-9), bm


def _split_one(fills: pl.DataFrame, i: int, share: float) -> pl.DataFrame:
    """Fill ``i`` replaced by two fills at the same price and time."""
    one = fills.slice(i, 1)
    q = one["quantity"][0]
    first = one.with_columns(pl.lit(q * share).alias("quantity"), pl.col("fee") * share)
    second = one.with_columns(
        pl.lit(q - q * share).alias("quantity"),
        pl.col("fee") * (1 - share),
        (pl.col("exec_id") + "-b").alias("exec_id"),
    )
    return pl.concat([fills.filter(pl.int_range(pl.len()) != i), second, first])


@SETTINGS
@given(batches(), st.integers(0, 10**6), st.floats(0.05, 0.95))
def test_reordering_and_splitting_fills_changes_nothing(
    scs: list[Scenario], seed: int, share: float
) -> None:
    b = Batch.of(scs)
    shuffled = b.fills.sample(fraction=1.0, shuffle=True, seed=seed)
    split = _split_one(shuffled, seed % shuffled.height, share) if shuffled.height else shuffled
    base = b.costs()
    for variant in (b.costs(fills=shuffled), b.costs(fills=split)):
        for sc, c, v in for_each(scs, base, variant):
            for n in COST_NAMES:
                assert close(v[f"{n}_amount"], c[f"{n}_amount"], 1e-9 * scale(sc)), n
                assert close(v[f"{n}_bps"], c[f"{n}_bps"], 1e-7), n
            assert close(v["avg_price"], c["avg_price"], 1e-9)
            assert close(v["passive_share"], c["passive_share"], 1e-12)


@SETTINGS
@given(batches(full=True))
def test_full_fill_has_zero_opportunity_cost(scs: list[Scenario]) -> None:
    for _, c in for_each(scs, Batch.of(scs).costs()):
        assert c["opportunity_amount"] == 0.0
        assert c["opportunity_bps"] == 0.0
        assert c["fill_rate"] == 1.0
        assert "overfilled" not in c["flags"]


@SETTINGS
@given(batches(), st.integers(301, 3600))
def test_stale_quotes_give_nulls_with_a_flag(scs: list[Scenario], gap_s: int) -> None:
    # Remove every quote from gap_s (> the 5 min limit) before arrival onwards.
    b = Batch.of(scs)
    arrival = pl.col("symbol").replace_strict(
        [f"S{i}" for i in range(len(scs))], [sc.arrival for sc in scs]
    )
    quotes = b.quotes.filter(pl.col("time") < arrival - timedelta(seconds=gap_s))
    for sc, c in for_each(scs, b.costs(quotes=quotes)):
        assert c["arrival_mid"] is None and c["arrival_price"] is None
        assert c["twap_price"] is None
        assert c["execution_amount"] is None or c["executed_qty"] == 0
        if sc.decision_back_s is None:  # P_d = P_a is missing too
            assert c["is_amount"] is None and c["is_bps"] is None
        assert "missing_arrival_quote" in c["flags"]
        if sc.arrival_min * 60 > gap_s:  # some quote exists, just too old
            assert "stale_quote" in c["flags"]
