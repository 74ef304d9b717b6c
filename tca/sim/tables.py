"""Turn the simulator's arrays into polars frames in the canonical ``tca.frames`` schemas.

Data frames (instruments, orders, fills, quotes, trades) carry only what a real
firm would have; everything the simulator knows but a firm would not (ADV,
true volatility, regimes, impact components) goes to the truth frames.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tca.frames import SCHEMAS, TIME

from . import venues
from .config import STRATEGIES
from .execution import Flow
from .market import CLOSING_PRINT, OPENING_PRINT, REGIMES, Market
from .orders import ALGOS, BROKERS, PORTFOLIOS, TRADERS
from .pricing import Book, Prints
from .timeline import Timeline

COST_COMPONENTS = (
    "spread",
    "temporary",
    "permanent",
    "permanent_paid",
    "informed",
    "informed_paid",
    "fees",
    "expected",
)


def _times(tl: Timeline, seg: np.ndarray, t: np.ndarray) -> pl.Series:
    """UTC instants of session-local ns; negative local times mean "none" (null)."""
    utc = pl.Series(tl.utc_ns(seg, t), dtype=pl.Int64)
    return pl.select(pl.when(pl.Series(t >= 0)).then(utc).otherwise(None).cast(TIME)).to_series()


def _pick(labels: tuple[str, ...] | list[str], index: np.ndarray) -> pl.Series:
    return pl.Series(list(labels), dtype=pl.String).gather(pl.Series(index, dtype=pl.Int64))


def _frame(kind: str, columns: dict[str, pl.Series | np.ndarray]) -> pl.DataFrame:
    schema = SCHEMAS[kind]
    return pl.DataFrame({name: columns[name] for name in schema}).cast(schema)  # type: ignore[arg-type]


def dataset_frames(
    market: Market,
    flow: Flow,
    quotes: Book,
    prints: Prints,
    *,
    fill_price: np.ndarray,
    limit_price: np.ndarray,
    truth: dict[str, np.ndarray],
    open_px: np.ndarray,
    close_px: np.ndarray,
) -> tuple[pl.DataFrame, ...]:
    """instruments, orders, fills, quotes, trades, truth, market_truth."""
    cfg, tl, inst, segs = market.cfg, market.tl, market.inst, market.segs
    orders, outcome, fills = flow.orders, flow.outcome, flow.fills
    n_inst, n_orders = len(inst.symbol), orders.size
    mics = [venues.VENUES[i] for i in inst.listing]
    instruments = _frame(
        "instruments",
        {
            "symbol": pl.Series(inst.symbol),
            "name": pl.Series(inst.name),
            "currency": pl.Series([cfg.currency] * n_inst),
            "asset_class": pl.Series(["equity"] * n_inst),
            "tick_size": inst.tick,
            "lot_size": inst.lot,
            "mic": pl.Series(mics),
            "timezone": pl.Series([cfg.timezone] * n_inst),
            "session_open": pl.Series([cfg.session_open] * n_inst),
            "session_close": pl.Series([cfg.session_close] * n_inst),
        },
    )

    day = tl.segment_day(orders.seg)
    stamps = [d.strftime("%Y%m%d") for d in tl.dates]
    order_ids = [f"ORD{stamps[d]}-{i:06d}" for i, d in enumerate(day.tolist(), start=1)]
    order_id = pl.Series(order_ids, dtype=pl.String)
    symbol = _pick(inst.symbol, segs.symbol[orders.seg])
    algo = _pick(ALGOS, orders.strategy)
    broker = _pick(BROKERS, orders.broker)
    orders_df = _frame(
        "orders",
        {
            "order_id": order_id,
            "symbol": symbol,
            "side": orders.side,
            "quantity": orders.quantity,
            "arrival_time": _times(tl, orders.seg, orders.arrival),
            "decision_time": _times(tl, orders.seg, orders.decision),
            "end_time": _times(tl, orders.seg, outcome.end),
            "limit_price": pl.Series(limit_price).fill_nan(None),
            "broker": broker,
            "algo": algo,
            "trader": _pick([name for name, _ in TRADERS], orders.trader),
            "desk": _pick([desk for _, desk in TRADERS], orders.trader),
            "portfolio": _pick(PORTFOLIOS, orders.portfolio),
            "currency": pl.Series([cfg.currency] * n_orders, dtype=pl.String),
        },
    )

    o = fills.order
    exec_id = pl.select(
        pl.lit("EX") + pl.Series(np.arange(1, o.size + 1)).cast(pl.String).str.zfill(9)
    ).to_series()
    fills_df = _frame(
        "fills",
        {
            "exec_id": exec_id,
            "order_id": order_id.gather(o),
            "symbol": symbol.gather(o),
            "side": orders.side[o],
            "quantity": fills.quantity,
            "price": fill_price,
            "time": _times(tl, orders.seg[o], fills.t),
            "venue": _pick(venues.VENUES, fills.venue),
            "liquidity": _pick(venues.LIQUIDITY, fills.liquidity),
            "broker": broker.gather(o),
            "algo": algo.gather(o),
            "fee": fills.fee,
            "currency": pl.Series([cfg.currency] * o.size, dtype=pl.String),
        },
    )

    quote_symbol = _pick(inst.symbol, tl.segment_symbol(quotes.seg))
    quotes_df = _frame(
        "quotes",
        {
            "symbol": quote_symbol,
            "time": _times(tl, quotes.seg, quotes.t),
            "bid": quotes.bid,
            "ask": quotes.ask,
            "bid_size": quotes.bid_size,
            "ask_size": quotes.ask_size,
        },
    )
    del quote_symbol
    condition = _pick(["", OPENING_PRINT, CLOSING_PRINT], prints.kind)
    trades_df = _frame(
        "trades",
        {
            "symbol": _pick(inst.symbol, tl.segment_symbol(prints.seg)),
            "time": _times(tl, prints.seg, prints.t),
            "price": prints.price,
            "size": prints.size,
            "venue": _pick(venues.VENUES, prints.venue),
            "condition": condition.replace("", None),
        },
    )

    labels = {"order_id": order_id, "symbol": symbol, "algo": algo}
    truth_df = _truth_frame(market, flow, labels, truth)
    market_truth = _market_truth(market, open_px, close_px)
    return instruments, orders_df, fills_df, quotes_df, trades_df, truth_df, market_truth


def _truth_frame(
    market: Market, flow: Flow, labels: dict[str, pl.Series], truth: dict[str, np.ndarray]
) -> pl.DataFrame:
    cfg, tl, segs = market.cfg, market.tl, market.segs
    orders, outcome = flow.orders, flow.outcome
    seg = orders.seg
    notional = orders.quantity * truth["decision_mid"]
    costs = {}
    for name in COST_COMPONENTS:
        costs[f"{name}_cost"] = truth[name]
        costs[f"{name}_bps"] = truth[name] / notional * 1e4
    return pl.DataFrame(
        {
            "order_id": labels["order_id"],
            "symbol": labels["symbol"],
            "date": pl.Series([tl.dates[d] for d in tl.segment_day(seg)], dtype=pl.Date),
            "side": pl.Series(orders.side, dtype=pl.Int8),
            "strategy": _pick(STRATEGIES, orders.strategy),
            "algo": labels["algo"],
            "participation_target": pl.Series(orders.rate).fill_nan(None),
            "regime": _pick(REGIMES, segs.regime[seg]),
            "informed": orders.informed,
            "informed_alpha": orders.alpha,
            "sigma": segs.sigma[seg],
            "volume": segs.volume[seg],
            "quantity": orders.quantity,
            "executed": outcome.executed,
            "n_fills": outcome.n_fills,
            "duration_days": pl.Series(truth["duration_days"]).fill_nan(None),
            "decision_mid": truth["decision_mid"],
            "arrival_mid": truth["arrival_mid"],
            "fundamental_arrival": truth["fundamental_arrival"],
            "gamma": np.full(orders.size, cfg.gamma),
            "eta": np.full(orders.size, cfg.eta),
            "beta": np.full(orders.size, cfg.beta),
            "half_life_s": np.full(orders.size, cfg.half_life_s),
            "noise": np.full(orders.size, cfg.noise),
            "perm_noise": truth["perm_noise"],
            "temp_noise": truth["temp_noise"],
            "temp_capped": truth["temp_capped"],
            "perm_model_bps": pl.Series(truth["perm_model_bps"]).fill_nan(None),
            "temp_model_bps": pl.Series(truth["temp_model_bps"]).fill_nan(None),
            **costs,
        }
    )


def _market_truth(market: Market, open_px: np.ndarray, close_px: np.ndarray) -> pl.DataFrame:
    tl, inst, segs = market.tl, market.inst, market.segs
    sym = segs.symbol
    news = np.isfinite(segs.news_u)
    news_t = np.where(news, np.nan_to_num(segs.news_u) * tl.session_ns, -1).astype(np.int64)
    seg = np.arange(sym.size)
    return pl.DataFrame(
        {
            "symbol": _pick(inst.symbol, sym),
            "date": pl.Series([tl.dates[d] for d in segs.day], dtype=pl.Date),
            "regime": _pick(REGIMES, segs.regime),
            "sigma": segs.sigma,
            "volume": segs.volume,
            "adv": inst.adv[sym],
            "daily_vol": inst.daily_vol[sym],
            "news_time": _times(tl, seg, news_t),
            "spread_mult": segs.spread_mult,
            "depth_mult": segs.depth_mult,
            "open_price": open_px,
            "close_price": close_px,
            "session_open": pl.Series(tl.open_utc_ns[segs.day]).cast(TIME),
            "session_close": pl.Series(tl.open_utc_ns[segs.day] + tl.session_ns).cast(TIME),
        }
    )
