"""Write a simulated data set in the SPEC's file formats (section 5), plus its truth.

Ingestible files: instruments.csv, orders.csv, fills.csv (sides as BUY/SELL,
times ISO-8601 with nanoseconds and a ``Z`` offset), quotes.parquet and
trades.parquet (same column names, times as UTC datetimes), daily.csv (a
warm-up history before the first day, see ``warmup``), fills.fix (a FIX
4.4 drop copy of a few orders). Truth, never to be ingested: truth.parquet
(per order), market_truth.parquet (per instrument-day), params.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from .fix import execution_reports
from .rfq import simulate_rfqs
from .signals import simulate_signals
from .simulate import Dataset
from .warmup import warmup_history

ISO_UTC = "%Y-%m-%dT%H:%M:%S%.9fZ"


def _csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """BUY/SELL sides, and whole-number quantities written without a trailing ``.0``."""
    out = frame
    if "side" in out.columns:
        out = out.with_columns(
            pl.when(pl.col("side") > 0).then(pl.lit("BUY")).otherwise(pl.lit("SELL")).alias("side")
        )
    for name in ("quantity", "lot_size"):
        if name in out.columns and (out[name] == out[name].round(0)).all():
            out = out.with_columns(pl.col(name).cast(pl.Int64))
    return out


def write_dataset(ds: Dataset, directory: str | Path) -> dict[str, Path]:
    """Write every file of the data set into ``directory``; returns the paths by name."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    paths = {
        name: root / name
        for name in (
            "instruments.csv",
            "orders.csv",
            "fills.csv",
            "quotes.parquet",
            "trades.parquet",
            "daily.csv",
            "rfq.csv",
            "signals.csv",
            "fills.fix",
            "truth.parquet",
            "market_truth.parquet",
            "params.json",
        )
    }
    for name, frame in (
        ("instruments", ds.instruments),
        ("orders", ds.orders),
        ("fills", ds.fills),
    ):
        _csv_ready(frame).write_csv(paths[f"{name}.csv"], datetime_format=ISO_UTC)
    ds.quotes.write_parquet(paths["quotes.parquet"])
    ds.trades.write_parquet(paths["trades.parquet"])
    warmup_history(ds.market_truth, seed=ds.config.seed).write_csv(paths["daily.csv"])
    _csv_ready(simulate_rfqs(ds, seed=ds.config.seed)).write_csv(
        paths["rfq.csv"], datetime_format=ISO_UTC
    )
    simulate_signals(ds, seed=ds.config.seed).write_csv(
        paths["signals.csv"], datetime_format=ISO_UTC
    )
    ds.truth.write_parquet(paths["truth.parquet"])
    ds.market_truth.write_parquet(paths["market_truth.parquet"])
    paths["fills.fix"].write_text(
        execution_reports(ds.orders, ds.fills, ds.config.fix_orders), encoding="ascii"
    )
    counts = {
        "instruments": ds.instruments.height,
        "orders": ds.orders.height,
        "fills": ds.fills.height,
        "quotes": ds.quotes.height,
        "trades": ds.trades.height,
    }
    params = {**ds.params, "rows": counts}
    paths["params.json"].write_text(json.dumps(params, indent=2) + "\n", encoding="utf-8")
    return paths
