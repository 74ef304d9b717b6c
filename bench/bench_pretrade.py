"""Pre-trade latency: one in-process estimate per model kind, the optimal schedule, the API.

Prints p50/p99 of one estimate (point prediction and distribution for the three
participation strategies) for each model kind fitted on a simulated book, the
optimal Almgren-Chriss schedule with a 50-point frontier, and the p95 of
``POST /api/v1/pretrade/estimate/`` under Django's test client against
PostgreSQL. Ratios are against the square-root baseline measured in the same
run; targets (SPEC §4 issue): ML champion p99 < 1 ms, schedule p99 < 5 ms,
API p95 < 50 ms.

    python bench/bench_pretrade.py [--repeat 300] [--requests 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models_app.impact.catalog import KINDS
from models_app.impact.market_state import STATE_COLUMNS, market_state
from models_app.impact.model import ImpactModel
from models_app.impact.pretrade import (
    PUBLISHED_ALMGREN,
    Candidate,
    MarketInputs,
    Plan,
    Request,
    estimate_with_fallback,
    optimal_schedule,
    plan_duration,
    strategy_rows,
)
from models_app.impact.table import order_table_from_tca
from tca.analytics import daily_bars, run_tca
from tca.analytics.volume_profile import flat_profile
from tca.sim import SimConfig, simulate

PLANS = [Plan("aggressive", 0.30, 0.1), Plan("balanced", 0.10, 0.4), Plan("passive", 0.03, 0.7)]


def _times_ms(fn: Callable[[], object], repeat: int) -> np.ndarray:
    fn()  # warm caches (first call compiles, allocates)
    out = np.empty(repeat)
    for i in range(repeat):
        t0 = time.perf_counter()
        fn()
        out[i] = (time.perf_counter() - t0) * 1e3
    return out


def _line(label: str, ms: np.ndarray, base: float | None, target: float | None) -> None:
    p50, p99 = np.percentile(ms, [50, 99])
    ratio = f"{p99 / base:7.1f}x sqrt" if base else " " * 12
    verdict = (
        ""
        if target is None
        else ("  meets" if p99 < target else "  MISSES") + (f" target p99 < {target:g} ms")
    )
    print(f"{label:<40} p50 {p50:8.3f} ms  p99 {p99:8.3f} ms  {ratio}{verdict}")


def in_process(repeat: int) -> None:
    ds = simulate(SimConfig.preset("small", seed=4, n_days=12, orders_per_day=40.0))
    costs = run_tca(
        orders=ds.orders, fills=ds.fills, quotes=ds.quotes, trades=ds.trades,
        instruments=ds.instruments, daily=daily_bars(ds.trades, ds.instruments),
    ).order_costs  # fmt: skip
    table = order_table_from_tca(costs, market_state(costs, ds.quotes, ds.trades, ds.instruments))
    table = table.filter(table["volatility"].is_not_null())
    o = table.row(-1, named=True)
    market = MarketInputs(
        price=50.0, adv20=o["adv20"], sigma20=o["volatility"], spread_bps=o["arrival_spread_bps"],
        session_seconds=o["session_minutes"] * 60, start_fraction=0.3, profile=flat_profile(),
        state={k: o[k] for k in STATE_COLUMNS},
    )  # fmt: skip
    request = Request(o["symbol"], 1, 0.05 * o["adv20"], o["arrival_time"], 3600.0)
    durations = [plan_duration(p, request, market) for p in PLANS]

    rows = strategy_rows(request, market, PLANS, durations)

    def one_estimate(model: ImpactModel) -> Callable[[], object]:
        candidates = [Candidate(model.kind, model.kind, lambda: model)]

        def run() -> object:
            rows = strategy_rows(request, market, PLANS, durations)
            return estimate_with_fallback(rows, candidates, 10.0)

        return run

    print(
        "point + distribution = the model's temporary, permanent and total cost, quantiles,\n"
        "std and P(cost > threshold) for the 3 strategies' rows; whole estimate adds building\n"
        f"the rows and the fallback checks; n={repeat}"
    )
    base = None
    for kind in KINDS:
        t0 = time.perf_counter()
        model = ImpactModel(kind).fit(table)
        fit_s = time.perf_counter() - t0
        ms = _times_ms(lambda m=model: m.predict(rows, 10.0), repeat)
        if kind == "sqrt":
            base = float(np.percentile(ms, 99))
        target = 1.0 if kind not in ("sqrt", "almgren") else None
        _line(f"{kind} point + distribution", ms, base, target)
        _line(f"{kind} whole estimate (fit {fit_s:.1f} s)", _times_ms(one_estimate(model), repeat),
              base, None)  # fmt: skip
    ms = _times_ms(lambda: optimal_schedule(request, market, PUBLISHED_ALMGREN, 50), repeat)
    _line("optimal schedule + 50-pt frontier", ms, base, 5.0)


def api(requests: int) -> None:
    from bench.django_env import setup

    setup("footprint_bench_pretrade")
    from django.test import Client, override_settings

    from models_app.training import models_train_all
    from tca.accounts.services import roles_sync
    from tca.costs.services import tca_compute_chunk, tca_plan_chunks
    from tca.ingestion.services import ingest_file
    from tca.instruments.models import Instrument
    from tca.sim.files import write_dataset
    from tests.factories import UserFactory

    roles_sync()
    files = Path(__file__).resolve().parent / "out" / "pretrade-book"
    if not Instrument.objects.exists():
        data = simulate(SimConfig.preset("small", seed=11, n_days=10, orders_per_day=25.0))
        write_dataset(data, files)
        for kind, name in (
            ("instruments", "instruments.csv"), ("daily", "daily.csv"), ("orders", "orders.csv"),
            ("fills", "fills.csv"), ("quotes", "quotes.parquet"), ("trades", "trades.parquet"),
        ):  # fmt: skip
            assert ingest_file(kind=kind, path=files / name, source="bench").ok
        for day, symbols in tca_plan_chunks(stale_only=True):
            tca_compute_chunk(trade_date=day, symbols=symbols)
        models_train_all(user=None, promote_if_none=True)
    from django.contrib.auth import get_user_model

    from models_app.models import ModelVersion
    from tca.orders.models import ParentOrder

    user = get_user_model().objects.filter(username="bench_trader").first()
    user = user or UserFactory(username="bench_trader", role="trader", desk="")
    client = Client()
    client.force_login(user)
    last = ParentOrder.objects.order_by("-arrival_ns").first()
    day = dt.datetime.fromtimestamp(last.arrival_ns / 1e9, tz=dt.UTC).date()
    body = {
        "symbol": last.instrument.symbol, "side": "buy", "quantity": 20_000,
        "start_time": dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC).isoformat(),
        "horizon_minutes": 60,
    }  # fmt: skip
    champion = ModelVersion.objects.filter(track="cost", status="champion").first()
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        ms = np.empty(requests)
        for i in range(requests + 1):
            t0 = time.perf_counter()
            response = client.post(
                "/api/v1/pretrade/estimate/", body, content_type="application/json"
            )
            if i:
                ms[i - 1] = (time.perf_counter() - t0) * 1e3
            assert response.status_code == 201, response.content[:300]
    p50, p95 = np.percentile(ms, [50, 95])
    kind = champion.kind if champion else "none"
    verdict = "meets" if p95 < 50 else "MISSES"
    print(f"API POST estimate (champion {kind}, n={requests})  p50 {p50:.1f} ms  p95 {p95:.1f} ms"
          f"  {verdict} target p95 < 50 ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    in_process(args.repeat)
    if not args.skip_api:
        api(args.requests)


if __name__ == "__main__":
    main()
