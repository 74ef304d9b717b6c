"""The three roles and the permissions each one holds.

Roles are Django groups created by a data migration; permissions are the
explicit contract the views and the API check (never group names).
"""

TRADER = "trader"
COMPLIANCE = "compliance"
QUANT = "quant"
ROLES = (TRADER, COMPLIANCE, QUANT)

_READ = (
    "instruments.view_instrument",
    "orders.view_parentorder",
    "orders.view_fill",
    "costs.view_costresult",
    "jobs.view_job",
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    TRADER: (
        *_READ,
        "orders.ingest_data",
        "costs.run_tca",
        "pretrade.view_pretradeestimate",
        "pretrade.run_pretrade",
    ),
    COMPLIANCE: (
        *_READ,
        "pretrade.view_pretradeestimate",
        "orders.view_all_desks",
        "jobs.view_ingestaudit",
        "jobs.export_best_execution",
    ),
    QUANT: (
        *_READ,
        "orders.view_all_desks",
        "orders.ingest_data",
        "costs.run_tca",
        "jobs.view_ingestaudit",
        "models_app.view_modelversion",
        "models_app.train_model",
        "models_app.promote_model",
        "jobs.export_best_execution",
        "pretrade.view_pretradeestimate",
        "pretrade.run_pretrade",
    ),
}
