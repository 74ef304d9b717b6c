"""TCA runs: plan chunks, compute each chunk, store results idempotently, aggregate.

A chunk is one trade date × a group of symbols: everything it needs (orders,
fills, that day's quotes and trades, daily bars) is loaded once, the pure engine
(``tca.analytics``) computes it, and the results replace whatever an earlier run
stored for those orders, so a re-run or a redelivered task writes the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tca.analytics import TcaConfig, aggregate_costs, aggregate_markouts, run_tca
from tca.analytics.config import markout_column
from tca.analytics.daily import combine_bars
from tca.ingestion.bulk import copy_rows, drop_stage, execute, is_postgresql
from tca.instruments.services import instrument_frame
from tca.marketdata.store import tick_store
from tca.orders.models import ParentOrder

from .loading import chunk_fills, chunk_orders
from .models import CostAggregate, CostResult, MarkoutAggregate
from .permanent import permanent_impact_estimates

SYMBOLS_PER_CHUNK = 50
MARKOUTS_KIND = "markouts"


def tca_config() -> TcaConfig:
    return TcaConfig(
        staleness=dt.timedelta(seconds=settings.TCA_QUOTE_STALENESS_SECONDS),
        post_horizon=dt.timedelta(seconds=settings.TCA_POST_HORIZON_SECONDS),
    )


def tca_plan_chunks(
    *,
    date: dt.date | None = None,
    since: dt.date | None = None,
    symbol: str | None = None,
    stale_only: bool = False,
) -> list[tuple[dt.date, list[str]]]:
    """The (trade date, symbols) chunks covering the selected orders."""
    qs = ParentOrder.objects.all()
    if date:
        qs = qs.filter(trade_date=date)
    if since:
        qs = qs.filter(trade_date__gte=since)
    if symbol:
        qs = qs.filter(instrument__symbol=symbol)
    if stale_only:
        qs = qs.filter(needs_recompute=True)
    by_day: dict[dt.date, list[str]] = defaultdict(list)
    pairs = qs.order_by().values_list("trade_date", "instrument__symbol").distinct()
    for day, sym in sorted(pairs):
        by_day[day].append(sym)
    return [
        (day, symbols[i : i + SYMBOLS_PER_CHUNK])
        for day, symbols in sorted(by_day.items())
        for i in range(0, len(symbols), SYMBOLS_PER_CHUNK)
    ]


def _market_data(
    *, trade_date: dt.date, symbols: list[str], orders: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    store = tick_store()
    # Decision times may precede the trade date (a decision taken the day before).
    days = {trade_date}
    for column in ("decision_time", "arrival_time", "end_time"):
        days.update(d for d in orders[column].dt.date().unique().to_list() if d is not None)
    quotes = store.read("quotes", symbols=symbols, dates=sorted(days))
    trades = store.read("trades", symbols=symbols, dates=[trade_date])
    daily = store.read_daily()
    if daily.height:
        daily = daily.filter(pl.col("symbol").is_in(symbols))
    history = store.read_daily_history().filter(pl.col("symbol").is_in(symbols))
    if history.height:
        # Loaded history is the official day and wins over the tape's own bar.
        daily = combine_bars(history, daily)
    return quotes, trades, daily


def _finite(name: str, frame: pl.DataFrame) -> pl.Expr:
    """A float column with NaN and infinities stored as missing (absent: all missing)."""
    if name not in frame.columns:
        return pl.lit(None, dtype=pl.Float64).alias(name)
    col = pl.col(name).cast(pl.Float64)
    return pl.when(col.is_finite()).then(col).alias(name)


def _flags_json(frame: pl.DataFrame) -> pl.Expr:
    """The flags as a JSON array; flags are fixed identifiers, so no escaping is needed."""
    if "flags" not in frame.columns:
        return pl.lit("[]").alias("flags")
    quoted = pl.col("flags").fill_null([]).list.eval(pl.format('"{}"', pl.element()))
    return pl.format("[{}]", quoted.list.join(",")).alias("flags")


def _markouts_json(frame: pl.DataFrame, config: TcaConfig) -> pl.Expr:
    """The order's markout curve as a JSON object keyed by horizon (1s, 5m...)."""
    columns = [markout_column(h) for h in config.markout_horizons]
    present = [c for c in columns if c in frame.columns]
    if not present:
        return pl.lit("{}").alias("markouts")
    fields = [_finite(c, frame).alias(c.removeprefix("markout_")) for c in present]
    return pl.struct(fields).struct.json_encode().alias("markouts")


def _result_frame(costs: pl.DataFrame, orders: pl.DataFrame, config: TcaConfig) -> pl.DataFrame:
    """The engine's order costs as ``costs_costresult`` rows, one column per table column."""
    texts = ("model_version", "regime", "size_bucket")
    columns: list[pl.Expr] = []
    for field in CostResult._meta.concrete_fields:
        name = field.attname
        if name == "order_id":
            columns.append(pl.col("order_pk").alias("order_id"))
        elif name == "trade_date":
            columns.append(pl.col("trade_date"))
        elif name in texts:
            columns.append(
                (pl.col(name).fill_null("") if name in costs.columns else pl.lit("")).alias(name)
            )
        elif name == "executed_qty":
            columns.append(_finite(name, costs).fill_null(0.0))
        elif name == "markouts":
            columns.append(_markouts_json(costs, config))
        elif name == "flags":
            columns.append(_flags_json(costs))
        elif name == "computed_at":
            # As the ORM would write it (SQLite keeps text in its own format).
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            columns.append(pl.lit(now).alias(name))
        else:
            columns.append(_finite(name, costs))
    keyed = costs.drop("trade_date", strict=False).join(
        orders.select("order_id", "order_pk", "trade_date"), on="order_id", how="inner"
    )
    return keyed.select(columns)


def _store_results(rows: pl.DataFrame) -> None:
    """Insert or replace the chunk's results, one row per order whatever ran before.

    A re-run, a redelivered task or two runs of the same orders at once all
    end with one row per order: on PostgreSQL the rows are COPY'd into a
    staging table and upserted in order-key order (a concurrent upsert of the
    same orders waits for the other's commit instead of failing or
    deadlocking). The embedded database runs tasks one at a time and simply
    replaces the rows.
    """
    table = CostResult._meta.db_table
    if not is_postgresql():
        CostResult.objects.filter(order_id__in=rows["order_id"].to_list()).delete()
        copy_rows(table=table, frame=rows)
        return
    columns = ", ".join(f'"{c}"' for c in rows.columns)
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in rows.columns if c != "order_id")
    execute(f'CREATE TEMP TABLE stage_costs (LIKE "{table}") ON COMMIT DROP')
    try:
        copy_rows(table="stage_costs", frame=rows)
        execute(
            f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM stage_costs'  # noqa: S608
            f" ORDER BY order_id ON CONFLICT (order_id) DO UPDATE SET {updates}"
        )
    finally:
        drop_stage("stage_costs")


def tca_compute_chunk(*, trade_date: dt.date, symbols: list[str]) -> dict[str, int]:
    """Compute and store the costs of every order of ``symbols`` on ``trade_date``."""
    orders = chunk_orders(trade_date=trade_date, symbols=symbols)
    if orders.height == 0:
        return {"orders": 0, "fills": 0}
    fills = chunk_fills(orders=orders)
    quotes, trades, daily = _market_data(trade_date=trade_date, symbols=symbols, orders=orders)
    instruments = instrument_frame(symbols=symbols)
    config = tca_config()
    permanent = permanent_impact_estimates(
        orders=orders, fills=fills, daily=daily, instruments=instruments, config=config
    )
    result = run_tca(
        orders=orders.drop("order_pk", "trade_date"),
        fills=fills,
        quotes=quotes,
        trades=trades,
        instruments=instruments,
        daily=daily if daily.height else None,
        permanent_impact=permanent,
        config=config,
    )
    rows = _result_frame(result.order_costs, orders, config)
    pks = orders["order_pk"].to_list()
    with transaction.atomic():
        _store_results(rows)
        ParentOrder.objects.filter(pk__in=pks).update(needs_recompute=False)
        if result.fill_markouts.height:
            tick_store().replace(MARKOUTS_KIND, result.fill_markouts, date_column="trade_date")
    return {"orders": orders.height, "fills": fills.height}


def _aggregate_objects(
    model: type[CostAggregate] | type[MarkoutAggregate],
    rows: pl.DataFrame,
    columns: tuple[str, ...],
    sums_field: str,
) -> list[Any]:
    """Model rows from an engine aggregate: ``columns`` as fields, the other sums as JSON."""
    objects = []
    for rec in rows.iter_rows(named=True):  # one row per (dimension, key, day): small
        fields = {c: rec[c] for c in columns}
        fields["key"] = str(fields["key"])[:64]
        sums = {k: float(v) for k, v in rec.items() if k not in columns and v is not None}
        objects.append(model(**fields, **{sums_field: sums}))
    return objects


def tca_aggregate_days(*, dates: list[dt.date]) -> dict[str, int]:
    """Rebuild the dashboards' aggregates of ``dates`` from the stored results.

    Every aggregate row belongs to one trade date, so the dates are done one at
    a time (memory and time grow with a day's data, not with the run's), inside
    one transaction: the dashboards see all of the run's new aggregates or none.
    """
    cost_columns = (
        "dimension", "key", "trade_date", "n_orders", "paper_notional", "executed_notional"
    )
    mark_columns = ("dimension", "key", "trade_date", "liquidity", "n_fills", "notional")
    counts = {"cost_aggregates": 0, "markout_aggregates": 0}
    with transaction.atomic():
        for day in sorted(set(dates)):
            cost_rows, mark_rows = _day_aggregates(day)
            CostAggregate.objects.filter(trade_date=day).delete()
            MarkoutAggregate.objects.filter(trade_date=day).delete()
            CostAggregate.objects.bulk_create(
                _aggregate_objects(CostAggregate, cost_rows, cost_columns, "sums"),
                batch_size=2000,
            )
            MarkoutAggregate.objects.bulk_create(
                _aggregate_objects(MarkoutAggregate, mark_rows, mark_columns, "weighted_sums"),
                batch_size=2000,
            )
            counts["cost_aggregates"] += cost_rows.height
            counts["markout_aggregates"] += mark_rows.height
    return counts


def _day_aggregates(day: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cost rows, markout rows) of one trade date, from the stored results and markouts."""
    from .loading import stored_costs

    costs = stored_costs(dates=[day])
    cost_rows = aggregate_costs(costs) if costs.height else pl.DataFrame()
    marks = tick_store().read(MARKOUTS_KIND, dates=[day])
    if not marks.height:
        return cost_rows, pl.DataFrame()
    attrs = costs.select("order_id", "trader", "desk", "regime")
    marks = marks.drop([c for c in ("trader", "desk", "regime") if c in marks.columns])
    return cost_rows, aggregate_markouts(marks.join(attrs, on="order_id", how="left"))
