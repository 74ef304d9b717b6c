"""Quants may generate best-execution reports too (compliance already could)."""

import importlib

from django.db import migrations

_roles = importlib.import_module("tca.accounts.migrations.0002_roles")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_best_execution_report"),
        ("accounts", "0002_roles"),
        ("jobs", "0001_initial"),
    ]

    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
