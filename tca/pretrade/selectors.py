"""Reads for pre-trade: market inputs as of a start time, model candidates, stored estimates.

Every market input looks strictly before the start (no look-ahead): the mid
and spread from the last quote before it (or the last quote of an earlier
session, flagged), ADV20 and σ20 from the bars of earlier dates, the volume
profile from earlier sessions' prints, the market state from the start
day's data before the start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from models_app.impact.market_state import STATE_COLUMNS, market_state, session_bounds
from models_app.impact.pretrade import PUBLISHED_ALMGREN, Candidate, MarketInputs
from models_app.models import ModelVersion
from models_app.selectors import champion_get
from models_app.store import model_load
from tca.analytics.volume_profile import flat_profile, intraday_profile
from tca.instruments.models import Instrument
from tca.instruments.services import instrument_frame
from tca.marketdata.selectors import adv_sigma_asof
from tca.marketdata.store import tick_store
from tca.orders.models import ParentOrder
from tca.orders.selectors import orders_visible_to

from .conf import PretradeConf
from .models import PretradeEstimate

STALENESS = dt.timedelta(minutes=5)


class MissingInput(ValueError):
    """The estimate cannot be made: the message says what is missing (HTTP 400)."""


@dataclass(frozen=True)
class Measured:
    market: MarketInputs
    inputs: list[dict[str, Any]]  # name, label, value, unit, source: shown to the user
    flags: list[str]


def _utc(value: dt.datetime) -> dt.datetime:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _quote_before(symbol: str, start: dt.datetime, conf: PretradeConf) -> tuple[dict, str]:
    """The last quote strictly before ``start`` and where it came from."""
    store = tick_store()
    days = sorted(
        (d for s, d in store.partitions("quotes") if s == symbol and d <= start.date()),
        reverse=True,
    )[: conf.quote_lookback_sessions]
    for day in days:
        quotes = store.read("quotes", symbols=[symbol], dates=[day]).filter(
            (pl.col("time") < start) & (pl.col("bid") > 0) & (pl.col("ask") >= pl.col("bid"))
        )
        if quotes.height:
            last = quotes.sort("time").row(-1, named=True)
            fresh = day == start.date() and start - last["time"] <= STALENESS
            source = (
                f"last quote before the start ({last['time']:%H:%M:%S} UTC)"
                if fresh
                else f"last quote of {day.isoformat()} ({last['time']:%H:%M} UTC): no fresh quote"
            )
            return last, source
    raise MissingInput(
        f"no quote for {symbol} before {start.isoformat()}: load quotes of the start day or of "
        "an earlier session (ingest quotes)"
    )


def _profile(symbol: str, start: dt.datetime, instruments: pl.DataFrame, conf: PretradeConf):  # type: ignore[no-untyped-def]
    store = tick_store()
    days = sorted(d for s, d in store.partitions("trades") if s == symbol and d < start.date())
    days = days[-conf.profile_sessions :]
    if days:
        trades = store.read("trades", symbols=[symbol], dates=days)
        keys = pl.DataFrame({"symbol": [symbol] * len(days), "trade_date": days})
        profile = intraday_profile(trades, session_bounds(keys, instruments))
        if profile is not None:
            return profile, f"continuous prints of {len(days)} earlier session(s)"
    return flat_profile(), "flat: no earlier prints"


def _state(
    symbol: str, start: dt.datetime, adv20: float, instruments: pl.DataFrame
) -> dict[str, float | None]:
    store = tick_store()
    day = start.date()
    order = pl.DataFrame(
        {
            "order_id": ["pretrade"],
            "symbol": [symbol],
            "trade_date": [day],
            "arrival_time": [start],
            "adv20": [adv20],
        },
    ).with_columns(pl.col("arrival_time").cast(pl.Datetime("ns", "UTC")))
    quotes = store.read("quotes", symbols=[symbol], dates=[day]).filter(pl.col("time") < start)
    trades = store.read("trades", symbols=[symbol], dates=[day]).filter(pl.col("time") < start)
    row = market_state(order, quotes, trades, instruments).row(0, named=True)
    return {name: row[name] for name in STATE_COLUMNS}


def market_inputs(*, symbol: str, start: dt.datetime, conf: PretradeConf) -> Measured:
    """The market as a trader could have known it at ``start``; MissingInput if it cannot."""
    start = _utc(start)
    if not Instrument.objects.filter(symbol=symbol).exists():
        raise MissingInput(f"unknown symbol {symbol!r}: no instrument with that symbol is loaded")
    adv20, sigma20, history_flags = adv_sigma_asof(symbol=symbol, asof=start)
    if not adv20:
        raise MissingInput(
            f"no daily history for {symbol} before {start.date().isoformat()}: ADV20 needs "
            "daily bars (ingest daily) or trades of earlier sessions"
        )
    if sigma20 is None:
        raise MissingInput(
            f"too little history for {symbol} before {start.date().isoformat()} to measure the "
            "daily volatility: load at least 6 daily closes (ingest daily)"
        )
    quote, quote_source = _quote_before(symbol, start, conf)
    mid = (quote["bid"] + quote["ask"]) / 2
    spread_bps = (quote["ask"] - quote["bid"]) / mid * 1e4
    instruments = instrument_frame(symbols=[symbol])
    keys = pl.DataFrame({"symbol": [symbol], "trade_date": [start.date()]})
    session = session_bounds(keys, instruments).row(0, named=True)
    length = (session["_close"] - session["_open"]).total_seconds()
    elapsed = (start - session["_open"]).total_seconds()
    if elapsed >= length:
        raise MissingInput(
            f"the start {start.isoformat()} is after the close of {symbol}'s session "
            f"({session['_close']:%H:%M} UTC): start at a time the market is open"
        )
    profile, profile_source = _profile(symbol, start, instruments, conf)
    state = _state(symbol, start, adv20, instruments)
    history_source = ", ".join(
        {"daily_history": "loaded daily history", "tape_bars": "bars from the tape"}[f]
        for f in history_flags
        if f in ("daily_history", "tape_bars")
    )
    sigma_source = (
        "intraday returns of earlier sessions (too few daily closes)"
        if "intraday_sigma" in history_flags
        else "daily closes"
    )
    short = " (fewer than 20 sessions)" if "short_history" in history_flags else ""
    inputs = [
        {"name": "mid", "label": "Mid price", "value": mid, "unit": "price",
         "source": quote_source},
        {"name": "spread_bps", "label": "Quoted spread", "value": spread_bps, "unit": "bps",
         "source": quote_source},
        {"name": "adv20", "label": "ADV20", "value": adv20, "unit": "shares/day",
         "source": history_source + short},
        {"name": "sigma20", "label": "Daily volatility σ20", "value": sigma20 * 1e4,
         "unit": "bps/day", "source": sigma_source + ", " + history_source + short},
        {"name": "profile", "label": "Intraday volume profile", "value": None, "unit": "",
         "source": profile_source},
        {"name": "session", "label": "Session", "value": length / 60, "unit": "minutes",
         "source": f"{session['_open']:%H:%M}–{session['_close']:%H:%M} UTC "
                   "(instrument's hours)"},
    ]  # fmt: skip
    labels = {
        "recent_vol": ("Recent volatility (30 min, per day)", "bps/day", 1e4),
        "recent_volume": ("Recent volume vs the ADV pace", "×", 1.0),
        "depth_adv": ("Displayed depth", "% ADV20", 100.0),
    }
    for name, (label, unit, scale) in labels.items():
        value = state.get(name)
        inputs.append(
            {
                "name": name,
                "label": label,
                "value": value * scale if value is not None else None,
                "unit": unit,
                "source": "the start day's data before the start"
                if value is not None
                else "not measurable (imputed by the model)",
            }
        )
    market = MarketInputs(
        price=mid,
        adv20=adv20,
        sigma20=sigma20,
        spread_bps=spread_bps,
        session_seconds=length,
        start_fraction=max(elapsed, 0.0) / length,
        profile=profile,
        state=state,
    )
    return Measured(market, inputs, [f for f in history_flags if f != "tape_bars"])


def _candidate(version: ModelVersion) -> Candidate:
    return Candidate(
        label=version.version,
        kind=version.kind,
        load=lambda: model_load(version=version),
        ranges=version.metrics.get("input_ranges"),
    )


def cost_candidates() -> list[Candidate]:
    """The cost champion, then the latest square-root fit, then the Almgren-form fit."""
    out, seen = [], set()
    champion = champion_get()
    for version in (
        champion,
        ModelVersion.objects.filter(kind="sqrt").exclude(status="retired").first(),
        champion_get(track=ModelVersion.Track.PERMANENT),
        ModelVersion.objects.filter(kind="almgren").first(),
    ):
        if version is not None and version.pk not in seen:
            seen.add(version.pk)
            out.append(_candidate(version))
    return out


def almgren_parameters() -> tuple[dict[str, float], ModelVersion | None]:
    """The permanent champion's fitted Almgren coefficients, else the published ones."""
    version = champion_get(track=ModelVersion.Track.PERMANENT)
    params = (version.metrics.get("parameters") or {}) if version else {}
    if version is None or not {"gamma", "eta", "beta"} <= set(params):
        return dict(PUBLISHED_ALMGREN), None
    return {k: float(params.get(k, PUBLISHED_ALMGREN[k])) for k in PUBLISHED_ALMGREN}, version


def model_version_by_label(label: str | None) -> ModelVersion | None:
    return ModelVersion.objects.filter(version=label).first() if label else None


def estimate_list(*, user: AbstractBaseUser) -> QuerySet[PretradeEstimate]:
    """Estimates the user may read: their own, or everyone's for compliance and quants."""
    qs = PretradeEstimate.objects.select_related("model_version")
    if user.has_perm("orders.view_all_desks"):
        return qs
    return qs.filter(user=user)


def estimate_for_order(
    *,
    order: ParentOrder,
    conf: PretradeConf,
    estimates: QuerySet[PretradeEstimate] | None = None,
) -> PretradeEstimate | None:
    """The estimate made for this order: by its order id, else by symbol, side, size, time."""
    qs = PretradeEstimate.objects.all() if estimates is None else estimates
    qs = qs.select_related("model_version").order_by("-created_at")
    by_ref = qs.filter(order_ref=order.order_id).first()
    if by_ref is not None:
        return by_ref
    arrival = dt.datetime.fromtimestamp(order.arrival_ns / 1e9, tz=dt.UTC)
    window = dt.timedelta(minutes=conf.match_window_minutes)
    return (
        qs.filter(
            order_ref="",
            symbol=order.instrument.symbol,
            side=order.side,
            quantity=float(order.quantity),
            start_time__gte=arrival - window,
            start_time__lte=arrival + window,
        )
        .order_by("-created_at")
        .first()
    )


def estimate_row(estimate: PretradeEstimate) -> dict[str, Any] | None:
    """The stored row of the strategy the trader intended (balanced unless told)."""
    for row in estimate.outputs.get("strategies", []):
        if row.get("strategy") == estimate.strategy:
            return row
    return None


def order_for_estimate(
    *, estimate: PretradeEstimate, orders: QuerySet[ParentOrder], conf: PretradeConf
) -> ParentOrder | None:
    """The order an estimate was made for: by its order id, else symbol, side, size, time.

    The mirror of :func:`estimate_for_order`, over the orders the reader may see.
    """
    qs = orders.select_related("instrument", "cost")
    if estimate.order_ref:
        return qs.filter(order_id=estimate.order_ref).first()
    start_ns = int(estimate.start_time.timestamp() * 1e9)
    window_ns = conf.match_window_minutes * 60 * 1_000_000_000
    return (
        qs.filter(
            instrument__symbol=estimate.symbol,
            side=estimate.side,
            quantity=estimate.quantity,
            arrival_ns__gte=start_ns - window_ns,
            arrival_ns__lte=start_ns + window_ns,
        )
        .order_by("arrival_ns")
        .first()
    )


@dataclass(frozen=True)
class EstimateOutcome:
    """A stored pre-trade estimate next to what its order then cost."""

    estimate: PretradeEstimate
    row: dict[str, Any] | None
    order: ParentOrder | None
    realised_bps: float | None

    @property
    def predicted_bps(self) -> float | None:
        return self.row.get("total_bps") if self.row else None

    @property
    def error_bps(self) -> float | None:
        if self.realised_bps is None or self.predicted_bps is None:
            return None
        return self.realised_bps - self.predicted_bps

    @property
    def within(self) -> bool | None:
        """Whether the realised cost fell inside the estimate's 5–95 % interval."""
        if self.realised_bps is None or not self.row:
            return None
        low, high = self.row.get("q05_bps"), self.row.get("q95_bps")
        if low is None or high is None:
            return None
        return bool(low <= self.realised_bps <= high)


def _realised(order: ParentOrder | None) -> float | None:
    cost = getattr(order, "cost", None) if order is not None else None
    return getattr(cost, "execution_bps", None)


def estimate_outcome_for_order(
    *, user: AbstractBaseUser, order: ParentOrder, conf: PretradeConf
) -> EstimateOutcome | None:
    """The order page's card: the estimate made for it, if the reader may read it."""
    estimate = estimate_for_order(order=order, conf=conf, estimates=estimate_list(user=user))
    if estimate is None:
        return None
    return EstimateOutcome(estimate, estimate_row(estimate), order, _realised(order))


def estimate_outcomes(
    *, user: AbstractBaseUser, conf: PretradeConf, limit: int = 50
) -> list[EstimateOutcome]:
    """The latest estimates the user may read, each with its order's realised cost.

    Bounded (one lookup per estimate, at most ``limit``): the pre/post page's table.
    """
    orders = orders_visible_to(user=user)
    out = []
    for estimate in estimate_list(user=user).order_by("-created_at")[:limit]:
        order = order_for_estimate(estimate=estimate, orders=orders, conf=conf)
        out.append(EstimateOutcome(estimate, estimate_row(estimate), order, _realised(order)))
    return out


def execution_policy() -> tuple[ModelVersion, Any] | None:
    """The champion execution agent and its loaded policy, if one is promoted and loads."""
    version = champion_get(track=ModelVersion.Track.EXECUTION)
    if version is None:
        return None
    try:
        return version, model_load(version=version)
    except Exception:  # a broken artifact: the estimate goes on without the agent
        return None
