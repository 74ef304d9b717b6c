"""A small, realistic-looking TCA dataset written straight into the result tables.

Orders, fills, per-order cost results whose components add up to the IS, per-fill
markouts in the tick store and quotes for one order; the aggregates are then built
by the project's own aggregation service, so the pages read what production reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import polars as pl

from tca.costs.models import CostResult
from tca.costs.services import MARKOUTS_KIND, tca_aggregate_days
from tca.marketdata.store import tick_store
from tca.orders.models import Fill, ParentOrder
from tests.factories import InstrumentFactory

START = dt.date(2026, 3, 2)
OPEN_UTC = dt.time(14, 30)
BROKERS = {"BRKA": 2.0, "BRKB": 6.0, "BRKC": 4.0}  # mean extra cost in bps
ALGOS = ("VWAP", "TWAP", "POV")
DESKS = ("Cash Equities", "Program Trading")
TRADERS = {"Cash Equities": ("alice", "bob"), "Program Trading": ("carol",)}
REGIMES = ("low_vol", "normal", "high_vol")
VENUES = ("XNYS", "XNAS", "BATS", "IEXG")
HORIZONS = ("m60s", "0s", "1s", "10s", "60s", "300s", "1800s")
TIME = pl.Datetime("ns", "UTC")


def ns(day: dt.date, seconds: float) -> int:
    start = dt.datetime.combine(day, OPEN_UTC, tzinfo=dt.UTC)
    return int(start.timestamp()) * 1_000_000_000 + int(seconds * 1e9)


def trading_days(n: int) -> list[dt.date]:
    days, day = [], START
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@dataclass
class Dataset:
    orders: list[ParentOrder] = field(default_factory=list)
    days: list[dt.date] = field(default_factory=list)
    quoted_order: ParentOrder | None = None


def build_dataset(
    *, n_days: int = 6, orders_per_day: int = 24, seed: int = 7, quotes: bool = True
) -> Dataset:
    rng = np.random.default_rng(seed)
    symbols = [InstrumentFactory(symbol=s) for s in ("AAPL", "MSFT", "NVDA", "JPM", "XOM")]
    prices = {"AAPL": 190.0, "MSFT": 410.0, "NVDA": 880.0, "JPM": 195.0, "XOM": 112.0}
    data = Dataset(days=trading_days(n_days))
    orders, costs, fills, marks = [], [], [], []
    k = 0
    for day in data.days:
        for _ in range(orders_per_day):
            k += 1
            inst = symbols[rng.integers(len(symbols))]
            desk = DESKS[int(rng.random() < 0.35)]
            broker = list(BROKERS)[rng.integers(len(BROKERS))]
            side = 1 if rng.random() < 0.55 else -1
            qty = int(rng.choice([2_000, 5_000, 10_000, 25_000, 50_000]))
            arrival = ns(day, rng.uniform(600, 20_000))
            duration = rng.uniform(300, 3_600)
            order = ParentOrder(
                order_id=f"D{day:%m%d}-{k:04d}",
                instrument=inst,
                side=side,
                quantity=Decimal(qty),
                arrival_ns=arrival,
                end_ns=arrival + int(duration * 1e9),
                trade_date=day,
                broker=broker,
                algo=ALGOS[rng.integers(len(ALGOS))],
                trader=TRADERS[desk][rng.integers(len(TRADERS[desk]))],
                desk=desk,
            )
            orders.append(order)
    ParentOrder.objects.bulk_create(orders)
    data.orders = orders
    for order in orders:
        sym = order.instrument.symbol
        px = prices[sym] * (1 + rng.normal(0, 0.01))
        qty = float(order.quantity)
        participation = float(rng.uniform(0.01, 0.3))
        size_adv = float(rng.uniform(0.001, 0.08))
        regime = REGIMES[rng.integers(len(REGIMES))]
        fill_rate = float(rng.choice([1.0, 1.0, 1.0, 0.8]))
        executed = qty * fill_rate
        paper = qty * px
        comp = {
            "delay": rng.normal(0.5, 2),
            "spread": rng.normal(2.5, 1),
            "temporary_impact": 12 * np.sqrt(participation) + rng.normal(0, 3),
            "permanent_impact": 20 * np.sqrt(size_adv),
            "adverse_selection": BROKERS[order.broker] + rng.normal(0, 6),
            "opportunity": 0.0 if fill_rate == 1 else rng.normal(3, 4),
            "fees": 0.8,
        }
        comp["execution"] = sum(
            comp[n] for n in ("spread", "temporary_impact", "permanent_impact", "adverse_selection")
        )
        comp["is"] = sum(comp[n] for n in ("delay", "execution", "opportunity", "fees"))
        curve = {
            h: float(v)
            for h, v in zip(
                HORIZONS,
                [
                    -0.5,
                    comp["spread"],
                    comp["spread"] + 0.4,
                    comp["spread"] + 1.1,
                    comp["spread"] + 2.0,
                    comp["spread"] + 2.8,
                    comp["spread"] + 3.1,
                ],
                strict=True,
            )
        }
        avg = px * (1 + order.side * comp["execution"] / 1e4)
        fields = {}
        for n, v in comp.items():
            fields[f"{n}_bps"] = float(v)
            fields[f"{n}_amount"] = float(v) * paper / 1e4
        costs.append(
            CostResult(
                order=order,
                trade_date=order.trade_date,
                executed_qty=executed,
                avg_price=avg,
                paper_notional=paper,
                executed_notional=executed * avg,
                adv20=qty / size_adv,
                regime=regime,
                participation=participation,
                size_adv=size_adv,
                fill_rate=fill_rate,
                arrival_price=px,
                vwap_price=px * (1 + rng.normal(0, 3e-4)),
                twap_price=px * (1 + rng.normal(0, 3e-4)),
                markouts=curve,
                **fields,
            )
        )
        n_fills = int(rng.integers(3, 9))
        sizes = np.full(n_fills, executed / n_fills)
        times = np.sort(rng.uniform(1, (order.end_ns - order.arrival_ns) / 1e9, n_fills))
        for i in range(n_fills):
            liquidity = "ADD" if rng.random() < 0.5 else "REMOVE"
            venue = VENUES[rng.integers(len(VENUES))]
            price = avg * (1 + rng.normal(0, 2e-4))
            t = order.arrival_ns + int(times[i] * 1e9)
            fills.append(
                Fill(
                    source="test",
                    exec_id=f"{order.order_id}-{i}",
                    order=order,
                    side=order.side,
                    quantity=Decimal(str(round(sizes[i], 4))),
                    price=Decimal(str(round(price, 4))),
                    time_ns=t,
                    venue=venue,
                    liquidity=liquidity,
                    broker=order.broker,
                    algo=order.algo,
                )
            )
            shift = -1.5 if liquidity == "ADD" else 1.5
            marks.append(
                {
                    "exec_id": f"{order.order_id}-{i}",
                    "order_id": order.order_id,
                    "symbol": sym,
                    "side": order.side,
                    "time": t,
                    "quantity": float(sizes[i]),
                    "price": price,
                    "venue": venue,
                    "liquidity": liquidity,
                    "broker": order.broker,
                    "algo": order.algo,
                    "fee": 0.0,
                    "trade_date": order.trade_date,
                    "notional": float(sizes[i]) * price,
                    "passive": liquidity == "ADD",
                    "mid": px,
                    **{
                        f"markout_{h}": curve[h] + (shift if h != "m60s" else 0.0) for h in HORIZONS
                    },
                }
            )
    CostResult.objects.bulk_create(costs)
    Fill.objects.bulk_create(fills)
    frame = pl.DataFrame(marks).with_columns(pl.col("time").cast(TIME))
    tick_store().replace(MARKOUTS_KIND, frame, date_column="trade_date")
    tca_aggregate_days(dates=data.days)
    if quotes:
        data.quoted_order = orders[0]
        write_quotes(orders[0], costs[0])
    return data


def write_quotes(order: ParentOrder, cost: CostResult, *, n: int = 4_000, seed: int = 3) -> None:
    """Quotes around one order: a random walk drifting from the arrival mid towards the
    order's average price while it trades (its impact), and fill prices re-set at the
    touch (passive at the near side, aggressive across the spread) so the picture is real."""
    rng = np.random.default_rng(seed)
    start = order.arrival_ns - 300 * 1_000_000_000
    end = order.end_ns or order.arrival_ns
    stop = end + 2_100 * 1_000_000_000
    t = np.sort(rng.integers(start, stop, n))
    progress = np.clip((t - order.arrival_ns) / (end - order.arrival_ns), 0, 1)
    drift = (cost.avg_price or cost.arrival_price) / cost.arrival_price - 1
    mid = cost.arrival_price * (1 + drift * progress) * np.exp(np.cumsum(rng.normal(0, 1e-5, n)))
    half = mid * 2e-4
    frame = pl.DataFrame(
        {
            "symbol": [order.instrument.symbol] * n,
            "time": pl.Series(t).cast(TIME),
            "bid": mid - half,
            "ask": mid + half,
        }
    )
    tick_store().write("quotes", frame)
    for fill in order.fills.all():
        i = max(int(np.searchsorted(t, fill.time_ns)) - 1, 0)
        towards = order.side if fill.liquidity == "REMOVE" else -order.side
        fill.price = Decimal(str(round(mid[i] + towards * half[i], 4)))
        fill.save(update_fields=["price"])


def add_predictions(data: Dataset, *, seed: int = 11) -> None:
    """Walk-forward-like predictions of two model versions for every order."""
    from models_app.models import ModelVersion, OrderPrediction

    rng = np.random.default_rng(seed)
    versions = [
        ModelVersion.objects.create(version=v, kind=k)
        for v, k in (("cost-v1", "almgren"), ("cost-v2", "xgboost"))
    ]
    rows = []
    for i, order in enumerate(data.orders):
        realised = order.cost.execution_bps
        version = versions[i % 2]
        bias = 2.5 if version.version == "cost-v1" else 0.3
        predicted = realised - bias + rng.normal(0, 4)
        rows.append(
            OrderPrediction(
                order=order,
                model_version=version,
                source="walk_forward",
                trained_through=order.trade_date - dt.timedelta(days=1),
                trade_date=order.trade_date,
                temporary_bps=predicted * 0.6,
                permanent_bps=predicted * 0.4,
                total_bps=predicted,
                q05_bps=predicted - 8,
                q50_bps=predicted,
                q95_bps=predicted + 8,
                std_bps=5.0,
                p_exceed=0.3,
                threshold_bps=10.0,
                realized_bps=realised,
                residual_bps=realised - predicted,
            )
        )
    OrderPrediction.objects.bulk_create(rows)
