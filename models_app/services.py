"""Writes to the registry: registering trained versions and promoting them (audited)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .conf import models_conf
from .impact.artifacts import code_version
from .impact.model import ImpactModel
from .models import ModelVersion, PromotionEvent
from .store import artifact_store

SYSTEM_FIRST_CHAMPION = "system: first champion of its track"


class PromotionRefused(PermissionDenied):
    """Raised when a promotion breaks the four-eyes rule or lacks the permission."""


def model_version_register(
    *,
    model: ImpactModel,
    metrics: dict[str, Any],
    data_sha256: str,
    holdout: tuple[dt.date, dt.date] | None,
    user: AbstractBaseUser | None,
    job_id: uuid.UUID | str | None = None,
) -> ModelVersion:
    """Store the artifact (never overwriting one) and add its registry row."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    version = f"{model.kind}-{stamp}-{uuid.uuid4().hex[:6]}"
    path, sha = artifact_store().save(model, name=f"{model.kind}/{version}")
    window = model.window_
    return ModelVersion.objects.create(
        version=version,
        kind=model.kind,
        track=model.track,
        hyperparameters=model.hyperparameters,
        train_start=window["train_start"],
        train_end=window["train_end"],
        holdout_start=holdout[0] if holdout else None,
        holdout_end=holdout[1] if holdout else None,
        n_rows=window["n_rows"],
        data_sha256=data_sha256,
        code_version=code_version(),
        metrics=metrics,
        artifact_path=path,
        artifact_sha256=sha,
        triggered_by=user if user is not None and user.is_authenticated else None,
        job_id=job_id,
    )


def _check_may_promote(*, version: ModelVersion, user: AbstractBaseUser | None) -> None:
    if user is None:  # the system itself (first champion of an empty registry)
        return
    if not user.has_perm("models_app.promote_model"):
        raise PromotionRefused("Promoting a model needs the promote_model permission.")
    if models_conf().four_eyes and version.triggered_by_id == user.pk:
        raise PromotionRefused(
            "Four-eyes rule: the version must be promoted by someone other than the user "
            "who triggered its training."
        )


def model_version_promote(
    *, version: ModelVersion, user: AbstractBaseUser | None, note: str = ""
) -> ModelVersion:
    """Make ``version`` the champion of its track; the previous champion is retired.

    ``user=None`` is a system promotion (audited as such). Both status changes
    are recorded as promotion events in the same transaction.
    """
    _check_may_promote(version=version, user=user)
    note = note or ("" if user is not None else SYSTEM_FIRST_CHAMPION)
    with transaction.atomic():
        locked = list(
            ModelVersion.objects.select_for_update().filter(track=version.track).order_by("pk")
        )
        target = next(v for v in locked if v.pk == version.pk)
        if target.status == ModelVersion.Status.CHAMPION:
            return target
        for current in locked:
            if current.status == ModelVersion.Status.CHAMPION:
                _set_status(current, ModelVersion.Status.RETIRED, user, f"replaced by {target}")
        _set_status(target, ModelVersion.Status.CHAMPION, user, note)
        if target.kind == "almgren":  # the permanent-impact model: re-split stored results
            from tca.costs.tasks import tca_reattribute_task

            transaction.on_commit(tca_reattribute_task.delay)
    return target


def _set_status(
    version: ModelVersion, status: str, user: AbstractBaseUser | None, note: str
) -> None:
    PromotionEvent.objects.create(
        model_version=version,
        from_status=version.status,
        to_status=status,
        user=user if user is not None and user.is_authenticated else None,
        note=note[:255],
    )
    version.status = status
    version.save(update_fields=["status"])
