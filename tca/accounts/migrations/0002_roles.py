"""Create the trader, compliance and quant groups with their explicit permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from tca.accounts.roles import ROLE_PERMISSIONS


def create_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, dotted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for name in dotted:
            app_label, codename = name.split(".")
            perms.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)


def drop_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("instruments", "0001_initial"),
        ("orders", "0001_initial"),
        ("costs", "0001_initial"),
        ("jobs", "0001_initial"),
        ("models_app", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
