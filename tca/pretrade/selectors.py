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

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from models_app.conf import models_conf
from models_app.impact.pretrade import PUBLISHED_ALMGREN, Candidate, MarketInputs
from models_app.impact.signals import PREFIX as SIGNAL_PREFIX
from models_app.models import ModelVersion
from models_app.store import model_load
from tca.orders.models import ParentOrder
from tca.orders.selectors import orders_visible_to

from .conf import PretradeConf
from .models import PretradeEstimate
from .session_data import session_data

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


def _quote_source(found: tuple[dict[str, Any], dt.date], start: dt.datetime) -> str:
    last, day = found
    fresh = day == start.date() and start - last["time"] <= STALENESS
    if fresh:
        return f"last quote before the start ({last['time']:%H:%M:%S} UTC)"
    return f"last quote of {day.isoformat()} ({last['time']:%H:%M} UTC): no fresh quote"


def market_inputs(*, symbol: str, start: dt.datetime, conf: PretradeConf) -> Measured:
    """The market as a trader could have known it at ``start``; MissingInput if it cannot."""
    start = _utc(start)
    models = models_conf()
    data = session_data(
        symbol=symbol, day=start.date(), conf=conf, signals=models.signal_names(),
        signal_max_age=dt.timedelta(days=models.signal_max_age_days),
    )  # fmt: skip
    if data is None:
        raise MissingInput(f"unknown symbol {symbol!r}: no instrument with that symbol is loaded")
    adv20, sigma20, history_flags = data.adv20, data.sigma20, data.history_flags
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
    found = data.last_quote(start)
    if found is None:
        raise MissingInput(
            f"no quote for {symbol} before {start.isoformat()}: load quotes of the start day or "
            "of an earlier session (ingest quotes)"
        )
    quote, quote_source = found[0], _quote_source(found, start)
    mid = (quote["bid"] + quote["ask"]) / 2
    spread_bps = (quote["ask"] - quote["bid"]) / mid * 1e4
    opens, closes = data.session_open, data.session_close
    length = (closes - opens).total_seconds()
    elapsed = (start - opens).total_seconds()
    if elapsed >= length:
        raise MissingInput(
            f"the start {start.isoformat()} is after the close of {symbol}'s session "
            f"({closes:%H:%M} UTC): start at a time the market is open"
        )
    profile, profile_source = data.profile, data.profile_source
    state = data.state(start)
    signals = data.signal_values(start)
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
         "source": f"{opens:%H:%M}–{closes:%H:%M} UTC "
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
    for column, value in signals.items():  # shown with its source like every input
        inputs.append(
            {
                "name": column,
                "label": f"Signal {column.removeprefix(SIGNAL_PREFIX)}",
                "value": value,
                "unit": "",
                "source": "last value published before the start"
                if value is not None
                else "none published in the window (imputed by the model)",
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
        state={**state, **signals},
    )
    return Measured(market, inputs, [f for f in history_flags if f != "tape_bars"])


def _candidate(version: ModelVersion) -> Candidate:
    return Candidate(
        label=version.version,
        kind=version.kind,
        load=lambda: model_load(version=version),
        ranges=version.metrics.get("input_ranges"),
    )


@dataclass(frozen=True)
class PretradeModels:
    """The registry versions an estimate may use, read once per request (three queries)."""

    champions: dict[str, ModelVersion]  # by track
    sqrt: ModelVersion | None  # the latest square-root fit still in service
    almgren: ModelVersion | None  # the latest Almgren-form fit

    def candidates(self) -> list[Candidate]:
        """The cost champion, then the square-root fit, then the Almgren-form fit."""
        out, seen = [], set()
        for version in (
            self.champions.get(ModelVersion.Track.COST),
            self.sqrt,
            self.champions.get(ModelVersion.Track.PERMANENT),
            self.almgren,
        ):
            if version is not None and version.pk not in seen:
                seen.add(version.pk)
                out.append(_candidate(version))
        return out

    def almgren_parameters(self) -> tuple[dict[str, float], ModelVersion | None]:
        """The permanent champion's fitted Almgren coefficients, else the published ones."""
        version = self.champions.get(ModelVersion.Track.PERMANENT)
        params = (version.metrics.get("parameters") or {}) if version else {}
        if version is None or not {"gamma", "eta", "beta"} <= set(params):
            return dict(PUBLISHED_ALMGREN), None
        return {k: float(params.get(k, PUBLISHED_ALMGREN[k])) for k in PUBLISHED_ALMGREN}, version

    def by_label(self, label: str | None) -> ModelVersion | None:
        known = [*self.champions.values(), self.sqrt, self.almgren]
        found = next((v for v in known if v is not None and v.version == label), None)
        if found is None and label:
            return ModelVersion.objects.filter(version=label).first()
        return found

    def execution_policy(self) -> tuple[ModelVersion, Any] | None:
        """The champion execution agent and its loaded policy, if one is promoted and loads."""
        version = self.champions.get(ModelVersion.Track.EXECUTION)
        if version is None:
            return None
        try:
            return version, model_load(version=version)
        except Exception:  # a broken artifact: the estimate goes on without the agent
            return None


def pretrade_models() -> PretradeModels:
    champions = {
        v.track: v for v in ModelVersion.objects.filter(status=ModelVersion.Status.CHAMPION)
    }
    return PretradeModels(
        champions=champions,
        sqrt=ModelVersion.objects.filter(kind="sqrt").exclude(status="retired").first(),
        almgren=ModelVersion.objects.filter(kind="almgren").first(),
    )


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
