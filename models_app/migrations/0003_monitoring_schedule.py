"""Schedule residual monitoring with django-celery-beat (editable in the admin)."""

import json

from django.db import migrations

TASK_NAME = "Impact models: residual monitoring"
TASK = "models_app.monitor"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_hour, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "interval": every_hour,
            "queue": "training",
            "kwargs": json.dumps({}),
            "enabled": True,
            "description": "Bias, error by regime and size, and input drift of the cost "
            "champion's recent residuals; queues a retrain when a threshold is crossed.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("models_app", "0002_registry_predictions_monitoring"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
