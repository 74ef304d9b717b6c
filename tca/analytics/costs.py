"""Per-order transaction costs: shortfall, attribution, benchmarks, features, flags.

``compute_order_costs`` is a handful of frame-wide steps: per-order fill sums,
one as-of lookup for every reference time of every order, window sums over the
tape, daily features as of the day before, then column arithmetic.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from .asof import QuoteIndex, QuoteState
from .benchmarks import market_benchmarks, slippage_columns
from .config import BENCHMARK_NAMES, COST_NAMES, TcaConfig, to_ns
from .daily import FEATURE_COLUMNS, bars_from_tape, features_asof, normalise_bars
from .features import feature_columns, size_bucket, volatility_regime
from .fills import FILL_TOTALS_SCHEMA, fill_totals
from .flags import flags_column, order_flag_conditions
from .inputs import conform, conform_instruments
from .keys import SymbolCodes, epoch_ns
from .sessions import Calendar, days_to_dates, ns_to_times
from .shortfall import cost_amounts, cost_bps, permanent_impact_amount, remaining_qty
from .tape import TradeTape

ATTRIBUTE_COLUMNS = ("broker", "algo", "trader", "desk", "portfolio", "currency")
FEATURE_OUTPUT = (
    "fill_rate",
    "participation",
    "size_adv",
    "volatility",
    "adv20",
    "arrival_spread_bps",
    "duration_s",
    "passive_share",
    "time_of_day",
    "minutes_since_open",
    "regime",
    "size_bucket",
)
ORDER_COST_COLUMNS: tuple[str, ...] = (
    "order_id",
    "symbol",
    "side",
    "quantity",
    "trade_date",
    "decision_time",
    "arrival_time",
    "end_time",
    "post_time",
    *ATTRIBUTE_COLUMNS,
    *(f"{n}_{unit}" for n in COST_NAMES for unit in ("amount", "bps")),
    *(f"{n}_{col}" for n in BENCHMARK_NAMES for col in ("price", "slippage_bps")),
    *FEATURE_OUTPUT,
    "executed_qty",
    "n_fills",
    "avg_price",
    "paper_notional",
    "executed_notional",
    "decision_mid",
    "arrival_mid",
    "end_mid",
    "post_mid",
    "prev_close_date",
    "history_days",
    "history_returns",
    "model_version",
    "flags",
)


def compute_order_costs(
    *,
    orders: pl.DataFrame,
    fills: pl.DataFrame,
    quotes: pl.DataFrame | QuoteIndex,
    trades: pl.DataFrame,
    instruments: pl.DataFrame | None = None,
    daily: pl.DataFrame | None = None,
    permanent_impact: pl.DataFrame | None = None,
    config: TcaConfig | None = None,
) -> pl.DataFrame:
    """One row per order with ORDER_COST_COLUMNS (see docs/tca.md for every definition).

    ``daily`` holds past daily bars (symbol, date, close, volume[, open]); bars of
    dates it lacks are derived from ``trades``. ``permanent_impact`` holds
    (order_id, permanent_impact_frac[, model_version]) from the impact model.
    ``quotes`` may be a prebuilt QuoteIndex to share it with the markouts.
    """
    config = config or TcaConfig()
    staleness_ns = to_ns(config.staleness)
    o = _prepare_orders(orders)
    inst = conform_instruments(instruments)
    qidx = quotes if isinstance(quotes, QuoteIndex) else QuoteIndex(quotes)
    tape = TradeTape(trades)
    calendar = Calendar.of(inst)

    o = _with_fill_totals(o, fills, qidx, staleness_ns)
    o = _with_times(o, calendar, config.post_horizon)
    o, pos_a, pos_e = _with_reference_mids(o, qidx, staleness_ns)
    o = pl.concat(
        [
            o,
            market_benchmarks(
                o,
                quotes=qidx,
                tape=tape,
                pos_arrival=pos_a,
                pos_end=pos_e,
                pwp_rate=config.pwp_rate,
            ),
        ],
        how="horizontal",
    )
    o = _with_daily(o, _bars(daily, bars_from_tape(tape, calendar)), config)
    o = _with_impact_model(o, permanent_impact)

    o = o.with_columns(
        remaining_qty().alias("_rem"),
        (pl.col("quantity") * pl.col("decision_mid")).alias("paper_notional"),
        pl.when(pl.col("executed_qty") > 0)
        .then(pl.col("_sum_qp") / pl.col("executed_qty"))
        .alias("avg_price"),
        pl.col("_sum_qp").alias("executed_notional"),
    )
    o = o.with_columns(permanent_impact_amount().alias("permanent_impact_amount"))
    o = o.with_columns(cost_amounts())
    o = o.with_columns(cost_bps())
    o = o.with_columns(pl.col("arrival_mid").alias("arrival_price"))
    o = o.with_columns(slippage_columns())
    o = o.with_columns(feature_columns(config))
    o = o.with_columns(
        pl.coalesce(pl.col("regime"), volatility_regime(pl.col("sigma20"), config)).alias("regime"),
        size_bucket(pl.col("size_adv")).alias("size_bucket"),
    )
    conditions = order_flag_conditions(
        has_impact_model=permanent_impact is not None, history_days=config.history_days
    )
    o = o.with_columns(flags_column(conditions))
    o = o.with_columns(
        pl.col("_end_time").alias("end_time"),
        pl.col("_post_time").alias("post_time"),
        pl.col("prev_date").alias("prev_close_date"),
    )
    return o.select(ORDER_COST_COLUMNS)


def _prepare_orders(orders: pl.DataFrame) -> pl.DataFrame:
    o = conform(orders, "orders")
    if o["order_id"].null_count() or o["order_id"].n_unique() != o.height:
        raise ValueError("orders: order_id must be present and unique")
    if o["side"].null_count() or not o["side"].is_in([1, -1]).all():
        raise ValueError("orders: side must be +1 (buy) or -1 (sell)")
    bad_qty = o["quantity"].null_count() or not (o["quantity"] > 0).all()
    if o["arrival_time"].null_count() or bad_qty:
        raise ValueError("orders: need an arrival_time and a positive quantity")
    if "regime" not in o.columns:
        o = o.with_columns(pl.lit(None, dtype=pl.String).alias("regime"))
    return o.with_columns(pl.col("regime").cast(pl.String))


def _with_fill_totals(
    o: pl.DataFrame, fills: pl.DataFrame, qidx: QuoteIndex, staleness_ns: int
) -> pl.DataFrame:
    totals = fill_totals(fills, o, qidx, staleness_ns)
    zero_when_no_fills = [
        "n_fills",
        "n_invalid_fills",
        "executed_qty",
        "_sum_qp",
        "_sum_q_spread",
        "_sum_qm",
        "_n_missing_mid",
        "_n_stale_mid",
        "_n_invalid_mid",
        "fees_amount",
        "_passive_qty",
    ]
    o = o.join(totals, on="order_id", how="left", maintain_order="left")
    return (
        o.with_columns(
            pl.col(c).fill_null(pl.lit(0, dtype=FILL_TOTALS_SCHEMA[c]))
            for c in zero_when_no_fills
            if c not in ("_sum_q_spread", "_sum_qm")
        )
        .with_columns(
            # no fills: the empty sums are 0; with fills a null means a missing mid
            pl.when(pl.col("n_fills") == 0).then(0.0).otherwise(pl.col(c)).alias(c)
            for c in ("_sum_q_spread", "_sum_qm")
        )
        .with_columns(pl.col("side").cast(pl.Float64).alias("_s"))
    )


def _with_times(o: pl.DataFrame, calendar: Calendar, post_horizon: timedelta) -> pl.DataFrame:
    """Effective t_d, t_e, trade date, session bounds and the clipped post time."""
    o = o.with_columns(
        pl.coalesce("decision_time", "arrival_time").alias("_decision_time"),
        pl.coalesce("end_time", "last_fill_time").alias("_end_time"),
    )
    coding = SymbolCodes.of(o["symbol"])
    codes = coding.encode(o["symbol"])
    cal = calendar.aligned(coding)
    t_a, _ = epoch_ns(o["arrival_time"])
    t_e, has_end = epoch_ns(o["_end_time"])
    day_a = cal.local_day(codes, t_a)
    day_e = cal.local_day(codes, np.where(has_end, t_e, t_a))  # masked below when unknown
    open_a = cal.session_instant(codes, day_a, close=False)
    close_a = cal.session_instant(codes, day_a, close=True)
    close_e = cal.session_instant(codes, day_e, close=True)
    unclipped = t_e + to_ns(post_horizon)
    post = np.where(close_e >= 0, np.minimum(unclipped, np.maximum(close_e, t_e)), unclipped)
    return o.with_columns(
        days_to_dates(day_a).alias("trade_date"),
        pl.Series("_has_session", cal.has_session(codes)),
        ns_to_times(open_a, open_a < 0).alias("_session_open"),
        ns_to_times(close_a, close_a < 0).alias("_trade_date_close"),
        ns_to_times(post, ~has_end).alias("_post_time"),
        pl.Series("_post_clipped", has_end & (post < unclipped)),
    )


def _with_reference_mids(
    o: pl.DataFrame, qidx: QuoteIndex, staleness_ns: int
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """P_d, P_a, P_e, P_post (and the arrival quote) from one lookup of all 4n probes."""
    n = o.height
    probes = ("_decision_time", "arrival_time", "_end_time", "_post_time")
    symbols = pl.concat([o["symbol"]] * len(probes))
    times = pl.concat([o[c] for c in probes])
    look = qidx.lookup_series(symbols, times, staleness_ns)

    def part(a: np.ndarray, i: int) -> np.ndarray:
        return a[i * n : (i + 1) * n]

    cols = {}
    for i, name in enumerate(("decision", "arrival", "end", "post")):
        cols[f"{name}_mid"] = part(look.mid, i)
    for i, tag in enumerate(("d", "a", "e", "post")):
        cols[f"_state_{tag}"] = part(look.state, i)
    state_a = part(look.state, 1)
    pos_a = np.where(state_a == QuoteState.OK, part(look.position, 1), -1)
    cols["_arrival_bid"], cols["_arrival_ask"] = qidx.bid_ask_at(pos_a)
    extra = pl.DataFrame(cols).with_columns(
        pl.col(c).fill_nan(None)
        for c in (
            "decision_mid",
            "arrival_mid",
            "end_mid",
            "post_mid",
            "_arrival_bid",
            "_arrival_ask",
        )
    )
    pos_e = part(look.position, 2)
    return pl.concat([o, extra], how="horizontal"), pos_a, pos_e


def _bars(daily: pl.DataFrame | None, from_tape: pl.DataFrame) -> pl.DataFrame:
    """Caller's daily bars, completed with bars derived from this chunk's prints."""
    own = normalise_bars(from_tape)
    if daily is None:
        return own
    given = normalise_bars(daily)
    return pl.concat([given, own.join(given, on=["symbol", "date"], how="anti")]).sort(
        "symbol", "date"
    )


def _with_daily(o: pl.DataFrame, bars: pl.DataFrame, config: TcaConfig) -> pl.DataFrame:
    at = o.select("symbol", pl.col("trade_date").alias("date"))
    feats = features_asof(bars, at, config)
    day = at.join(bars, on=["symbol", "date"], how="left", maintain_order="left")
    return pl.concat(
        [
            o,
            feats.select(FEATURE_COLUMNS),
            day.select(
                pl.col("open").alias("open_price"),
                pl.col("close").alias("close_price"),
            ),
        ],
        how="horizontal",
    ).with_columns(pl.col("prev_close").alias("previous_close_price"))


def _with_impact_model(o: pl.DataFrame, permanent_impact: pl.DataFrame | None) -> pl.DataFrame:
    if permanent_impact is None:
        return o.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("_impact_frac"),
            pl.lit(None, dtype=pl.String).alias("model_version"),
        )
    version = (
        pl.col("model_version").cast(pl.String)
        if "model_version" in permanent_impact.columns
        else pl.lit(None, dtype=pl.String)
    )
    est = permanent_impact.select(
        pl.col("order_id").cast(pl.String),
        pl.col("permanent_impact_frac").cast(pl.Float64).alias("_impact_frac"),
        version.alias("model_version"),
    ).unique("order_id", keep="last")
    return o.join(est, on="order_id", how="left", maintain_order="left")
