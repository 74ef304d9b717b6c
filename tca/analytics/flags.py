"""Data-quality flags of an order: why a value is missing or should be read with care.

Missing market data never turns into a number; it turns into a null and one of
these flags, so a reader can tell "zero cost" from "could not be measured".
"""

from __future__ import annotations

import polars as pl

from .asof import QuoteState

NO_TIME = QuoteState.NO_TIME
OK = QuoteState.OK


def _missing(state: str) -> pl.Expr:
    s = pl.col(state)
    return (s != OK) & (s != NO_TIME)


def order_flag_conditions(*, has_impact_model: bool, history_days: int) -> dict[str, pl.Expr]:
    """Flag name -> condition, in the order flags are listed."""
    states = ("_state_d", "_state_a", "_state_e", "_state_post")
    any_state = pl.any_horizontal
    rem = pl.col("_rem")
    conditions: dict[str, pl.Expr] = {
        "no_fills": pl.col("n_fills") == 0,
        "invalid_fill_dropped": pl.col("n_invalid_fills") > 0,
        "missing_end_time": pl.col("_end_time").is_null(),
        "missing_decision_quote": pl.col("decision_time").is_not_null() & _missing("_state_d"),
        "missing_arrival_quote": _missing("_state_a"),
        "missing_end_quote": _missing("_state_e"),
        "missing_post_quote": _missing("_state_post"),
        "missing_fill_quote": pl.col("_n_missing_mid") > 0,
        "stale_quote": any_state(*[pl.col(s) == QuoteState.STALE for s in states])
        | (pl.col("_n_stale_mid") > 0),
        "invalid_quote": any_state(*[pl.col(s) == QuoteState.INVALID for s in states])
        | (pl.col("_n_invalid_mid") > 0),
        "crossed_arrival_quote": pl.col("_arrival_ask") < pl.col("_arrival_bid"),
        "overfilled": rem < 0,
        "fill_before_arrival": pl.col("first_fill_time") < pl.col("arrival_time"),
        "end_before_arrival": pl.col("_end_time") < pl.col("arrival_time"),
        "missing_trades": pl.col("_end_time").is_not_null()
        & (pl.col("_end_time") >= pl.col("arrival_time"))
        & (pl.col("_window_volume").fill_null(0) <= 0),
        "pwp_insufficient_volume": (pl.col("executed_qty") > 0) & pl.col("pwp_price").is_null(),
        "missing_daily_bar": pl.col("open_price").is_null() | pl.col("close_price").is_null(),
        "no_history": pl.col("history_days") == 0,
        "short_history": (pl.col("history_days") > 0) & (pl.col("history_returns") < history_days),
        "intraday_sigma": pl.col("sigma_source") == "intraday",
        "unknown_session": ~pl.col("_has_session"),
        "post_horizon_clipped": pl.col("_post_clipped"),
    }
    if has_impact_model:
        conditions["no_impact_estimate"] = pl.col("_impact_frac").is_null()
    return conditions


def flags_column(conditions: dict[str, pl.Expr]) -> pl.Expr:
    """List[String] of the names whose condition holds (null conditions do not flag)."""
    parts = [pl.when(cond.fill_null(False)).then(pl.lit(name)) for name, cond in conditions.items()]
    return pl.concat_list(parts).list.drop_nulls().alias("flags")
