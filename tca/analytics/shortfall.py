"""Implementation shortfall (Perold) and its exact decomposition, SPEC §2.

Inputs are per-order columns: side sign ``_s``, target ``quantity`` (Q),
``executed_qty`` (X), remaining ``_rem`` (Q − X), fill sums ``_sum_qp`` (Σq·p),
``_sum_q_spread`` (Σq·(p − m)), ``_sum_qm`` (Σq·m), ``fees_amount`` (Σf), the
reference mids and ``_impact_frac``. A term whose quantity factor is exactly
zero is 0 even when its prices are missing (X = 0 has no delay; a full fill has
no opportunity cost); otherwise a missing price makes the term null.
"""

from __future__ import annotations

import polars as pl

from .config import COST_NAMES

S = pl.col("_s")
Q = pl.col("quantity")
X = pl.col("executed_qty")
REM = pl.col("_rem")
P_D = pl.col("decision_mid")
P_A = pl.col("arrival_mid")
P_E = pl.col("end_mid")
P_POST = pl.col("post_mid")

# |Q − X| below this fraction of Q is a complete fill (float sums of split fills).
FILL_TOLERANCE = 1e-9


def remaining_qty() -> pl.Expr:
    rem = Q - X
    return pl.when(rem.abs() <= FILL_TOLERANCE * Q.abs()).then(0.0).otherwise(rem)


def _unless_zero(factor: pl.Expr, expr: pl.Expr) -> pl.Expr:
    return pl.when(factor == 0).then(0.0).otherwise(expr)


def permanent_impact_amount() -> pl.Expr:
    """Î_perm = X·P_a·frac; 0 without a model estimate (frac null) or without fills."""
    frac = pl.col("_impact_frac")
    return pl.when((X == 0) | frac.is_null() | (frac == 0)).then(0.0).otherwise(X * P_A * frac)


def cost_amounts() -> list[pl.Expr]:
    """``<name>_amount`` for every cost in COST_NAMES (currency, positive = cost)."""
    sum_qp = pl.col("_sum_qp")
    perm = pl.col("permanent_impact_amount")
    return [
        (
            _unless_zero(X, S * (sum_qp - X * P_D))
            + _unless_zero(REM, S * REM * (P_E - P_D))
            + pl.col("fees_amount")
        ).alias("is_amount"),
        _unless_zero(X, S * X * (P_A - P_D)).alias("delay_amount"),
        _unless_zero(X, S * (sum_qp - X * P_A)).alias("execution_amount"),
        _unless_zero(REM, S * REM * (P_E - P_D)).alias("opportunity_amount"),
        pl.col("fees_amount").alias("fees_amount"),
        _unless_zero(X, S * pl.col("_sum_q_spread")).alias("spread_amount"),
        _unless_zero(X, S * (pl.col("_sum_qm") - X * P_POST)).alias("temporary_impact_amount"),
        perm.alias("permanent_impact_amount"),
        (_unless_zero(X, S * X * (P_POST - P_A)) - perm).alias("adverse_selection_amount"),
    ]


def cost_bps() -> list[pl.Expr]:
    """``<name>_bps``: amount over the paper notional Q·P_d, × 1e4."""
    notional = pl.when(pl.col("paper_notional") != 0).then(pl.col("paper_notional"))
    return [(pl.col(f"{name}_amount") / notional * 1e4).alias(f"{name}_bps") for name in COST_NAMES]
