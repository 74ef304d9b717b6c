"""Reads of the model registry."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, QuerySet, When

from .models import ModelVersion, OrderPrediction


@dataclass(frozen=True)
class PermanentImpactModel:
    version: str
    gamma: float


def permanent_impact_model() -> PermanentImpactModel | None:
    """The champion Almgren-form model's permanent coefficient γ, if one is calibrated."""
    champion = (
        ModelVersion.objects.filter(kind="almgren", status=ModelVersion.Status.CHAMPION)
        .order_by("-created_at")
        .first()
    )
    if champion is None or "gamma" not in champion.metrics.get("parameters", {}):
        return None
    return PermanentImpactModel(
        version=champion.version, gamma=float(champion.metrics["parameters"]["gamma"])
    )


def champion_get(*, track: str = ModelVersion.Track.COST) -> ModelVersion | None:
    return ModelVersion.objects.filter(track=track, status=ModelVersion.Status.CHAMPION).first()


def model_version_list() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.select_related("triggered_by", "job").order_by("-created_at")


def order_prediction_get(*, order_id: str) -> OrderPrediction | None:
    """The prediction stored for an order (with its model version), if any."""
    return (
        OrderPrediction.objects.select_related("model_version")
        .filter(order__order_id=order_id)
        .first()
    )


def execution_policy_versions() -> QuerySet[ModelVersion]:
    """Execution-agent versions, champion first, then newest."""
    return ModelVersion.objects.filter(kind="execution_policy").order_by(
        Case(When(status=ModelVersion.Status.CHAMPION, then=0), default=1), "-created_at"
    )
