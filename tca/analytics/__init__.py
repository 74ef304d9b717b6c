"""Pure polars TCA engine: implementation shortfall, attribution, benchmarks, markouts.

No Django here: callers hand in frames of the canonical schemas of
``tca.frames`` and get frames back. Definitions follow SPEC §1-3; the choices
the SPEC leaves open are documented in docs/tca.md.
"""

from .aggregates import (
    DEFAULT_COST_DIMS,
    DEFAULT_MARKOUT_DIMS,
    aggregate_costs,
    aggregate_markouts,
)
from .asof import QuoteIndex, QuoteState
from .config import (
    BENCHMARK_NAMES,
    COST_NAMES,
    SIZE_BUCKET_LABELS,
    TcaConfig,
    horizon_label,
    markout_column,
)
from .costs import ORDER_COST_COLUMNS, compute_order_costs
from .daily import daily_bars, daily_features
from .engine import TcaResult, run_tca
from .markouts import compute_fill_markouts

__all__ = [
    "BENCHMARK_NAMES",
    "COST_NAMES",
    "DEFAULT_COST_DIMS",
    "DEFAULT_MARKOUT_DIMS",
    "ORDER_COST_COLUMNS",
    "SIZE_BUCKET_LABELS",
    "QuoteIndex",
    "QuoteState",
    "TcaConfig",
    "TcaResult",
    "aggregate_costs",
    "aggregate_markouts",
    "compute_fill_markouts",
    "compute_order_costs",
    "daily_bars",
    "daily_features",
    "horizon_label",
    "markout_column",
    "run_tca",
]
