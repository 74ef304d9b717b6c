"""Per-order cost predictions (models_app.OrderPrediction) next to the realised costs.

The models predict the *execution* cost against the arrival mid (spread +
temporary + permanent impact + adverse selection; see models_app.impact.table),
so the realised value compared with a prediction is the order's execution
cost, not its IS (models_app keeps it on the prediction as ``realized_bps``).
The prediction interval is the model's 5 %-95 % quantiles. Accuracy figures are
sums in SQL; only a bounded sample of points reaches Python, for the scatter
and the histogram.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Mod

from models_app.models import ModelVersion
from models_app.models import OrderPrediction as Prediction
from tca.orders.models import ParentOrder

from .scope import Scope, apply_scope

_HASH, _HASH_SPACE = 2_654_435_761, 2**32  # same even, repeatable sampling as compare


@dataclass(frozen=True)
class OrderPrediction:
    version: str
    predicted: float
    low: float | None
    high: float | None
    source: str


def order_prediction(order: ParentOrder) -> OrderPrediction | None:
    """The prediction stored for this order, if a model has made one."""
    row = (
        Prediction.objects.filter(order=order)
        .values_list("model_version__version", "total_bps", "q05_bps", "q95_bps", "source")
        .first()
    )
    if row is None:
        return None
    version, total, low, high, source = row
    return OrderPrediction(str(version), float(total), low, high, str(source))


def _predictions(scope: Scope, version: str) -> QuerySet[Prediction]:
    """Predictions whose realised cost is known, in scope. The realised value and the
    residual are the ones models_app stores and refreshes after each TCA run (so no
    join to the results is needed unless a filter asks for one)."""
    qs = apply_scope(
        Prediction.objects.filter(realized_bps__isnull=False, residual_bps__isnull=False),
        scope,
        order="order",
        cost="order__cost",
    )
    if version:
        qs = qs.filter(model_version__version=version)
    return qs


@dataclass
class VersionDay:
    """Additive sums of one version's predictions on one trade date."""

    version: str
    trade_date: dt.date
    n: int
    r: float  # Σ residual
    ar: float  # Σ |residual|
    rr: float  # Σ residual²
    inside: float  # orders realised within the 5-95 % interval
    p: float
    y: float
    pp: float
    yy: float
    py: float


def version_days(scope: Scope, *, version: str = "") -> list[VersionDay]:
    """One GROUP BY (version, trade date) holding every accuracy sum: the accuracy table
    and the residual series are both sums of these rows."""
    y, p, r = F("realized_bps"), F("total_bps"), F("residual_bps")
    inside = Case(
        When(q05_bps__lte=y, q95_bps__gte=y, then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    rows = (
        _predictions(scope, version)
        .values("trade_date", v=F("model_version__version"))
        .annotate(
            n=Count("pk"),
            r=Sum(r),
            ar=Sum(Abs(r)),
            rr=Sum(r * r),
            inside=Sum(inside),
            p=Sum(p),
            y=Sum(y),
            pp=Sum(p * p),
            yy=Sum(y * y),
            py=Sum(p * y),
        )
        .order_by("v", "trade_date")
    )
    return [
        VersionDay(
            str(x["v"]),
            x["trade_date"],
            x["n"],
            x["r"],
            x["ar"],
            x["rr"],
            x["inside"],
            x["p"],
            x["y"],
            x["pp"],
            x["yy"],
            x["py"],
        )
        for x in rows
    ]


@dataclass(frozen=True)
class VersionAccuracy:
    version: str
    n: int
    bias: float
    mae: float
    rmse: float
    coverage: float | None
    corr: float | None


def accuracy(days: list[VersionDay]) -> list[VersionAccuracy]:
    """Bias, MAE, RMSE, interval coverage and correlation per version, from the day sums."""
    totals: dict[str, list[float]] = {}
    for d in days:
        acc = totals.setdefault(d.version, [0.0] * 10)
        for i, value in enumerate((d.n, d.r, d.ar, d.rr, d.inside, d.p, d.y, d.pp, d.yy, d.py)):
            acc[i] += value
    out = []
    for version, (n, r, ar, rr, inside, sp, sy, spp, syy, spy) in sorted(totals.items()):
        vp, vy, cpy = spp - sp * sp / n, syy - sy * sy / n, spy - sp * sy / n
        corr = float(cpy / np.sqrt(vp * vy)) if n > 2 and vp > 0 and vy > 0 else None
        out.append(
            VersionAccuracy(
                version, int(n), r / n, ar / n, float(np.sqrt(rr / n)), inside / n, corr
            )
        )
    return out


@dataclass
class PredictionSample:
    version: str
    predicted: np.ndarray
    realised: np.ndarray


def prediction_sample(
    scope: Scope, counts: dict[str, int], *, version: str = "", per_version: int = 1500
) -> list[PredictionSample]:
    """About ``per_version`` (predicted, realised) pairs per version in one query, chosen
    by a hash of the order key so the same points come back on every request."""
    if not counts:
        return []
    keep = Q()
    for label, n in counts.items():
        cut = _HASH_SPACE if n <= per_version else int(_HASH_SPACE * per_version / n)
        keep |= Q(model_version__version=label, _h__lt=cut)
    rows = (
        _predictions(scope, version)
        .annotate(_h=Mod(F("order_id") * _HASH, _HASH_SPACE))
        .filter(keep)
        .values_list("model_version__version", "total_bps", "realized_bps")
    )
    grouped: dict[str, list[tuple[float, float]]] = {}
    for label, pred, real in rows:
        grouped.setdefault(str(label), []).append((pred, real))
    return [
        PredictionSample(
            label,
            np.asarray([p for p, _ in pairs], dtype=float),
            np.asarray([r for _, r in pairs], dtype=float),
        )
        for label, pairs in sorted(grouped.items())
    ]


def model_versions() -> list[str]:
    """Version labels that have predictions (for the filter drop-down)."""
    with_predictions = Prediction.objects.filter(model_version=OuterRef("pk"))
    return sorted(
        ModelVersion.objects.filter(Exists(with_predictions)).values_list("version", flat=True)
    )


def has_models() -> bool:
    """Whether any model has been trained at all (for the right empty state)."""
    return ModelVersion.objects.exists()
