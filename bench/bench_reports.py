"""Time and peak memory to render a one-month best-execution PDF over 100,000 orders.

    python bench/bench_reports.py [--orders 100000 --fills-per-order 20 --days 21 --reuse]

Loads the orders, fills, cost results and aggregates with the pages benchmark's
generator (inside PostgreSQL, ``footprint_bench_reports``), then generates the
report as the worker does (``best_execution_generate``: read the stored
results, draw the charts, lay out the PDF, hash and store it). Prints the time
of each stage and the process's peak RSS, next to a baseline measured in the
same run: rendering the same report over an empty period (fixed costs:
Chromium for the charts, WeasyPrint's fonts). Target: under 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("TICK_STORE_URL", str(HERE / "out" / "reports-ticks"))
os.environ.setdefault("MODEL_STORE_URL", str(HERE / "out" / "reports-models"))
os.environ.setdefault("REPORT_STORE_URL", str(HERE / "out" / "reports-files"))

from bench_pages import load  # noqa: E402
from django_env import setup  # noqa: E402


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(user, date_from: dt.date, date_to: dt.date) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    from reports.best_execution import best_execution_generate, best_execution_request

    report = best_execution_request(user=user, date_from=date_from, date_to=date_to)
    t0 = time.perf_counter()
    result = best_execution_generate(report_id=str(report.pk))
    return time.perf_counter() - t0, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--fills-per-order", type=int, default=20)
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    setup("footprint_bench_reports")
    from django.contrib.auth import get_user_model
    from django.db import connection

    from tca.accounts.services import roles_sync
    from tca.orders.models import ParentOrder
    from tests.factories import UserFactory

    if not (args.reuse and ParentOrder.objects.count() == args.orders):
        print(f"Loading {args.orders:,} orders, {args.orders * args.fills_per_order:,} fills")
        t0 = time.perf_counter()
        load(args.orders, args.fills_per_order, args.days, args.symbols)
        print(f"  {'total':<44} {time.perf_counter() - t0:8.1f} s")
    roles_sync()
    user = get_user_model().objects.filter(username="bench_compliance").first()
    user = user or UserFactory(username="bench_compliance", role="compliance")
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(trade_date), max(trade_date) FROM orders_parentorder")
        first, last = cursor.fetchone()
    rss0 = _peak_rss_mb()
    empty_s, _ = _generate(user, dt.date(2001, 1, 1), dt.date(2001, 1, 31))
    print(f"empty period (fixed costs: Chromium start, fonts)  {empty_s:6.2f} s")
    full_s, result = _generate(user, first, last)
    rss = _peak_rss_mb()
    verdict = "meets" if full_s < 30 else "MISSES"
    ratio = full_s / empty_s
    print(f"{first} to {last}: {result['orders']:,} orders, {result['pages']} pages  "
          f"{full_s:6.2f} s ({ratio:.1f}x the empty report)  {verdict} target < 30 s")  # fmt: skip
    print(f"peak RSS {rss:,.0f} MB (before the reports: {rss0:,.0f} MB)")


if __name__ == "__main__":
    main()
