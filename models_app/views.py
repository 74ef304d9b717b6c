"""The execution agent's page: how the champion policy compares with the schedules."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .execution.evaluation import STRATEGIES
from .selectors import execution_policy_versions

LABELS = {
    "agent": "RL agent (Q-learning)",
    "twap": "TWAP",
    "vwap": "VWAP",
    "pov10": "POV 10 %",
    "almgren_chriss": "Almgren-Chriss",
}
GROUPS = {
    "overall": "All held-out days",
    "calm": "Calm days",
    "volatile": "Volatile days",
    "news": "News-event days",
}


def _rows(groups: dict) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for key, title in GROUPS.items():
        group = groups.get(key)
        if not group:
            continue
        strategies = [
            {"name": s, "label": LABELS[s], **group["strategies"][s], **group["versus"].get(s, {})}
            for s in STRATEGIES
            if s in group["strategies"]
        ]
        out.append({"key": key, "title": title, "strategies": strategies})
    return out


@permission_required("pretrade.view_pretradeestimate", raise_exception=True)
def execution_agent(request: HttpRequest) -> HttpResponse:
    versions = list(execution_policy_versions()[:10])
    current = versions[0] if versions else None
    groups = _rows(current.metrics["evaluation"]["groups"]) if current else []
    return render(
        request,
        "models_app/execution.html",
        {"current": current, "versions": versions, "groups": groups,
         "setup": (current.hyperparameters.get("setup") if current else None),
         "can_train": request.user.has_perm("models_app.train_model")},
    )  # fmt: skip
