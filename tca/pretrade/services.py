"""The pre-trade estimate (SPEC §4): inputs as of the start, one row per strategy, stored."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser

from models_app.impact.pretrade import (
    MarketInputs,
    Request,
    estimate_with_fallback,
    optimal_schedule,
    plan_duration,
    strategy_rows,
)

from .conf import PretradeConf, pretrade_conf
from .models import PretradeEstimate
from .selectors import MissingInput, PretradeModels, market_inputs, pretrade_models

COLUMNS = ("temporary_bps", "permanent_bps", "total_bps", "std_bps", "q05_bps", "q50_bps",
           "q95_bps", "p_exceed")  # fmt: skip
MIN_HORIZON_S = 60.0


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


def pretrade_request(
    *,
    symbol: str,
    side: int,
    quantity: float,
    start: dt.datetime,
    horizon_s: float | None,
    end: dt.datetime | None,
    threshold_bps: float | None,
    risk_aversion: float | None,
    conf: PretradeConf,
) -> Request:
    """The request with its defaults: horizon from the end time, else 60 minutes."""
    if horizon_s is None and end is not None:
        horizon_s = (end - start).total_seconds()
    horizon_s = 3600.0 if horizon_s is None else float(horizon_s)
    if horizon_s < MIN_HORIZON_S:
        raise MissingInput("the horizon must be at least one minute (end after start)")
    return Request(
        symbol=symbol,
        side=1 if side > 0 else -1,
        quantity=float(quantity),
        start=start,
        horizon_s=horizon_s,
        threshold_bps=conf.threshold_bps if threshold_bps is None else float(threshold_bps),
        risk_aversion=conf.risk_aversion if risk_aversion is None else float(risk_aversion),
    )


def pretrade_compute(
    *, request: Request, conf: PretradeConf | None = None, models: PretradeModels | None = None
) -> dict[str, Any]:
    """Every strategy's cost and distribution, the optimal schedule, inputs and flags."""
    conf = conf or pretrade_conf()
    measured = market_inputs(symbol=request.symbol, start=request.start, conf=conf)
    market = measured.market
    if request.horizon_s > market.session_seconds * 5:
        raise MissingInput("the horizon is longer than five sessions")
    plans = conf.plans()
    durations = [plan_duration(p, request, market) for p in plans]
    rows = strategy_rows(request, market, plans, durations)
    models = models or pretrade_models()
    answer = estimate_with_fallback(rows, models.candidates(), request.threshold_bps)
    params, almgren_version = models.almgren_parameters()
    optimal = optimal_schedule(request, market, params, conf.frontier_points)
    label = answer.used.label if answer.used else None
    strategies = []
    remaining = (1 - market.start_fraction) * market.session_seconds
    for i, plan in enumerate(plans):
        pred = answer.predictions.row(i, named=True) if answer.used else {}
        flags = []
        if durations[i] > remaining:
            flags.append("runs past the close")
        if durations[i] > request.horizon_s:
            flags.append("longer than the horizon")
        strategies.append(
            {
                "strategy": plan.name,
                "participation": plan.participation,
                "passive_share": plan.passive_share,
                **{c: _finite(pred.get(c)) for c in COLUMNS},
                "duration_s": durations[i],
                "model_version": label,
                "flags": flags,
            }
        )
    ac_label = almgren_version.version if almgren_version else "published coefficients"
    strategies.append(
        {
            "strategy": "optimal",
            "participation": None,
            "passive_share": 0.0,
            **{c: _finite(optimal["row"][c]) for c in COLUMNS},
            "duration_s": request.horizon_s,
            "model_version": ac_label,
            "flags": [] if almgren_version else ["no calibrated Almgren model"],
        }
    )
    agent = _agent_row(request, market, models)
    if agent is not None:
        strategies.append(agent)
    flags = list(measured.flags)
    if answer.used is None:
        flags.append("no cost model could answer")
    elif answer.reasons:
        flags.append("fallback")
    return {
        "symbol": request.symbol,
        "side": "buy" if request.side > 0 else "sell",
        "quantity": request.quantity,
        "start": request.start.isoformat(),
        "horizon_s": request.horizon_s,
        "threshold_bps": request.threshold_bps,
        "risk_aversion": request.risk_aversion,
        "inputs": measured.inputs,
        "model": {
            "version": label,
            "kind": answer.used.kind if answer.used else None,
            "fallback": bool(answer.reasons),
            "reasons": answer.reasons,
        },
        "strategies": strategies,
        "optimal": {**optimal, "model_version": ac_label, "parameters": params},
        "market": {
            "price": market.price,
            "adv20": market.adv20,
            "sigma20": market.sigma20,
            "spread_bps": market.spread_bps,
            "session_seconds": market.session_seconds,
            "start_fraction": market.start_fraction,
        },
        "flags": flags,
    }


AGENT_STRATEGY = "rl_agent"


def _agent_row(
    request: Request, market: MarketInputs, models: PretradeModels
) -> dict[str, Any] | None:
    """The champion execution agent's row: its costs from simulated rollouts."""
    from models_app.execution.pretrade import policy_estimate

    found = models.execution_policy()
    if found is None or not market.adv20 or not market.sigma20:
        return None
    version, policy = found
    est = policy_estimate(
        policy,
        order_adv=request.quantity / market.adv20,
        sigma_bps=market.sigma20 * 1e4,
        half_spread_bps=market.spread_bps / 2.0,
        horizon_s=request.horizon_s,
        threshold_bps=request.threshold_bps,
    )
    return {
        "strategy": AGENT_STRATEGY,
        "participation": None,
        "passive_share": None,
        **{c: _finite(est[c]) for c in COLUMNS},
        "duration_s": request.horizon_s,
        "model_version": version.version,
        "flags": ["simulated rollouts", *est["flags"]],  # type: ignore[list-item]
    }


def pretrade_estimate_create(
    *,
    user: AbstractBaseUser,
    request: Request,
    strategy: str = "balanced",
    order_ref: str = "",
    source: str = PretradeEstimate.Source.API,
) -> PretradeEstimate:
    """Compute and store an estimate (who, when, inputs, outputs, model version)."""
    models = pretrade_models()
    result = pretrade_compute(request=request, models=models)
    estimate_id = uuid.uuid4()
    return PretradeEstimate.objects.create(
        id=estimate_id,
        user=user if user.is_authenticated else None,
        username=user.get_username(),
        source=source,
        symbol=request.symbol,
        side=request.side,
        quantity=request.quantity,
        start_time=request.start,
        horizon_s=request.horizon_s,
        threshold_bps=request.threshold_bps,
        risk_aversion=request.risk_aversion,
        strategy=strategy,
        order_ref=order_ref,
        inputs={"market": result["inputs"], "flags": result["flags"]},
        outputs={**result, "id": str(estimate_id)},
        model_version=models.by_label(result["model"]["version"]),
        fallback=result["model"]["fallback"],
        fallback_reasons=result["model"]["reasons"],
    )


def pretrade_schedule(*, estimate: PretradeEstimate, risk_aversion: float) -> dict[str, Any]:
    """The optimal schedule of a stored estimate for another λ (the page's slider).

    Pure recomputation from what the estimate stored (market inputs and the
    Almgren coefficients it used): moving the slider never sees newer data.
    """
    out = estimate.outputs
    m = out["market"]
    request = Request(
        symbol=estimate.symbol,
        side=estimate.side,
        quantity=estimate.quantity,
        start=estimate.start_time,
        horizon_s=estimate.horizon_s,
        threshold_bps=estimate.threshold_bps,
        risk_aversion=float(risk_aversion),
    )
    market = MarketInputs(
        price=m["price"], adv20=m["adv20"], sigma20=m["sigma20"], spread_bps=m["spread_bps"],
        session_seconds=m["session_seconds"], start_fraction=m["start_fraction"],
        profile=np.ones(1),
    )  # fmt: skip
    params = out["optimal"]["parameters"]
    optimal = optimal_schedule(
        request, market, params, len(out["optimal"]["frontier"]["variance_bps2"])
    )
    return {**optimal, "model_version": out["optimal"]["model_version"], "parameters": params}
