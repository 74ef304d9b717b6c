"""Fill markouts, SPEC §3: markout(h) = s·(p − mid(t + h)) / mid(t) · 1e4 bps.

All fills × all horizons are answered by one as-of lookup over the grid: fills
are put in (symbol, time) order once, so the probes of each horizon form one
ascending run and the lookup is a linear merge per horizon. Each mid is the last quote
strictly before its own probe time, so quotes at or after t + h can never move
markout(h). Positive horizons stop at the session close when it is known.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from .asof import QuoteIndex
from .config import TcaConfig, markout_column, to_ns
from .fills import valid_fill
from .inputs import conform
from .keys import SymbolCodes, epoch_ns
from .sessions import Calendar, days_to_dates

FILL_COLUMNS = (
    "exec_id",
    "order_id",
    "symbol",
    "side",
    "time",
    "quantity",
    "price",
    "venue",
    "liquidity",
    "broker",
    "algo",
    "fee",
)


def compute_fill_markouts(
    *,
    fills: pl.DataFrame,
    quotes: pl.DataFrame | QuoteIndex,
    config: TcaConfig | None = None,
    instruments: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per valid fill: FILL_COLUMNS, trade_date, notional (q·p), passive
    (ADD true, REMOVE false, else null), mid (at the fill) and one
    ``markout_<h>`` column per configured horizon, null when a mid is missing."""
    config = config or TcaConfig()
    qidx = quotes if isinstance(quotes, QuoteIndex) else QuoteIndex(quotes)
    f = conform(fills, "fills").filter(valid_fill() & pl.col("side").is_in([1, -1]))
    f = f.select(FILL_COLUMNS)
    horizons = _with_zero(config.markout_horizons)
    day, mids = _mids_after(
        f,
        qidx,
        Calendar.of(instruments),
        horizons,
        to_ns(config.staleness),
        clip=config.clip_markouts_to_close,
    )
    # scale = s·1e4 / mid(t), then markout(h) = (p − mid(t + h))·scale, computed in
    # place in each horizon's mid buffer (millions of fills: no extra temporaries)
    p = f["price"].to_numpy()
    m0 = mids[horizons.index(timedelta(0))]
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = f["side"].to_numpy().astype(np.float64) * 1e4
        scale /= m0
    cols: dict[str, np.ndarray] = {"mid": m0.copy()}
    for h in config.markout_horizons:
        m = mids[horizons.index(h)]
        np.subtract(p, m, out=m)
        m *= scale
        cols[markout_column(h)] = m
    liq = pl.col("liquidity")
    return pl.concat(
        [
            f.select(FILL_COLUMNS).with_columns(
                days_to_dates(day).alias("trade_date"),
                (pl.col("quantity") * pl.col("price")).alias("notional"),
                pl.when(liq == "ADD").then(True).when(liq == "REMOVE").then(False).alias("passive"),
            ),
            pl.DataFrame(cols).with_columns(pl.all().fill_nan(None)),
        ],
        how="horizontal",
    )


def _with_zero(horizons: tuple[timedelta, ...]) -> list[timedelta]:
    """The horizons plus 0 (mid(t) is every markout's denominator)."""
    return list(horizons) if timedelta(0) in horizons else [*horizons, timedelta(0)]


def _mids_after(
    f: pl.DataFrame,
    qidx: QuoteIndex,
    calendar: Calendar,
    horizons: list[timedelta],
    staleness_ns: int,
    *,
    clip: bool,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Local trade day of each fill and mid(t_i + h) per horizon (NaN when missing),
    in fill order."""
    n = f.height
    codes = qidx.codes.encode(f["symbol"])
    t, valid = epoch_ns(f["time"])
    order = _symbol_time_order(codes, t)
    cal_coding = SymbolCodes.of(f["symbol"])
    cal_codes = cal_coding.encode(f["symbol"])
    if order is not None:
        codes, t, valid, cal_codes = codes[order], t[order], valid[order], cal_codes[order]
    codes_o, t_o, valid_o = codes, t, valid
    cal = calendar.aligned(cal_coding)
    day_o = cal.local_day(cal_codes, t_o)
    limit_o = np.full(n, np.iinfo(np.int64).max)
    if clip:
        close = cal.session_instant(cal_codes, day_o, close=True)
        limit_o = np.where(close >= 0, np.maximum(close, t_o), limit_o)
    shifts = [to_ns(h) for h in horizons]
    grid = qidx.lookup_grid(
        codes_o, t_o, valid_o, shifts_ns=shifts, limit=limit_o, staleness_ns=staleness_ns
    )
    if order is None:
        return day_o, grid
    day = np.empty(n, dtype=np.int64)
    day[order] = day_o
    out = []
    for mids_o in grid:
        m = np.empty(n)
        m[order] = mids_o
        out.append(m)
    return day, out


def _symbol_time_order(codes: np.ndarray, t: np.ndarray) -> np.ndarray | None:
    """Permutation putting fills in (symbol code, time) order; None if already so."""
    if len(codes) < 2:
        return None
    same = codes[1:] == codes[:-1]
    if bool(np.all((codes[1:] > codes[:-1]) | (same & (t[1:] >= t[:-1])))):
        return None
    return np.lexsort((t, codes))
