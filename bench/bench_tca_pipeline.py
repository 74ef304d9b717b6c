"""The whole TCA run, from stored fills and the tick store to stored results.

    python bench/bench_ingest.py          # loads the large preset first
    python bench/bench_tca_pipeline.py

Times the chunked run exactly as the workers execute it (load orders and
fills from PostgreSQL with COPY, read the day's quotes and trades from the
tick store, compute, store the results, write per-fill markouts) in one
process per core, started before the clock as a Celery worker's are; then the
aggregation step; and, as the baseline measured in the same run, a bare polars
``join_asof`` of the same fills against the same quotes.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from django_env import setup, worker_pool


def _chunk(day: dt.date, symbols: list[str]) -> dict[str, int]:
    from tca.costs.services import tca_compute_chunk

    return tca_compute_chunk(trade_date=day, symbols=symbols)


def main() -> None:
    setup()

    from tca.costs.loading import chunk_fills, chunk_orders
    from tca.costs.models import CostResult
    from tca.costs.services import tca_aggregate_days, tca_plan_chunks
    from tca.marketdata.store import tick_store

    chunks = tca_plan_chunks()
    if not chunks:
        raise SystemExit("no orders: run bench/bench_ingest.py first")
    # The chunks run in parallel, one process per core, as a worker with
    # --concurrency equal to the cores runs the chord's tasks.
    workers = os.cpu_count() or 1
    with worker_pool(workers) as pool:  # up before the clock, as a Celery worker's are
        t0 = time.perf_counter()
        results = list(pool.map(_chunk, *zip(*chunks, strict=True)))
        compute = time.perf_counter() - t0
    orders = sum(r["orders"] for r in results)
    fills = sum(r["fills"] for r in results)
    t1 = time.perf_counter()
    tca_aggregate_days(dates=sorted({day for day, _ in chunks}))
    aggregate = time.perf_counter() - t1
    total = compute + aggregate
    assert CostResult.objects.count() >= orders

    # Baseline: one bare as-of join of the same fills on the same quotes.
    day = chunks[0][0]
    symbols = sorted({s for d, group in chunks if d == day for s in group})
    f = chunk_fills(orders=chunk_orders(trade_date=day, symbols=symbols)).sort("symbol", "time")
    q = tick_store().read("quotes", symbols=symbols, dates=[day])
    t2 = time.perf_counter()
    joined = f.join_asof(
        q, on="time", by="symbol", strategy="backward", check_sortedness=False
    )
    bare = time.perf_counter() - t2
    assert joined.height == f.height

    print(
        f"workers: {workers}, chunks: {len(chunks)}, orders: {orders:,}, fills: {fills:,}, "
        f"quotes: {q.height:,}"
    )
    print(f"compute and store: {compute:.2f} s; aggregates: {aggregate:.2f} s; total {total:.2f} s")
    print(f"bare join_asof of the fills on the quotes: {bare:.2f} s "
          f"(the whole run is {total / bare:.0f}x one bare join)")


if __name__ == "__main__":
    main()
