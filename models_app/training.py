"""Training runs: fit every kind, score it, register it, compare with the champion.

Each kind is scored two ways. Walk-forward over the whole history (every
block predicted by a fit on earlier days only) gives stable out-of-sample
figures and the predictions stored for historical orders. The latest
``holdout_days`` trade dates are held out of the registered fit, so the
challenger and the current champion are compared on the very same orders
neither trained on (unless the champion's own window already covered them,
which only favours the champion).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tca.jobs.models import Job
from tca.jobs.services import job_create, job_enqueue, job_finish, job_progress, job_start

from .conf import ModelsConf, models_conf
from .impact.artifacts import data_sha256
from .impact.catalog import BASELINE, COST, PERMANENT, TRACK_OF
from .impact.metrics import evaluate, jsonable
from .impact.model import ImpactModel
from .impact.table import TOTAL, trainable
from .impact.walkforward import walk_forward
from .loading import order_table
from .models import ModelVersion, OrderPrediction
from .predictions import predictions_write
from .selectors import champion_get
from .services import model_version_promote, model_version_register
from .store import model_load

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
# What each track's champion is compared on: the target it serves.
TRACK_TARGET = {COST: TOTAL, PERMANENT: "permanent_bps"}


@dataclass
class TrainingOutcome:
    versions: list[ModelVersion] = field(default_factory=list)
    walk_forward: dict[str, pl.DataFrame] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    comparison: dict[str, Any] = field(default_factory=dict)


def holdout_split(
    table: pl.DataFrame, days: int, min_train_days: int
) -> tuple[pl.DataFrame, pl.DataFrame, tuple[dt.date, dt.date] | None]:
    """(train, holdout, holdout window); no holdout when history is too short."""
    dates = sorted(trainable(table)["trade_date"].unique().to_list())
    if days <= 0 or len(dates) < days + min_train_days:
        return table, table.clear(), None
    start = dates[-days]
    return (
        table.filter(pl.col("trade_date") < start),
        trainable(table.filter(pl.col("trade_date") >= start)),
        (start, dates[-1]),
    )


def _target_mae(scores: dict[str, Any], track: str) -> float | None:
    value = scores.get(TRACK_TARGET[track], {}).get("mae")
    return float(value) if value is not None and math.isfinite(value) else None


def _champion_scores(
    track: str, holdout: pl.DataFrame, baseline: pl.DataFrame | None, conf: ModelsConf
) -> dict[str, Any] | None:
    champion = champion_get(track=track)
    if champion is None or holdout.height == 0:
        return None
    preds = model_load(version=champion).predict(holdout, conf.threshold_bps)
    return {
        "version": champion.version,
        "kind": champion.kind,
        "holdout": evaluate(preds, holdout, baseline=baseline),
    }


def models_train(
    *,
    table: pl.DataFrame,
    kinds: tuple[str, ...] | list[str],
    user: AbstractBaseUser | None,
    job_id: str | None = None,
    progress: Progress | None = None,
) -> TrainingOutcome:
    """Fit, score and register one challenger per kind on ``table``."""
    conf = models_conf()
    report = progress or (lambda _p, _m: None)
    train, holdout, window = holdout_split(table, conf.holdout_days, conf.min_train_days)
    data_hash = data_sha256(trainable(train).drop("order_pk", strict=False))
    wf_args = {
        "min_train_days": conf.walk_forward_first_days,
        "test_days": conf.walk_forward_days,
        "threshold_bps": conf.threshold_bps,
    }
    base_wf = walk_forward(table, BASELINE, conf.hyperparameters.get(BASELINE), **wf_args)
    try:
        base = ImpactModel(BASELINE).fit(train)
        base_holdout = base.predict(holdout, conf.threshold_bps) if holdout.height else None
    except ValueError:
        base_holdout = None
    champions = {
        track: _champion_scores(track, holdout, base_holdout, conf) for track in (COST, PERMANENT)
    }
    outcome = TrainingOutcome(comparison={"holdout": window, "champions": champions})
    for i, kind in enumerate(kinds):
        report(0.05 + 0.9 * i / len(kinds), f"training {kind}")
        hp = conf.hyperparameters.get(kind)
        try:
            model = ImpactModel(kind, hp).fit(train)
        except ValueError as exc:
            outcome.errors[kind] = str(exc)
            log.warning("training %s skipped: %s", kind, exc)
            continue
        wf = base_wf if kind == BASELINE else walk_forward(table, kind, hp, **wf_args)
        outcome.walk_forward[kind] = wf
        metrics: dict[str, Any] = {
            "parameters": model.parameters(),
            "walk_forward": evaluate(wf, table, baseline=base_wf) if wf.height else {},
            "holdout": evaluate(model.predict(holdout, conf.threshold_bps), holdout,
                                baseline=base_holdout) if holdout.height else {},
            "window": model.window_,
            "reference": model.reference_,
            "input_ranges": model.input_ranges_,
        }  # fmt: skip
        track = TRACK_OF[kind]
        champion = champions[track]
        if champion is not None:
            ours = _target_mae(metrics["holdout"], track)
            theirs = _target_mae(champion["holdout"], track)
            metrics["champion"] = {
                "version": champion["version"],
                "target": TRACK_TARGET[track],
                "mae": theirs,
                "challenger_mae": ours,
            }
            metrics["beats_champion"] = ours is not None and theirs is not None and ours < theirs
        outcome.versions.append(
            model_version_register(
                model=model,
                metrics=jsonable(metrics),
                data_sha256=data_hash,
                holdout=window,
                user=user,
                job_id=job_id,
            )
        )
    outcome.comparison = jsonable(outcome.comparison)
    return outcome


def selection_scores(outcome: TrainingOutcome, table: pl.DataFrame, track: str) -> dict[str, float]:
    """Walk-forward MAE of each kind of ``track`` on the orders every one of them predicted."""
    kinds = [
        v.kind for v in outcome.versions if v.track == track and v.kind in outcome.walk_forward
    ]
    frames = [outcome.walk_forward[k] for k in kinds if outcome.walk_forward[k].height]
    if len(frames) != len(kinds) or not kinds:
        return {}
    common = set(frames[0]["order_id"].to_list())
    for frame in frames[1:]:
        common &= set(frame["order_id"].to_list())
    target = TRACK_TARGET[track]
    actual = table.select("order_id", pl.col(target).alias("_y"))
    scores = {}
    for kind in kinds:
        joined = (
            outcome.walk_forward[kind]
            .filter(pl.col("order_id").is_in(list(common)))
            .join(actual, on="order_id")
        )
        mae = (joined[target] - joined["_y"]).abs().mean()
        scores[kind] = float(mae) if mae is not None else math.inf  # type: ignore[arg-type]
    return scores


def _promote_first_champions(outcome: TrainingOutcome, table: pl.DataFrame) -> None:
    for track in (COST, PERMANENT):
        if champion_get(track=track) is not None:
            continue
        scores = selection_scores(outcome, table, track)
        candidates = [v for v in outcome.versions if v.track == track]
        if not candidates:
            continue
        best = min(candidates, key=lambda v: scores.get(v.kind, math.inf))
        model_version_promote(version=best, user=None)


def predictions_backfill(*, outcome: TrainingOutcome, table: pl.DataFrame) -> int:
    """Store walk-forward predictions for orders that have none, from the kind of the
    cost champion (labelled with this run's version of that kind)."""
    champion = champion_get(track=COST)
    if champion is None:
        return 0
    version = next((v for v in outcome.versions if v.kind == champion.kind), None)
    wf = outcome.walk_forward.get(champion.kind)
    if version is None or wf is None or wf.height == 0:
        return 0
    return predictions_write(
        predictions=wf, version=version, source=OrderPrediction.Source.WALK_FORWARD, table=table
    )


def models_train_all(*, user: AbstractBaseUser | None, promote_if_none: bool) -> list[ModelVersion]:
    """Train every configured kind on all stored results and register them.

    With ``promote_if_none``, a track without a champion gets the kind with the
    best walk-forward MAE (a system promotion, audited). Historical orders
    without a prediction then get their walk-forward one.
    """
    table = order_table()
    outcome = models_train(table=table, kinds=models_conf().kinds, user=user)
    if promote_if_none:
        _promote_first_champions(outcome, table)
    predictions_backfill(outcome=outcome, table=table)
    return outcome.versions


def models_retrain_submit(
    *,
    user: AbstractBaseUser | None,
    kinds: list[str] | None = None,
    reason: str = "",
) -> Job:
    """Create a training job and enqueue it on the training queue once committed."""
    from .tasks import models_retrain_task

    params = {"kinds": list(kinds or models_conf().kinds), "reason": reason}
    with transaction.atomic():
        job = job_create(kind=Job.Kind.TRAINING, user=user, params=params)
        job_enqueue(job=job, task=models_retrain_task, args=[str(job.id)])
    return job


def models_retrain_run(*, job_id: str) -> dict[str, Any]:
    """The body of a retrain job; idempotent (a finished job, or one that already
    registered its versions, is not trained again)."""
    job = Job.objects.select_related("created_by").get(id=job_id)
    if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
        return dict(job.result)
    done = list(ModelVersion.objects.filter(job_id=job_id))
    if done:
        result = {"versions": [v.version for v in done], "resumed": True}
        job_finish(job_id=job_id, result=result, succeeded=True, message="done")
        return result
    job_start(job_id=job_id, message="loading orders")
    table = order_table()
    outcome = models_train(
        table=table,
        kinds=job.params.get("kinds") or list(models_conf().kinds),
        user=job.created_by,
        job_id=job_id,
        progress=lambda p, m: job_progress(job_id=job_id, progress=p, message=m),
    )
    job_progress(job_id=job_id, progress=0.97, message="storing predictions")
    predictions_backfill(outcome=outcome, table=table)
    result = {
        "versions": [v.version for v in outcome.versions],
        "errors": outcome.errors,
        "comparison": outcome.comparison,
        "challengers": {
            v.version: {
                "kind": v.kind,
                "track": v.track,
                "beats_champion": v.metrics.get("beats_champion"),
                "holdout_mae": _target_mae(v.metrics.get("holdout", {}), v.track),
            }
            for v in outcome.versions
        },
    }
    job_finish(job_id=job_id, result=jsonable(result), succeeded=True, message="done")
    return result
