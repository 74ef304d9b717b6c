"""Reads of the model registry."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ModelVersion


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
