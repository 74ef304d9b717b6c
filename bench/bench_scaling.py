"""Scaling with the number of days: the TCA run from storage for 1, 5 and 20 days.

    python bench/bench_scaling.py [--days 1,5,20] [--instruments 100] [--seed 11]
    TICK_STORE_URL=s3://bucket/ticks AWS_ENDPOINT_URL=... python bench/bench_scaling.py

The data set is the ``large`` preset's density per day (20 orders per name a
day, 46,000 quotes and 10,000 prints per name a day, a child order every 14 s)
over ``--instruments`` names instead of 500, so that 20 days fit a small disk
and a 2-core machine: at 100 names, about 410 k fills and 3.9 M quotes a day.
It is simulated once for the longest run, loaded once (quotes and trades one
file per day, as daily files arrive) and cached under bench/out.

Each run computes the chunks of its first N days exactly as the workers do
(orders and fills from PostgreSQL, the day's quotes and trades from the tick
store, results and markouts stored) in a fresh pool of one process per core,
started before the clock; then the aggregates of its days. It prints the time
per million fills, its ratio to the one-day run of the same invocation, and the
peak RSS of every worker process (``VmHWM``). Results of a run are removed
before the next, so each starts from the same state.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import time
from pathlib import Path

from django_env import OUT, setup, worker_pool

DATABASE = "footprint_bench_scaling"


def _peak_mb() -> float:
    """This process's peak RSS in MB.

    ``VmHWM`` belongs to the process's own address space, which ``exec`` starts
    afresh; ``ru_maxrss`` would report the parent's peak (Linux keeps it across
    ``fork`` and ``exec``), and the parent loaded the data set.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _chunk(day: dt.date, symbols: list[str]) -> tuple[int, float, int]:
    """One chunk as a worker runs it: (worker pid, its peak RSS so far in MB, fills)."""
    from tca.costs.services import tca_compute_chunk

    result = tca_compute_chunk(trade_date=day, symbols=symbols)
    return os.getpid(), _peak_mb(), result["fills"]


def _dataset(days: int, instruments: int, seed: int) -> Path:
    """The simulated files, quotes and trades split into one file per day."""
    import polars as pl

    from tca.sim import SimConfig, simulate, write_dataset

    folder = OUT / f"scaling-{instruments}x{days}-{seed}"
    if (folder / "done").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    config = SimConfig.preset("large", n_days=days, n_instruments=instruments, seed=seed)
    write_dataset(simulate(config), folder)
    for kind in ("quotes", "trades"):
        whole = folder / f"{kind}.parquet"
        daily = folder / kind
        daily.mkdir()
        frame = pl.scan_parquet(whole)
        time_col = pl.col("time").cast(pl.String).str.slice(0, 10)
        for (day,) in frame.select(time_col.alias("d")).unique().sort("d").collect().iter_rows():
            frame.filter(time_col == day).sink_parquet(daily / f"{day}.parquet")
        whole.unlink()
    (folder / "done").touch()
    return folder


def _load(folder: Path, instruments: int, days: int, seed: int) -> None:
    """Load the data set into the scratch database and the tick store, once."""
    from django.db import connection

    from tca.ingestion.services import ingest_file
    from tca.marketdata.store import tick_store
    from tca.orders.models import Fill

    marker = OUT / f"scaling-loaded-{instruments}x{days}-{seed}-{_store_url_tag()}"
    if marker.is_file() and Fill.objects.exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE orders_fill, costs_costresult, orders_parentorder, instruments_instrument,"
            " jobs_ingestaudit RESTART IDENTITY CASCADE"
        )
    _clear_store(tick_store())
    t0 = time.perf_counter()
    for kind in ("instruments", "orders", "fills"):
        outcome = ingest_file(kind=kind, path=folder / f"{kind}.csv", source="bench")
        assert outcome.ok, outcome.errors[:3]
    for kind in ("quotes", "trades"):
        for path in sorted((folder / kind).glob("*.parquet")):
            outcome = ingest_file(kind=kind, path=path, source="bench")
            assert outcome.ok, outcome.errors[:3]
    print(f"loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    marker.touch()


def _store_url_tag() -> str:
    from django.conf import settings

    return "s3" if str(settings.TICK_STORE_URL).startswith("s3") else "folder"


def _clear_store(store) -> None:  # type: ignore[no-untyped-def]
    if store.root is not None:
        shutil.rmtree(store.root, ignore_errors=True)
        return
    for key in store.objects.keys(""):
        store.objects.delete(key)


def _clear_results() -> None:
    """Remove every result and markout, so each run starts from the same state."""
    from django.db import connection

    from tca.costs.services import MARKOUTS_KIND
    from tca.marketdata.store import tick_store

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE costs_costresult, costs_costaggregate, costs_markoutaggregate")
    store = tick_store()
    for key in store.objects.keys(MARKOUTS_KIND):
        store.objects.delete(key)


def _run(chunks: list[tuple[dt.date, list[str]]], workers: int) -> dict[str, object]:
    from tca.costs.services import tca_aggregate_days

    _clear_results()
    with worker_pool(workers, DATABASE) as pool:
        t0 = time.perf_counter()
        results = list(pool.map(_chunk, *zip(*chunks, strict=True)))
        compute = time.perf_counter() - t0
    t1 = time.perf_counter()
    tca_aggregate_days(dates=sorted({day for day, _ in chunks}))
    aggregate = time.perf_counter() - t1
    peaks: dict[int, float] = {}
    for pid, peak, _ in results:
        peaks[pid] = max(peaks.get(pid, 0.0), peak)
    return {
        "fills": sum(r[2] for r in results),
        "compute": compute,
        "aggregate": aggregate,
        "peaks": sorted(peaks.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", default="1,5,20")
    parser.add_argument("--instruments", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    runs = sorted({int(d) for d in args.days.split(",")})
    os.environ.setdefault("TICK_STORE_URL", str(OUT / "scaling-ticks"))
    # The 20 days' fills are one file of about 0.7 GB, above the upload default.
    os.environ.setdefault("FOOTPRINT_MAX_UPLOAD_BYTES", str(4 << 30))
    setup(DATABASE)

    from django.conf import settings

    from tca.costs.services import tca_plan_chunks

    folder = _dataset(max(runs), args.instruments, args.seed)
    _load(folder, args.instruments, max(runs), args.seed)
    chunks = tca_plan_chunks()
    all_days = sorted({day for day, _ in chunks})
    print(f"store: {settings.TICK_STORE_URL}; {args.instruments} names, {len(all_days)} days, "
          f"{len(chunks)} chunks, {args.workers} worker processes", flush=True)
    print(f"{'days':>4} {'chunks':>6} {'fills':>11} {'compute s':>9} {'s/M fills':>9} "
          f"{'ratio':>6} {'aggr. s':>7} {'s/M all':>8} {'ratio':>6}  peak RSS per worker (MB)")
    base: tuple[float, float] | None = None
    for n in runs:
        days = set(all_days[:n])
        mine = [c for c in chunks if c[0] in days]
        r = _run(mine, args.workers)
        fills = int(r["fills"])  # type: ignore[call-overload]
        per_m = float(r["compute"]) / (fills / 1e6)  # type: ignore[arg-type]
        whole = (float(r["compute"]) + float(r["aggregate"])) / (fills / 1e6)  # type: ignore[arg-type]
        base = base or (per_m, whole)
        peaks = ", ".join(f"{p:,.0f}" for p in r["peaks"])  # type: ignore[attr-defined]
        print(f"{n:>4} {len(mine):>6} {fills:>11,} {r['compute']:>9.2f} {per_m:>9.2f} "
              f"{per_m / base[0]:>6.2f} {r['aggregate']:>7.2f} {whole:>8.2f} "
              f"{whole / base[1]:>6.2f}  {peaks}", flush=True)


if __name__ == "__main__":
    main()
