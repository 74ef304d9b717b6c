"""Reads behind the report pages (HackSoft style: views call these, never the ORM)."""

from .blotter import blotter_orders, blotter_page, clean_sort, export_rows
from .compare import (
    GROUP_LOOKUPS,
    HORIZONS,
    group_costs,
    group_values,
    impact_data,
    markout_curves,
    measurable,
    order_sums,
)
from .costs import (
    AttributionVersion,
    CostSummary,
    attribution_versions,
    cost_days,
    currencies,
    filter_choices,
    summarise,
    worst_orders,
)
from .orders import order_detail
from .predictions import (
    accuracy,
    has_models,
    model_versions,
    order_prediction,
    prediction_sample,
    version_days,
)
from .scope import Scope, cost_results, desk_lock, scope_for

__all__ = [
    "GROUP_LOOKUPS",
    "HORIZONS",
    "AttributionVersion",
    "CostSummary",
    "Scope",
    "accuracy",
    "attribution_versions",
    "blotter_orders",
    "blotter_page",
    "clean_sort",
    "cost_days",
    "cost_results",
    "currencies",
    "desk_lock",
    "export_rows",
    "filter_choices",
    "group_costs",
    "group_values",
    "has_models",
    "impact_data",
    "markout_curves",
    "measurable",
    "model_versions",
    "order_detail",
    "order_prediction",
    "order_sums",
    "prediction_sample",
    "scope_for",
    "summarise",
    "version_days",
    "worst_orders",
]
