"""Give the roles the pre-trade permissions: traders and quants run estimates, all read."""

import importlib

from django.db import migrations

_roles = importlib.import_module("tca.accounts.migrations.0002_roles")


class Migration(migrations.Migration):
    dependencies = [
        ("pretrade", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
