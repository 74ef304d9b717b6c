"""Ingestion speed: fills into PostgreSQL and quotes into the tick store.

    python bench/bench_ingest.py [--preset large] [--seed 11]

Prints end-to-end rows per second (read, validate, stage with COPY, insert on
conflict, audit) for the simulator's fills, next to Django's ``bulk_create`` of
the same rows measured in the same run, and the time to ingest its quotes into
the Parquet tick store. Figures are ratios to baselines of the same run, so
they compare across machines; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import time

from django_env import OUT, dataset, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="large")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    setup()
    import polars as pl
    from django.db import connection, transaction

    from tca.ingestion.services import ingest_file
    from tca.orders.models import Fill, ParentOrder

    folder = dataset(args.preset, args.seed)
    shutil.rmtree(OUT / "ticks", ignore_errors=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE orders_fill, costs_costresult, orders_parentorder, instruments_instrument,"
            " jobs_ingestaudit RESTART IDENTITY CASCADE"
        )
    for kind in ("instruments", "orders"):
        assert ingest_file(kind=kind, path=folder / f"{kind}.csv", source="bench").ok

    fills_path = folder / "fills.csv"
    t0 = time.perf_counter()
    outcome = ingest_file(kind="fills", path=fills_path, source="bench")
    ours = time.perf_counter() - t0
    assert outcome.ok, outcome.errors[:5]
    n = outcome.accepted
    t0 = time.perf_counter()
    again = ingest_file(kind="fills", path=fills_path, source="bench")
    reingest = time.perf_counter() - t0
    assert (again.accepted, again.duplicates) == (0, n)
    print(f"fills:   {n:,} rows in {ours:.2f} s = {n / ours:,.0f} rows/s end to end", flush=True)
    print(f"         re-ingest (all duplicates) {reingest:.2f} s", flush=True)

    t0 = time.perf_counter()
    quotes = ingest_file(kind="quotes", path=folder / "quotes.parquet", source="bench")
    quotes_s = time.perf_counter() - t0
    assert quotes.ok, quotes.errors[:5]

    t0 = time.perf_counter()
    trades = ingest_file(kind="trades", path=folder / "trades.parquet", source="bench")
    trades_s = time.perf_counter() - t0
    assert trades.ok, trades.errors[:5]
    print(f"quotes:  {quotes.accepted:,} rows in {quotes_s:.2f} s = "
          f"{quotes.accepted / quotes_s:,.0f} rows/s into the tick store", flush=True)
    print(f"trades:  {trades.accepted:,} rows in {trades_s:.2f} s (with daily bars)", flush=True)

    # Baseline: the same rows through the ORM's bulk_create (no validation at all).
    frame = pl.read_csv(fills_path, infer_schema_length=0)
    pks = dict(ParentOrder.objects.values_list("order_id", "pk"))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE orders_fill")
    t0 = time.perf_counter()
    objects = [
        Fill(
            source="baseline",
            exec_id=r["exec_id"],
            order_id=pks[r["order_id"]],
            side=1 if r["side"].upper().startswith("B") else -1,
            quantity=r["quantity"],
            price=r["price"],
            time_ns=0,
            venue=r.get("venue") or "",
            liquidity=r.get("liquidity") or "",
            fee=r.get("fee") or 0,
        )
        for r in frame.iter_rows(named=True)
    ]
    with transaction.atomic():
        Fill.objects.bulk_create(objects, batch_size=10_000)
    baseline = time.perf_counter() - t0

    print(f"bulk_create baseline {baseline:.2f} s = {n / baseline:,.0f} rows/s")
    print(f"ratio:   our fills ingest is {baseline / ours:.1f}x faster than bulk_create")

    # Leave the real fills stored for bench/bench_tca_pipeline.py.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE orders_fill")
    assert ingest_file(kind="fills", path=fills_path, source="bench").ok


if __name__ == "__main__":
    main()
